"""When a task falls due: once, within a window, or recurring from a first date until the plan ends."""

import calendar
import datetime

from .models import Recurrence, ScheduleKind

MONTHS = {Recurrence.MONTHLY: 1, Recurrence.QUARTERLY: 3, Recurrence.SEMIANNUAL: 6, Recurrence.YEARLY: 12}


def add_months(day: datetime.date, months: int) -> datetime.date:
    """DAY moved by MONTHS; the last day of a month stays the last day (30/6 + 6 months = 31/12)."""
    is_month_end = day.day == calendar.monthrange(day.year, day.month)[1]
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, last if is_month_end else min(day.day, last))


def occurrences(task, period_end: datetime.date) -> list[tuple[datetime.date | None, datetime.date]]:
    """(starts on, due date) of every occurrence of TASK within its plan's period."""
    if task.schedule_kind == ScheduleKind.ONCE:
        return [(None, task.due_date)]
    if task.schedule_kind == ScheduleKind.WINDOW:
        return [(task.window_start, task.window_end)]
    result, step, due = [], MONTHS[task.recurrence], task.first_date
    while due <= period_end:
        result.append((None, due))
        due = add_months(task.first_date, step * len(result))
    return result
