"""Vietnam's working days: weekends and public holidays (lunar Tết included) from the `holidays`
package, corrected by the administrators' CalendarDay rows."""

import datetime
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

from .models import CalendarDay

LOCAL = ZoneInfo(settings.TIME_ZONE)


class WorkingCalendar:
    """Loaded once per computation: the package's holidays plus the corrections, by date."""

    def __init__(self, start: datetime.date, end: datetime.date):
        years = range(start.year, end.year + 2)
        self._official = holidays.country_holidays("VN", years=years)
        self._corrections = dict(
            CalendarDay.objects.filter(date__gte=start, date__lte=end + datetime.timedelta(days=400)).values_list(
                "date", "is_working_day"
            )
        )

    def is_working_day(self, day: datetime.date) -> bool:
        if day in self._corrections:
            return self._corrections[day]
        return self._official.is_working_day(day)

    def holiday_name(self, day: datetime.date) -> str | None:
        return self._official.get(day)


def end_of_day(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=LOCAL)


def add_working_days(start: datetime.datetime, count: int) -> datetime.datetime:
    """The end (23:59:59 local time) of the COUNT-th working day after the day of START.

    The day of receipt itself is not counted, as in administrative practice.
    """
    day = start.astimezone(LOCAL).date()
    calendar = WorkingCalendar(day, day + datetime.timedelta(days=count * 3 + 30))
    remaining = count
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if calendar.is_working_day(day):
            remaining -= 1
    return end_of_day(day)


def is_working_day(day: datetime.date) -> bool:
    return WorkingCalendar(day, day).is_working_day(day)
