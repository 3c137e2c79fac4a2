"""Protection of the pages anyone may use without signing in (the public reporting page), without any
third-party service: a proof-of-work challenge (ALTCHA, self-hosted: the `altcha` package makes and
checks it, the vendored web component solves it in the browser), and rate limits per address kept in the
cache. Both degrade like the rest of the cache: with Redis down, a limit lets the call through and a
solved challenge cannot be marked used (it still expires after CHALLENGE_SECONDS)."""

import contextlib
import datetime
import secrets
import time

import altcha
from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac
from redis.exceptions import RedisError

CACHE_ERRORS = (RedisError, OSError)

CHALLENGE_SECONDS = 10 * 60
ALGORITHM = "SHA-256"


def _secret() -> str:
    configured = getattr(settings, "ALTCHA_HMAC_KEY", "")
    return configured or salted_hmac("baove.altcha", "challenge").hexdigest()


def challenge_create() -> dict:
    """A signed challenge for the widget: the browser must find a counter (about half of
    POW_MAX_COUNTER hashes on average), the server checks it with one."""
    top = max(int(getattr(settings, "PUBLIC_REPORT_POW_MAX_COUNTER", 50_000)), 2)
    counter = top // 5 + secrets.randbelow(top - top // 5)
    challenge = altcha.create_challenge(
        ALGORITHM,
        1,
        counter=counter,
        hmac_secret=_secret(),
        expires_at=int(time.time()) + CHALLENGE_SECONDS,
    )
    return challenge.to_dict()


def challenge_verify(payload: str) -> bool:
    """Whether PAYLOAD (the widget's hidden field) solves a challenge of ours, unexpired and not used before."""
    if not payload or len(payload) > 4000:
        return False
    result = altcha.verify_solution(payload, _secret())
    if not result.verified:
        return False
    signature = altcha.Payload.from_base64(payload).challenge.signature
    try:
        first_use = cache.add(f"altcha-used:{signature}", 1, CHALLENGE_SECONDS + 60)
    except CACHE_ERRORS:
        first_use = None
    return first_use is not False  # None: the cache is down, the expiry still bounds a replay


def client_address(request) -> str:
    """The caller's address: REMOTE_ADDR, which the reverse proxy sets (never a header the client sends)."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def rate_limit_exceeded(scope: str, address: str, *, limit: int, window: datetime.timedelta) -> bool:
    """Count one more call of ADDRESS on SCOPE in a fixed window; True when it goes past LIMIT.
    With the cache down the count is unknown and the call goes through (it must not stop a report)."""
    key = f"rate:{scope}:{address}:{int(time.time() // window.total_seconds())}"
    count = None
    with contextlib.suppress(*CACHE_ERRORS, ValueError):
        cache.add(key, 0, int(window.total_seconds()) + 1)
        count = cache.incr(key)
    return count is not None and count > limit
