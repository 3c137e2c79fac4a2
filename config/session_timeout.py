"""Ends a browser session after a while without activity, and after a maximum length in any case.

Field staff use shared and personal phones: a forgotten open session must not stay open on a child's
file. API tokens are not sessions and are untouched.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

LAST_SEEN, STARTED = "_baove_last_seen", "_baove_started"
# The time of the last activity is written again once it is this old, not on every page: each writing is an
# UPDATE of the session's row and a commit, on every page a person opens (a national instance's busiest write).
# An idle session therefore ends up to this much sooner than SESSION_IDLE_TIMEOUT says.
LAST_SEEN_EVERY = 60


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            started = request.session.setdefault(STARTED, now)
            last_seen = request.session.get(LAST_SEEN, now)
            idle = now - last_seen > settings.SESSION_IDLE_TIMEOUT.total_seconds()
            expired = now - started > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
            if idle or expired:
                logout(request)
                messages.info(
                    request,
                    _("Your session ended after a period without activity. Please log in again.")
                    if idle
                    else _("Your session reached its maximum length. Please log in again."),
                )
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
            if LAST_SEEN not in request.session or now - last_seen >= LAST_SEEN_EVERY:
                request.session[LAST_SEEN] = now
        return self.get_response(request)
