"""Pieces of HTML rendered once per process for the values they show.

Django's templates cost more than many a page's content: the navigation bar's forty links and conditions, the
offline banner's words, an empty filter form's hundred options. What they show depends on a few values only
(the language, the person's roles, the choices offered), so the HTML made for those values is kept and reused
by every later page of this process. Bounded: emptied when full (people, choices and languages come and go).
"""

from collections.abc import Callable, Hashable

from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language

KEPT = 2048  # a few kilobytes each (a national filter form a few hundred): tens of megabytes at most
_made: dict[tuple, str] = {}


def rendered_once(template_name: str, key: Hashable, values: Callable[[], dict]) -> str:
    """TEMPLATE_NAME rendered with VALUES() (no request: nothing per page, like a CSRF token, may be in it),
    once per KEY, the language and the URL prefix."""
    full_key = (template_name, get_language(), get_script_prefix(), get_urlconf(), key)
    html = _made.get(full_key)
    if html is None:
        html = render_to_string(template_name, values())
        if len(_made) >= KEPT:
            _made.clear()
        _made[full_key] = html
    return html
