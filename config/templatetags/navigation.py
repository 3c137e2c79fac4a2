"""The navigation bar of every page, rendered once per process for each thing it shows.

Its forty links, menu words and conditions cost more than many a page's content; what it shows depends on
a few values only (the language, the menu entries the person's roles open, their name and first two
memberships, the two counts), so the HTML made for those values is kept and reused. The logout form's CSRF
token, different on every page, is put in afterwards.
"""

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()

# About 6 KB each: a few megabytes at most; emptied when full (people × counts × languages come and go).
KEPT = 1024
_made: dict[tuple, str] = {}
_TOKEN = "baove-navbar-csrf-token"  # noqa: S105 - a marker replaced by the real token, not a secret


def _key(context) -> tuple:
    user = context.get("user")
    nav = context.get("nav") or {}
    memberships = tuple(
        (str(membership.get_role_display()), str(membership.unit) if membership.unit is not None else None)
        for membership in list(context.get("my_memberships") or [])[:2]
    )
    authenticated = bool(user is not None and user.is_authenticated)
    person = (user.get_full_name(), user.get_username()) if authenticated else None
    counts = (context.get("work_count"), context.get("unread_notifications"))
    return (get_language(), get_script_prefix(), get_urlconf(), authenticated, person, counts,
            tuple(sorted(nav.items())), memberships)  # fmt: skip


@register.simple_tag(takes_context=True)
def navbar(context) -> SafeString:
    key = _key(context)
    html = _made.get(key)
    if html is None:
        values = {
            name: context.get(name) for name in ("user", "nav", "my_memberships", "work_count", "unread_notifications")
        }
        html = render_to_string("_navbar.html", {**values, "csrf_token": _TOKEN})
        if len(_made) >= KEPT:
            _made.clear()
        _made[key] = html
    token = context.get("csrf_token")
    token = str(token) if token else ""
    if token and token != "NOTPROVIDED":  # noqa: S105 - Django's word for "no token", not a secret
        return SafeString(html.replace(_TOKEN, token))  # letters and digits: nothing to escape
    # As {% csrf_token %} does without a token (a page rendered outside a request): no input at all.
    return SafeString(html.replace(f'<input type="hidden" name="csrfmiddlewaretoken" value="{_TOKEN}">', ""))
