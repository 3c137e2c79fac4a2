import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import Expression, OuterRef
from django.db.models.functions import JSONObject
from django.utils import timezone

from .models import Deadline, DeadlineState


@dataclass(frozen=True)
class DeadlineView:
    deadline: Deadline
    status: str  # "met", "cancelled", "overdue", "due_soon", "due"


@dataclass(frozen=True, slots=True)
class OpenDeadline:
    """An open deadline as a list shows it: plain values (a list of fifty case files holds about as many
    deadlines, and building a model object for each cost more than reading them)."""

    target_id: int
    kind: str
    starts_at: datetime.datetime
    due_at: datetime.datetime
    state: str = DeadlineState.OPEN


def deadline_status(deadline: Deadline | OpenDeadline, now: datetime.datetime | None = None) -> str:
    """Overdue past the due time; due soon in the last quarter of the allowed time (at least 2 hours)."""
    if deadline.state != DeadlineState.OPEN:
        return deadline.state
    now = now or timezone.now()
    if now > deadline.due_at:
        return "overdue"
    span = deadline.due_at - deadline.starts_at
    if deadline.due_at - now <= max(span / 4, datetime.timedelta(hours=2)):
        return "due_soon"
    return "due"


def deadlines_of(target, now=None) -> list[DeadlineView]:
    rows = Deadline.objects.filter(target_type=ContentType.objects.get_for_model(target), target_id=target.pk).order_by(
        "due_at"
    )
    return [DeadlineView(row, deadline_status(row, now)) for row in rows]


def open_deadlines_for_targets(model, ids) -> dict[int, list[OpenDeadline]]:
    """Open deadlines of many targets in one query, for list pages (soonest due first)."""
    result: dict[int, list[OpenDeadline]] = {}
    rows = (
        Deadline.objects.filter(
            target_type=ContentType.objects.get_for_model(model),
            target_id__in_array=list(ids),
            state=DeadlineState.OPEN,
        )
        .order_by("due_at")
        .values_list("target_id", "kind", "starts_at", "due_at")
    )
    for row in rows:
        result.setdefault(row[0], []).append(OpenDeadline(*row))
    return result


def open_deadlines_column(model, using: str) -> Expression | None:
    """The open deadlines of each row of MODEL as a column of its own query (soonest due first), for a list
    page that reads them with its rows instead of in a query of their own; turned into OpenDeadline by
    `open_deadlines_in`. PostgreSQL only (an array of JSON objects): None on another database, where the list
    asks `open_deadlines_for_targets`."""
    if connections[using].vendor != "postgresql":
        return None
    from django.contrib.postgres.expressions import ArraySubquery

    return ArraySubquery(
        Deadline.objects.filter(
            target_type_id=ContentType.objects.get_for_model(model).pk,
            target_id=OuterRef("pk"),
            state=DeadlineState.OPEN,
        )
        .order_by("due_at")
        .values(deadline=JSONObject(kind="kind", starts_at="starts_at", due_at="due_at"))
    )


def open_deadlines_in(target_id: int, column: list[dict] | None) -> list[OpenDeadline]:
    """The value of `open_deadlines_column` for one row. Its times come as ISO 8601 text in the connection's
    time zone (UTC), parsed here by the standard library's C parser."""
    parse = datetime.datetime.fromisoformat
    return [
        OpenDeadline(target_id, item["kind"], parse(item["starts_at"]), parse(item["due_at"])) for item in column or ()
    ]


def _delivered(now=None):
    """Notifications whose time has come (a held reminder appears at the start of working hours)."""
    from django.db.models import Q

    return Q(deliver_at__isnull=True) | Q(deliver_at__lte=now or timezone.now())


def notifications_for(user, *, escalations_only: bool = False):
    from .models import Notification

    rows = Notification.objects.filter(_delivered(), user=user)
    if escalations_only:
        rows = rows.filter(deadline__isnull=False)
    return rows.order_by("read_at", "-created_at")


def unread_count(user) -> int:
    """The bell's figure: the user's unread notices whose time has come. Kept a minute in the shared cache with
    the time the next held notice appears (which ends it sooner); forgotten when a notice arrives or is read."""
    from .work import cached_unread

    return cached_unread(user, lambda: _unread_figures(user))


def _unread_figures(user) -> tuple[int, datetime.datetime | None]:
    """(unread notices shown now, when the next held one appears) in one query."""
    from django.db.models import Count, Min, Q

    from .models import Notification

    now = timezone.now()
    figures = Notification.objects.filter(user=user, read_at__isnull=True).aggregate(
        shown=Count("pk", filter=_delivered(now)), next_at=Min("deliver_at", filter=Q(deliver_at__gt=now))
    )
    return figures["shown"], figures["next_at"]


def fires_of(target):
    """The escalation steps fired on TARGET's deadlines, for the target's page."""
    from .models import EscalationFire

    return (
        EscalationFire.objects.filter(
            deadline__target_type=ContentType.objects.get_for_model(target), deadline__target_id=target.pk
        )
        .select_related("deadline")
        .order_by("fired_at", "position")
    )


def preference_for(user):
    from .models import Preference

    return Preference.objects.filter(user=user).first() or Preference(user=user)
