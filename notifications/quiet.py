"""Reminders that are not urgent wait for working hours: outside a province's hours (07:00–21:00 by
default, Asia/Ho_Chi_Minh) and on non-working days they are released at the start of the next working
period. Urgent messages and emergencies are never held; deadlines themselves never move."""

import datetime

from django.conf import settings

from .calendar import LOCAL, WorkingCalendar
from .models import WorkingHours


def _default_hours() -> tuple[datetime.time, datetime.time] | None:
    if not settings.REMINDER_HOURS:
        return None  # held never (a test that follows notices at whatever hour it runs)
    starts, ends = settings.REMINDER_HOURS
    return datetime.time.fromisoformat(starts), datetime.time.fromisoformat(ends)


class ReminderHours:
    """The working hours of a batch's provinces (one query) and the working-day calendar (one more)."""

    def __init__(self, province_ids, now: datetime.datetime):
        self.now = now
        self.default = _default_hours()
        self.hours = {
            row.province_id: (row.starts, row.ends)
            for row in WorkingHours.objects.filter(province_id__in={pk for pk in province_ids if pk})
        }
        today = now.astimezone(LOCAL).date()
        self.calendar = WorkingCalendar(today, today + datetime.timedelta(days=30))

    def release_at(self, province_id: int | None) -> datetime.datetime | None:
        """None when a reminder may go now; else when the next working period of the province starts."""
        if self.default is None:
            return None
        starts, ends = self.hours.get(province_id, self.default)
        local = self.now.astimezone(LOCAL)
        day = local.date()
        if self.calendar.is_working_day(day) and starts <= local.time() < ends:
            return None
        if not (self.calendar.is_working_day(day) and local.time() < starts):
            day += datetime.timedelta(days=1)
            while not self.calendar.is_working_day(day):
                day += datetime.timedelta(days=1)
        return datetime.datetime.combine(day, starts, tzinfo=LOCAL)
