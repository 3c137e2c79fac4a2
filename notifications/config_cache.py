"""What every deadline computation reads and almost never changes — the working-day corrections, the
escalation ladders, the provinces' time limits, who the communes' officers are — kept in each process and
checked against one version number in the shared cache (one round trip every few seconds instead of
several queries per report). Saving or deleting any of those rows bumps the version (signals connected
by the apps that own them), so every process reads them afresh within VERSION_SECONDS. When the shared
cache is unreachable nothing is kept: every computation reads the database, as before.
"""

import contextlib
import time

from django.core.cache import cache
from redis.exceptions import RedisError

VERSION_KEY = "deadline-config-version"
CACHE_ERRORS = (RedisError, OSError)
# Another process's change is seen within this many seconds (this process's own change at once).
VERSION_SECONDS = 2.0
_LOCAL: dict[tuple, tuple] = {}
_SEEN = {"version": None, "at": -VERSION_SECONDS}


def _first_version() -> int:
    """A version never seen before (the shared cache may lose the key: a restarted Redis keeps nothing), so
    that nothing kept under an earlier one is taken for current."""
    return time.time_ns() // 1000


def _version():
    """The shared version, read at most every VERSION_SECONDS (None: the shared cache is unreachable, and
    is not asked again before then either — a hung Redis must not slow every report)."""
    now = time.monotonic()
    if now - _SEEN["at"] < VERSION_SECONDS:
        return _SEEN["version"]
    version = _read_version()
    _SEEN.update(version=version, at=now)
    return version


def _read_version():
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, _first_version(), timeout=None)
            version = cache.get(VERSION_KEY)
    except CACHE_ERRORS:
        return None
    return version


def version():
    """The shared version (None: the shared cache is unreachable): a value computed from what it guards holds
    while it does."""
    return _version()


def cached(name: str, key, compute):
    """COMPUTE()'s value for (NAME, KEY), kept in this process while the shared version holds."""
    version = _version()
    if version is None:
        return compute()
    hit = _LOCAL.get((name, key))
    if hit is not None and hit[0] == version:
        return hit[1]
    value = compute()
    _LOCAL[(name, key)] = (version, value)
    return value


def changed(*args, **kwargs) -> None:
    """A row the deadlines depend on changed (a signal receiver): every process reads afresh."""
    _LOCAL.clear()
    _SEEN.update(version=None, at=-VERSION_SECONDS)
    with contextlib.suppress(CACHE_ERRORS):
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # no version yet
            cache.add(VERSION_KEY, _first_version(), timeout=None)


def connect(*models) -> None:
    from django.db.models.signals import post_delete, post_save

    for model in models:
        post_save.connect(changed, sender=model, dispatch_uid=f"config-cache-save-{model._meta.label}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"config-cache-delete-{model._meta.label}")
