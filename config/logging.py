"""Keeps personal data out of the logs: the code never logs a child's name, and this filter blanks what
could still slip through a message or its arguments: personal ID numbers, phone numbers, email addresses."""

import logging
import re
import time

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

PATTERNS = (
    (re.compile(r"(?<!\d)\d{12}(?!\d)"), "[personal-id]"),  # số định danh cá nhân
    (re.compile(r"(?<![\w+])(?:\+?84|0)(?:[\s.-]?\d){9,10}(?!\d)"), "[phone]"),
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "[email]"),
)


def scrub(text: str) -> str:
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class ScrubPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = ()
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True


class CacheOutage(logging.Filter):
    """django-redis logs every Redis error it ignores with a traceback: while Redis is down that is every
    request. Keep one warning a minute, without the traceback (the cache failing open is expected)."""

    interval_seconds = 60.0

    def __init__(self, name: str = ""):
        super().__init__(name)
        self._last = -self.interval_seconds

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        if now - self._last < self.interval_seconds:
            return False
        self._last = now
        error = record.exc_info[1] if record.exc_info else None
        cause = error.__cause__ or error if error is not None else None
        record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
        record.msg = "cache (Redis) unavailable, going on without it: %s"
        record.args = (f"{type(cause).__name__}: {cause}" if cause is not None else "unknown error",)
        record.exc_info, record.exc_text = None, None
        return True


class JsonFormatter(_JsonFormatter):
    """One JSON object a line (python-json-logger) for the log collector: time, level, logger, message and the
    record's extra fields. Every string is scrubbed as the filter scrubs the message (a traceback too); an extra
    that is not a plain value (Django's `request`, whose text holds the query string a name was searched by) is
    shown by its type only."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger", "asctime": "time"})
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s", *args, **kwargs)

    def process_log_record(self, log_data: dict) -> dict:
        return {key: _plain(value) for key, value in log_data.items()}


def _plain(value):
    if isinstance(value, str):
        return scrub(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return f"<{type(value).__name__}>"
