"""The navigation bar and the offline banner of every page, rendered once per process for each thing they show
(config/fragments.py).

Its forty links, menu words and conditions cost more than many a page's content; what it shows depends on
a few values only (the language, the menu entries the person's roles open, their name and first two
memberships, the two counts), so the HTML made for those values is kept and reused. The logout form's CSRF
token, different on every page, is put in afterwards.
"""

from django import template
from django.utils.safestring import SafeString

from config.fragments import rendered_once

register = template.Library()

_TOKEN = "baove-navbar-csrf-token"  # noqa: S105 - a marker replaced by the real token, not a secret


def _key(context) -> tuple:
    user = context.get("user")
    nav = context.get("nav") or {}
    authenticated = bool(user is not None and user.is_authenticated)
    if context.get("kept_on_phone"):
        # A page the offline app keeps on the phone: shown later to whoever opens it without signal, so it
        # says nothing of the person it was fetched for (name, roles, counts).
        return (authenticated, "kept", tuple(sorted(nav.items())))
    memberships = tuple(
        (str(membership.get_role_display()), str(membership.unit) if membership.unit is not None else None)
        for membership in list(context.get("my_memberships") or [])[:2]
    )
    person = (user.get_full_name(), user.get_username()) if authenticated else None
    counts = (context.get("work_count"), context.get("unread_notifications"))
    return (authenticated, person, counts, tuple(sorted(nav.items())), memberships)


@register.simple_tag(takes_context=True)
def navbar(context) -> SafeString:
    def values():
        if context.get("kept_on_phone"):
            return {"user": context.get("user"), "nav": context.get("nav"), "kept_on_phone": True, "csrf_token": _TOKEN}
        names = ("user", "nav", "my_memberships", "work_count", "unread_notifications")
        return {**{name: context.get(name) for name in names}, "csrf_token": _TOKEN}

    html = rendered_once("_navbar.html", _key(context), values)
    token = context.get("csrf_token")
    token = str(token) if token else ""
    if token and token != "NOTPROVIDED":  # noqa: S105 - Django's word for "no token", not a secret
        return SafeString(html.replace(_TOKEN, token))  # letters and digits: nothing to escape
    # As {% csrf_token %} does without a token (a page rendered outside a request): no input at all.
    return SafeString(html.replace(f'<input type="hidden" name="csrfmiddlewaretoken" value="{_TOKEN}">', ""))


@register.simple_tag(takes_context=True)
def offline_banner(context) -> SafeString:
    """The banner shown when the phone has no signal (hidden until then) and the offline app's words: the
    same for every page of a person, by their roles."""
    user = context.get("user")
    nav = context.get("nav") or {}
    return SafeString(
        rendered_once("offline/_banner.html", (user.pk, tuple(sorted(nav.items()))), lambda: {"user": user, "nav": nav})
    )
