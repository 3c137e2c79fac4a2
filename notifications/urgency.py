"""How urgent a deadline is, in words and colour: "quá hạn 2 ngày", "hạn hôm nay 17:00", "còn 3 ngày làm
việc". One clock per page: the working-day calendar is read once for all its deadlines."""

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .calendar import LOCAL, WorkingCalendar

# Within this many working days (or hours before the due time), a deadline is "due soon".
SOON_WORKING_DAYS = 2


class Level(models.TextChoices):
    OVERDUE = "overdue", _("Overdue")
    DUE_TODAY = "due_today", _("Due today")
    DUE_SOON = "due_soon", _("Due soon")
    LATER = "later", _("Not yet due")
    MET = "met", _("Met")
    CANCELLED = "cancelled", _("Cancelled")


# Bootstrap's badge colours by level; the words always say the same thing (colour is never alone).
CSS = {
    Level.OVERDUE: "text-bg-danger",
    Level.DUE_TODAY: "text-bg-warning",
    Level.DUE_SOON: "text-bg-info",
    Level.LATER: "text-bg-light border",
    Level.MET: "text-bg-success",
    Level.CANCELLED: "text-bg-light border",
}
# The order in which work is shown: what is late first.
RANK = {Level.OVERDUE: 0, Level.DUE_TODAY: 1, Level.DUE_SOON: 2, Level.LATER: 3, Level.MET: 4, Level.CANCELLED: 5}


@dataclass(frozen=True)
class Urgency:
    level: str
    words: str
    css: str

    @property
    def rank(self) -> int:
        return RANK[self.level]


class Clock:
    """Tells, for due times, how urgent each is now (local time, working days)."""

    def __init__(self, now: datetime.datetime | None = None, *, working_days: bool = True):
        """WORKING_DAYS=False counts calendar days (no calendar to read: for long lists)."""
        self.now = now or timezone.now()
        self.working_days = working_days
        self.today = self.now.astimezone(LOCAL).date()
        self._calendar = None
        self._totals: list[int] = [0]
        self._plurals: dict[tuple[str, int], str] = {}

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """ngettext, remembered for the page: a list's badges repeat a few counts, and each lookup of the active
        language goes through asgiref's context-local storage. (Named so that makemessages finds the words.)"""
        key = (singular, count)
        if key not in self._plurals:
            self._plurals[key] = ngettext(singular, plural, count)
        return self._plurals[key]

    def _working_days_until(self, day: datetime.date) -> int:
        """Working days after today up to and including DAY (running totals kept: one calendar walk a page)."""
        offset = (day - self.today).days
        if offset <= 0:
            return 0
        if self._calendar is None or offset >= len(self._totals):
            self._calendar_end = max(day, self.today + datetime.timedelta(days=60))
            self._calendar = WorkingCalendar(self.today, self._calendar_end)
            totals, count, current = [0], 0, self.today
            while current < self._calendar_end:
                current += datetime.timedelta(days=1)
                count += self._calendar.is_working_day(current)
                totals.append(count)
            self._totals = totals
        return self._totals[offset]

    def of(self, due_at: datetime.datetime | None, *, state: str = "open") -> Urgency | None:
        if due_at is None:
            return None
        if state == "met":
            return Urgency(Level.MET, str(_("step done")), CSS[Level.MET])
        if state == "cancelled":
            return Urgency(Level.CANCELLED, str(_("cancelled")), CSS[Level.CANCELLED])
        due = due_at.astimezone(LOCAL)
        if due_at < self.now:
            late = self.now - due_at
            if late >= datetime.timedelta(days=1):
                days = (self.today - due.date()).days or 1
                words = self.ngettext("overdue by %(count)s day", "overdue by %(count)s days", days) % {"count": days}
            else:
                hours = max(1, int(late.total_seconds() // 3600))
                words = self.ngettext("overdue by %(count)s hour", "overdue by %(count)s hours", hours) % {
                    "count": hours
                }
            return Urgency(Level.OVERDUE, words, CSS[Level.OVERDUE])
        if due.date() == self.today:
            return Urgency(
                Level.DUE_TODAY, str(_("due today at %(time)s") % {"time": f"{due:%H:%M}"}), CSS[Level.DUE_TODAY]
            )
        left = due_at - self.now
        if left < datetime.timedelta(hours=24):
            hours = max(1, int(left.total_seconds() // 3600))
            words = self.ngettext("%(count)s hour left", "%(count)s hours left", hours) % {"count": hours}
            return Urgency(Level.DUE_SOON, words, CSS[Level.DUE_SOON])
        if self.working_days:
            days = self._working_days_until(due.date())
            words = self.ngettext(
                "%(count)s working day left (due %(date)s)", "%(count)s working days left (due %(date)s)", days
            ) % {"count": days, "date": f"{due:%d/%m/%Y}"}
        else:
            days = (due.date() - self.today).days
            words = self.ngettext("%(count)s day left (due %(date)s)", "%(count)s days left (due %(date)s)", days) % {
                "count": days,
                "date": f"{due:%d/%m/%Y}",
            }
        level = Level.DUE_SOON if days <= SOON_WORKING_DAYS else Level.LATER
        return Urgency(level, words, CSS[level])
