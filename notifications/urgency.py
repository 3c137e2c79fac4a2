"""How urgent a deadline is, in words and colour: "quá hạn 2 ngày", "hạn hôm nay 17:00", "còn 3 ngày làm
việc". One clock per page: the working-day calendar is read once for all its deadlines."""

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from . import config_cache
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


# ngettext's answers by (language, singular, count): a few hundred at most (counts of days and hours).
_PLURALS: dict[tuple[str | None, str, int], str] = {}


def _totals(today: datetime.date, end: datetime.date) -> list[int]:
    """The number of working days after TODAY up to each day until END (index: days after today)."""
    calendar = WorkingCalendar(today, end)
    totals, count, current = [0], 0, today
    while current < end:
        current += datetime.timedelta(days=1)
        count += calendar.is_working_day(current)
        totals.append(count)
    return totals


def next_midnight(now: datetime.datetime) -> datetime.datetime:
    """The start of the local day after NOW's: every count of days changes then."""
    tomorrow = now.astimezone(LOCAL).date() + datetime.timedelta(days=1)
    return datetime.datetime.combine(tomorrow, datetime.time(), tzinfo=LOCAL)


def next_change(due_at: datetime.datetime, starts_at: datetime.datetime, now: datetime.datetime) -> datetime.datetime:
    """The first instant after NOW at which what a page says of an open deadline due at DUE_AT (allowed from
    STARTS_AT) may differ from what it says at NOW — Clock.of's level and words, deadline_status's status: a
    badge made at NOW holds until then. Early rather than late: the next local midnight (days counted, "due
    today"), each whole hour from the due time within a day of it (hours left, hours overdue), the due time,
    the start of "due soon". A change that comes just after a moment (a deadline is overdue once its due time
    has passed) is at that moment and a microsecond, the first instant with the new words."""
    hour, day, instant = datetime.timedelta(hours=1), datetime.timedelta(days=1), datetime.timedelta(microseconds=1)
    soon = due_at - max((due_at - starts_at) / 4, 2 * hour)  # as deadline_status (notifications.selectors)
    moments = [next_midnight(now), soon, due_at + instant, due_at + day, due_at - day + instant]
    left, late = due_at - now, now - due_at
    if datetime.timedelta(0) < left <= day:  # "N hours left" drops once fewer than N whole hours are left
        moments.append(due_at - (left // hour) * hour + instant)
    if datetime.timedelta(0) < late < day:  # "overdue by N hours" grows at each whole hour past the due time
        moments.append(due_at + (late // hour + 1) * hour)
    return min(moment for moment in moments if moment > now)


class Clock:
    """Tells, for due times, how urgent each is now (local time, working days)."""

    def __init__(self, now: datetime.datetime | None = None, *, working_days: bool = True):
        """WORKING_DAYS=False counts calendar days (no calendar to read: for long lists)."""
        self.now = now or timezone.now()
        self.working_days = working_days
        self.today = self.now.astimezone(LOCAL).date()
        self._totals: list[int] = [0]
        self._language = get_language()

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """ngettext, remembered by the process for the page's language: a list's badges repeat a few counts, and
        each lookup of the active language goes through asgiref's context-local storage. (Named so that
        makemessages finds the words.)"""
        key = (self._language, singular, count)
        if key not in _PLURALS:
            _PLURALS[key] = ngettext(singular, plural, count)
        return _PLURALS[key]

    def _working_days_until(self, day: datetime.date) -> int:
        """Working days after today up to and including DAY: running totals from today on, kept by the process
        for the day while the calendar's corrections hold (config_cache)."""
        offset = (day - self.today).days
        if offset <= 0:
            return 0
        if offset >= len(self._totals):
            end = max(day, self.today + datetime.timedelta(days=60))
            self._totals = config_cache.cached(
                "working-day-totals", (self.today, end), lambda: _totals(self.today, end)
            )
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
