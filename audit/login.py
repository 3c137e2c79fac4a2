"""Logins, logouts, failed logins and lockouts go into the audit trail (the password never does)."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from .recorder import record


def _logged_in(sender, request, user, **kwargs):
    record("login", "user", user.pk, actor=user)


def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record("logout", "user", user.pk, actor=user)


def _failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "")
    user = get_user_model().objects.filter(username=username).first()
    record("login_failed", "user", user.pk if user else "", fields={"username": username[:150]})


def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    user = get_user_model().objects.filter(username=username or "").first()
    record("locked_out", "user", user.pk if user else "", fields={"username": (username or "")[:150]})


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="baove-audit-login")
    user_logged_out.connect(_logged_out, dispatch_uid="baove-audit-logout")
    user_login_failed.connect(_failed, dispatch_uid="baove-audit-login-failed")
    user_locked_out.connect(_locked_out, dispatch_uid="baove-audit-locked-out")
