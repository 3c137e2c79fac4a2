"""Recording the audit trail.

A middleware keeps the current request in a context variable, so services (writes, in their own
transaction) and the access doors (reads, refusals) record the same who/where without passing the
request around.
"""

import contextlib
import contextvars
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connections, router
from django.utils import timezone

from .models import AuditEvent

_current_request: contextvars.ContextVar = contextvars.ContextVar("baove_audit_request", default=None)
# Rows held back to be written together (see `together`); None: each row is written at once.
_held: contextvars.ContextVar = contextvars.ContextVar("baove_audit_held", default=None)


class AuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


@dataclass(frozen=True)
class Where:
    user: object
    ip: str | None
    channel: str
    path: str


def _where(actor=None) -> Where:
    request = _current_request.get()
    if request is None:
        return Where(actor, None, "task", "")
    user = actor or getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    channel = "api" if request.path.startswith("/api/") else "page"
    return Where(user, request.META.get("REMOTE_ADDR"), channel, request.path[:300])


def record(action: str, object_type: str, object_id, *, case=None, fields: dict | None = None, actor=None) -> None:
    """One row of the trail. CASE: the case file (or its id) the row speaks of, if any."""
    row = _row(_where(actor), timezone.now(), action, object_type, object_id, case, fields)
    held = _held.get()
    if held is None:
        _insert(row)
    else:
        held.append(row)


def _row(where: Where, at, action: str, object_type: str, object_id, case, fields: dict | None) -> AuditEvent:
    return AuditEvent(
        at=at,
        user=where.user,
        action=action,
        object_type=object_type,
        object_id=str(object_id or "")[:40],
        case_id=getattr(case, "pk", case),
        fields=fields or {},
        ip=where.ip,
        channel=where.channel,
        path=where.path,
    )


def _insert(row: AuditEvent) -> None:
    """ROW written by one plain INSERT: the trail is written on nearly every page, and a model's save() spent
    more time in Python than the statement spends in the database. Its values are prepared by the fields
    themselves, as save() does."""
    using = router.db_for_write(AuditEvent)
    connection = connections[using]
    fields = [field for field in AuditEvent._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    # Names from the model's own metadata, quoted; the values are parameters.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(AuditEvent._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    values = [field.get_db_prep_save(field.pre_save(row, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


# Rows of one statement in `record_each` (ten values each: well under PostgreSQL's 65,535 parameters).
EACH_BATCH = 1000


def record_each(action: str, object_type: str, cases: Iterable[int], *, fields: dict | None = None, actor=None) -> int:
    """One row per case file of CASES (its id as object and case), written in batches: a read that reaches
    many files at once (an export) shows on each file's own trail ("who has seen it"). Returns the count."""
    where = _where(actor)
    at = timezone.now()
    written, batch = 0, []
    for case_id in cases:
        batch.append(_row(where, at, action, object_type, case_id, case_id, fields))
        if len(batch) == EACH_BATCH:
            AuditEvent.objects.bulk_create(batch)
            written, batch = written + len(batch), []
    if batch:
        AuditEvent.objects.bulk_create(batch)
        written += len(batch)
    return written


@contextlib.contextmanager
def together():
    """Write the rows recorded inside in one statement when the block ends (a write that records several:
    a report with its children and case files). Nothing is written if the block fails."""
    held = []
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
    if held:
        AuditEvent.objects.bulk_create(held)
