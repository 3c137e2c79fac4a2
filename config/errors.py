"""Error answers: JSON for API clients (never an HTML page), a plain page in Vietnamese and English for
people, and the right status for what went wrong.

- a part that is really down (the database, Redis where it is still needed): 503 with Retry-After;
- the disk full while a file was written: 507, and nothing was saved;
- a file that could not be written for another reason: 503;
- anything else: 500, logged with its traceback by Django.

Django calls these handlers (config.urls: handler400 … handler500) for exceptions that escaped a view
or a middleware; the API's exception handler (config.api) uses `classify` for those raised in DRF views.
"""

import sys
from dataclasses import dataclass

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import TemplateDoesNotExist, loader
from django.utils.translation import gettext as _
from django.views import defaults
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .storage import FileNotStored, is_disk_full

RETRY_AFTER_SECONDS = 30


def wants_json(request) -> bool:
    """API paths always; pages' own fetch() calls ask for JSON in their Accept header."""
    if request.path.startswith("/api/"):
        return True
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


@dataclass(frozen=True)
class Failure:
    status: int
    code: str
    message: str
    retry_after: int | None = None


def classify(error: BaseException) -> Failure | None:
    """The answer for a failure of a part of the system, or None for a plain bug (500)."""
    if is_disk_full(error):
        return Failure(
            507,
            "insufficient_storage",
            _(
                "The file could not be saved: the server's disk is full. Nothing was saved. "
                "Tell your system administrator, then try again."
            ),
        )
    if isinstance(error, FileNotStored):
        return Failure(
            503,
            "file_not_stored",
            _("The file could not be saved on the server. Nothing was saved. Please try again in a few minutes."),
            RETRY_AFTER_SECONDS,
        )
    if isinstance(error, OperationalError | InterfaceError | RedisConnectionError | RedisTimeoutError):
        return Failure(
            503,
            "unavailable",
            _("BaoVe is temporarily unavailable. What was saved before is intact. Please try again in a few minutes."),
            RETRY_AFTER_SECONDS,
        )
    return None


def json_failure(failure: Failure) -> JsonResponse:
    response = JsonResponse({"detail": failure.message, "code": failure.code}, status=failure.status)
    if failure.retry_after:
        response["Retry-After"] = str(failure.retry_after)
    return response


def _json(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"detail": message, "code": code}, status=status)


def bad_request(request, exception=None):
    if wants_json(request):
        return _json(400, "bad_request", _("The request could not be read."))
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if wants_json(request):
        return _json(403, "permission_denied", str(exception or "") or _("Your role does not allow this."))
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if wants_json(request):
        return _json(404, "not_found", _("Not found."))
    return defaults.page_not_found(request, exception)


def server_error(request):
    """Called by Django inside its `except` block: sys.exc_info() is the failure being answered."""
    failure = classify(sys.exc_info()[1])
    if wants_json(request):
        if failure is None:
            return _json(500, "server_error", _("BaoVe could not handle this request. Please try again later."))
        return json_failure(failure)
    if failure is None:
        return defaults.server_error(request)
    return _page_failure(request, failure)


def _page_failure(request, failure: Failure):
    if failure.status == 507:
        response = render(request, "507.html", {"message": failure.message}, status=507)
    else:
        # The database may be the part that is down: 500.html needs no context and no query.
        try:
            template = loader.get_template("500.html")
        except TemplateDoesNotExist:
            return defaults.server_error(request)
        response = HttpResponse(template.render(), status=failure.status)
    if failure.retry_after:
        response["Retry-After"] = str(failure.retry_after)
    return response


class Conflict(Exception):
    """The object changed since the user loaded it: their change is refused, nothing is overwritten.

    Pages keep what was typed and say so; the API answers 409.
    """

    def __init__(self, message: str | None = None):
        default = _(
            "Someone else changed this case file while you were working on it. Reload the page to see their change."
        )
        super().__init__(message or default)
