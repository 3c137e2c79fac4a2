"""Vietnam's working days: weekends and public holidays (lunar Tết included) from the `holidays`
package, corrected by the administrators' CalendarDay rows."""

import datetime
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

from . import config_cache
from .models import CalendarDay

LOCAL = ZoneInfo(settings.TIME_ZONE)


_OFFICIAL: dict[tuple[int, int], holidays.HolidayBase] = {}


def _official(first_year: int, last_year: int) -> holidays.HolidayBase:
    """The package's holidays for the years, made once per process (they never change)."""
    key = (first_year, last_year)
    if key not in _OFFICIAL:
        _OFFICIAL[key] = holidays.country_holidays("VN", years=range(first_year, last_year + 1))
    return _OFFICIAL[key]


def _corrections() -> dict[datetime.date, bool]:
    """Every correction (a short table), kept while no correction changes (config_cache)."""
    return config_cache.cached(
        "calendar", None, lambda: dict(CalendarDay.objects.values_list("date", "is_working_day"))
    )


class WorkingCalendar:
    """The package's holidays plus the administrators' corrections, by date."""

    def __init__(self, start: datetime.date, end: datetime.date):
        self._official = _official(start.year, end.year + 1)
        self._corrections = _corrections()

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
