"""Request-wide rules kept in one place for pages and API alike.

- RefuseControlCharactersMiddleware: a NUL or another control character in a query parameter, a form
  field or a JSON string never reaches the database (Django's parser already drops them from uploaded
  files' names). PostgreSQL refuses NUL
  in text (a 500 before this), lone surrogates cannot even be encoded, and the other control
  characters are invisible junk in a case file. The request is refused with a 400 naming the field.
- NoStoreMiddleware: no browser, proxy or shared phone keeps a copy of a page, an API answer or a
  download: every response but static files carries Cache-Control: no-store.
- FriendlyErrorPagesMiddleware: the demo (DEBUG) shows the same 404 and 500 pages as production.
"""

import json
import logging
import re

from django.conf import settings
from django.core.exceptions import BadRequest, MiddlewareNotUsed, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpResponse, JsonResponse, QueryDict
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from . import errors
from .errors import wants_json

logger = logging.getLogger("django.request")

# C0 controls but tab, line feed and carriage return (text areas send them), DEL, the C1 controls
# and UTF-16 surrogates (a JSON "\ud800" decodes to one and cannot be stored).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _printable(name: str) -> str:
    """The field's name as it can be shown: its own control characters made visible."""
    return CONTROL_CHARACTERS.sub(lambda match: f"\\x{ord(match.group()):02x}", name)[:100]


def _first_in_json(value, path: str = "") -> str | None:
    """The path of the first key or string holding a control character (children[0].full_name)."""
    if isinstance(value, str):
        return path if CONTROL_CHARACTERS.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if CONTROL_CHARACTERS.search(str(key)):
                return where
            if found := _first_in_json(item, where):
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if found := _first_in_json(item, f"{path}[{index}]"):
                return found
    return None


def _first_in_query(data: QueryDict) -> str | None:
    for key, values in data.lists():
        if CONTROL_CHARACTERS.search(key) or any(CONTROL_CHARACTERS.search(value) for value in values):
            return key
    return None


def first_bad_field(request) -> str | None:
    """The name of the first parameter, field or JSON member holding a control character, or None."""
    if found := _first_in_query(request.GET):
        return found
    content_type = request.content_type or ""
    if content_type in FORM_TYPES:
        if request.method == "POST":
            form = request.POST
        elif content_type == FORM_TYPES[0]:
            form = QueryDict(request.body)
        else:
            return None  # multipart outside POST: not parsed by Django, not used by BaoVe
        if found := _first_in_query(form):
            return found
    elif content_type == "application/json" or content_type.endswith("+json"):
        try:
            document = json.loads(request.body or b"null")
        except ValueError:
            return None  # not JSON at all: the view answers that
        return _first_in_json(document)
    return None


class RefuseControlCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = first_bad_field(request)
        if field is None:
            return self.get_response(request)
        shown = _printable(field)
        message = _(
            "“%(field)s” contains an invisible control character (such as NUL) that cannot be stored. "
            "Remove it (type the text again rather than pasting it) and send again. Nothing was saved."
        ) % {"field": shown}
        if wants_json(request):
            return JsonResponse({shown: [message]}, status=400)
        # Rendered without the request: the user is not known yet at this point, and need not be.
        return HttpResponse(render_to_string("400.html", {"message": message}), status=400)


class NoStoreMiddleware:
    """Placed just after WhiteNoise, which answers static files itself and keeps their long caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


class FriendlyErrorPagesMiddleware:
    """With DEBUG on (`make run`), Django answers a missing page or another commune's case file with its
    technical 404 (the URL patterns, in English) and a bug with a traceback page. The demo shows what a
    user would see instead, the pages of config.errors; the traceback still goes to the console.
    Without DEBUG, Django calls those handlers itself and this middleware is not used."""

    def __init__(self, get_response):
        if not settings.DEBUG:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # No view matched the path: Django answered with its technical page before any view ran.
        if response.status_code == 404 and getattr(request, "resolver_match", None) is None:
            return errors.page_not_found(request, Http404())
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return errors.page_not_found(request, exception)
        if isinstance(exception, PermissionDenied | BadRequest | SuspiciousOperation):
            return None  # Django answers these with the handlers, DEBUG or not
        logger.error("Internal Server Error: %s", request.path, exc_info=exception)
        return errors.server_error(request)
