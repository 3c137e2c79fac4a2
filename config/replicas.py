"""Reads of reports, dashboards, exports and the audit search from a PostgreSQL streaming replica.

Routing is explicit, never guessed: only code inside `using_replica()` (or a view under
`reads_from_replica`) reads from the `replica` alias, and only when all of these hold:
- a replica is configured (DATABASE_REPLICA_URL);
- this request wrote nothing lately: a request with a non-safe method sets a signed cookie that keeps the
  browser's reads on the primary for REPLICA_PIN_SECONDS (read-your-writes), and a transaction open on the
  primary keeps its reads there;
- the replica answers and has replayed what the primary had written (its replay LSN reaches the primary's
  current LSN), or lags less than REPLICA_MAX_LAG_SECONDS behind. The check is made at most every
  REPLICA_CHECK_SECONDS per process; a replica that is down or lags is logged and the primary is used.
Writes always go to the primary; the replica is never migrated.
"""

import logging
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
PIN_COOKIE = "baove_primary"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")

_reads: ContextVar[str | None] = ContextVar("baove_reads", default=None)
_pinned: ContextVar[bool] = ContextVar("baove_pinned_to_primary", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@dataclass(frozen=True)
class Health:
    usable: bool
    lag_seconds: float | None
    reason: str
    checked_at: float


_health: Health | None = None
_health_lock = threading.Lock()


def _unreachable(error: DatabaseError, now: float) -> Health:
    connections[REPLICA].close()
    return Health(False, None, f"unreachable ({type(error).__name__}: {str(error).strip()[:200]})", now)


def _measure() -> Health:
    """Ask the primary for its current LSN, then the replica how far it has replayed."""
    now = time.monotonic()
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            primary_lsn = cursor.fetchone()[0]
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                """
                SELECT pg_is_in_recovery(),
                       pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn()),
                       EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())
                """,
                [primary_lsn],
            )
            in_recovery, bytes_behind, since_last_replay = cursor.fetchone()
    except DatabaseError as error:
        return _unreachable(error, now)
    if not in_recovery:
        return Health(False, None, "not a standby (promoted, or the primary itself)", now)
    if bytes_behind is not None and bytes_behind <= 0:
        return Health(True, 0.0, "caught up", now)
    lag = float(since_last_replay) if since_last_replay is not None else None
    if lag is None or lag > settings.REPLICA_MAX_LAG_SECONDS:
        shown = "unknown" if lag is None else f"{lag:.1f} s"
        return Health(False, lag, f"lags {shown} ({bytes_behind} bytes of WAL to replay)", now)
    return Health(True, lag, "within the lag bound", now)


def _kind(health: Health) -> str:
    return health.reason.split(" ", 1)[0]


def _record(current: Health) -> Health:
    """Keep the latest measure; log when the replica stops or starts being used (not on every check)."""
    global _health
    if not current.usable and (_health is None or _health.usable or _kind(_health) != _kind(current)):
        logger.warning("replica: reads go to the primary: %s", current.reason)
    elif current.usable and _health is not None and not _health.usable:
        logger.warning("replica: usable again (%s)", current.reason)
    _health = current
    return current


def replica_health(*, fresh: bool = False) -> Health:
    """The replica's state, measured at most every REPLICA_CHECK_SECONDS per process."""
    with _health_lock:
        current = _health
        if fresh or current is None or time.monotonic() - current.checked_at >= settings.REPLICA_CHECK_SECONDS:
            current = _record(_measure())
        return current


def read_alias() -> str:
    """Where a read inside `using_replica()` goes now."""
    if not replica_configured() or _pinned.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    if not replica_health().usable:
        return DEFAULT_DB_ALIAS
    try:
        # Between two checks the replica may have gone: a connection that fails here (a closed one is
        # reopened, a reused one is checked) sends the read to the primary instead of raising.
        connections[REPLICA].ensure_connection()
    except DatabaseError as error:
        with _health_lock:
            _record(_unreachable(error, time.monotonic()))
        return DEFAULT_DB_ALIAS
    return REPLICA


@contextmanager
def using_replica():
    """Reads inside go to the replica when that is safe (see the module); yields the alias chosen."""
    alias = read_alias()
    token = _reads.set(alias)
    try:
        yield alias
    finally:
        _reads.reset(token)


def reads_from_replica(view):
    """A GET view whose reads (the page rendered included) may come from the replica."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        with using_replica():
            return view(request, *args, **kwargs)

    return wrapped


class ReplicaRouter:
    """Reads inside `using_replica()` to the alias it chose; everything else to the primary."""

    def db_for_read(self, model, **hints):
        return _reads.get()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None


class ReplicaPinMiddleware:
    """Read-your-writes: after a request that may have written, this browser reads from the primary
    for REPLICA_PIN_SECONDS (a signed cookie holding the time until which)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        until = request.get_signed_cookie(PIN_COOKIE, default=None, salt=PIN_COOKIE)
        pinned = until is not None and until.isdigit() and int(until) > time.time()
        token = _pinned.set(pinned or request.method not in SAFE_METHODS)
        try:
            response = self.get_response(request)
        finally:
            _pinned.reset(token)
        if request.method not in SAFE_METHODS:
            seconds = settings.REPLICA_PIN_SECONDS
            response.set_signed_cookie(
                PIN_COOKIE,
                str(int(time.time()) + seconds),
                salt=PIN_COOKIE,
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
