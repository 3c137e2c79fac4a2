"""One item of a person's work list (the home page): what to do, about what, by when, and the one tap
that does it. The apps that hand out work (cases, plans, reports) make these; the home shows them."""

import contextlib
import datetime
from dataclasses import dataclass

from redis.exceptions import RedisError

from .urgency import Urgency


@dataclass(frozen=True)
class WorkItem:
    section: str  # the heading it is listed under, e.g. "Kế hoạch chờ phê duyệt"
    title: str  # what it is about: a case reference, an agency, a report
    detail: str  # the step to take, in words
    url: str  # where the step is taken
    action: str  # the button's words
    due_at: datetime.datetime | None = None
    urgency: Urgency | None = None
    who: str = ""  # who else it concerns (the responsible officer, a commune), when useful
    danger: bool = False  # a child said to be in danger right now: before anything else, overdue steps included

    @property
    def sort_key(self) -> tuple:
        rank = self.urgency.rank if self.urgency else 9
        due = self.due_at.timestamp() if self.due_at else float("inf")
        return (not self.danger, rank, due, self.title)


@dataclass(frozen=True)
class Section:
    """A heading of the work list with its items (the most urgent first) and what appears there when empty."""

    key: str
    title: str
    items: list
    empty: str
    more_url: str = ""
    total: int = 0


CACHE_ERRORS = (RedisError, OSError)
# How many items a section lists; the rest are counted, with a link to the full list.
SHOWN = 10


def section(key: str, title: str, items: list[WorkItem], empty: str, more_url: str = "") -> Section:
    """A heading of the work list: its items most urgent first, the first SHOWN of them, and the count."""
    items = sorted(items, key=lambda item: item.sort_key)
    return Section(key=key, title=title, items=items[:SHOWN], empty=empty, more_url=more_url, total=len(items))


# The menu shows how much work waits; the count is kept a minute, and forgotten when a notice arrives.
COUNT_SECONDS = 60


def _count_key(user_id: int) -> str:
    return f"work-count:{user_id}"


def _unread_key(user_id: int) -> str:
    return f"unread-count:{user_id}"


_MENU_ATTRIBUTE = "_baove_menu_figures"


def _kept_figures(user) -> dict:
    """The menu's two kept figures (work waiting, unread notices) in one round trip, once per user object (i.e.
    per request): every page shows both."""
    from django.core.cache import cache

    figures = getattr(user, _MENU_ATTRIBUTE, None)
    if figures is None:
        try:
            figures = cache.get_many([_count_key(user.pk), _unread_key(user.pk)])
        except CACHE_ERRORS:  # the menu's figures must never break a page: Redis may be down
            figures = {}
        setattr(user, _MENU_ATTRIBUTE, figures)
    return figures


def _kept_figure(user, key: str, compute, *, holds=lambda value: True):
    """One of the menu's figures: the kept one while it HOLDS, else COMPUTE()'s, kept a minute (the cache
    failing is not fatal)."""
    from django.core.cache import cache

    figures = _kept_figures(user)
    value = figures.get(key)
    if value is None or not holds(value):
        value = figures[key] = compute()
        with contextlib.suppress(CACHE_ERRORS):
            cache.set(key, value, COUNT_SECONDS)
    return value


def cached_count(user, compute) -> int:
    """The user's count of waiting work, from the cache when fresh."""
    return _kept_figure(user, _count_key(user.pk), compute)


def cached_unread(user, compute) -> int:
    """The bell's count of unread notices: COMPUTE gives (count, when the next held notice appears or None);
    kept until then, a minute at most, or until forgotten."""
    from django.utils import timezone

    return _kept_figure(
        user, _unread_key(user.pk), compute, holds=lambda value: value[1] is None or value[1] > timezone.now()
    )[0]


def remember_count(user, value: int) -> None:
    """The home page has just counted the work: the menu uses that count."""
    from django.core.cache import cache

    _kept_figures(user)[_count_key(user.pk)] = value
    with contextlib.suppress(CACHE_ERRORS):
        cache.set(_count_key(user.pk), value, COUNT_SECONDS)


def forget_kept_figures(user) -> None:
    """The figures this request read for USER are stale (it has just read notices): read them again."""
    if hasattr(user, _MENU_ATTRIBUTE):
        delattr(user, _MENU_ATTRIBUTE)


def forget_counts(user_ids) -> None:
    """The users' menu figures (work waiting, unread notices) are read again on their next page."""
    from django.core.cache import cache

    with contextlib.suppress(CACHE_ERRORS):
        cache.delete_many([key(pk) for pk in user_ids for key in (_count_key, _unread_key)])


def forget_unread(user_ids) -> None:
    from django.core.cache import cache

    with contextlib.suppress(CACHE_ERRORS):
        cache.delete_many([_unread_key(pk) for pk in user_ids])
