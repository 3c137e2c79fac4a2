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


def quiet_until(quiet_from: datetime.time | None, quiet_to: datetime.time | None, now: datetime.datetime):
    """None when a user's quiet hours (Asia/Ho_Chi_Minh; 22:00–06:00 crosses midnight) do not cover NOW; else
    when they end. Only SMS and Zalo messages that are not urgent wait for it."""
    if quiet_from is None or quiet_to is None or quiet_from == quiet_to:
        return None
    local = now.astimezone(LOCAL)
    moment = local.time()
    crosses_midnight = quiet_from > quiet_to
    inside = (moment >= quiet_from or moment < quiet_to) if crosses_midnight else quiet_from <= moment < quiet_to
    if not inside:
        return None
    day = local.date()
    if moment >= quiet_to:
        day += datetime.timedelta(days=1)
    return datetime.datetime.combine(day, quiet_to, tzinfo=LOCAL)
