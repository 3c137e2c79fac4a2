"""Two-factor authentication (TOTP through django-otp) for every role that can open case files.

Which roles must use a second factor is configured (settings.TWO_FACTOR_ROLES); superusers always
must. After the password, such a user is sent to set up an authenticator app (first time) or to
enter its 6-digit code; until then every page answers with a redirect and every API call made
with the session with 403. Ten single-use recovery codes are issued on set-up and can be renewed;
an administrator can reset a user's second factor (lost phone). Every change is audited.
"""

import secrets
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit import recorder as audit

from .models import StaffMembership

RECOVERY_CODE_COUNT = 10
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery"
# Paths a user may reach between the password and the second factor.
OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/jsi18n/", "/healthz")


def required_for(user) -> bool:
    """Whether this user must pass a second factor (superusers always; otherwise by role)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser and settings.TWO_FACTOR_SUPERUSERS:
        return True
    roles = set(settings.TWO_FACTOR_ROLES)
    if not roles:
        return False
    return StaffMembership.objects.filter(user=user, is_active=True, role__in=roles).exists()


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def safe_next(request, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def next_url(url_name: str, target: str) -> str:
    """URL_NAME's page with ?next=TARGET, the target quoted so that its own query string survives."""
    return f"{reverse(url_name)}?next={quote(target, safe='/')}"


class TwoFactorRequiredMiddleware:
    """Keeps a password-only session of a 2FA role away from everything but the 2FA pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
            and not user.is_verified()
            and required_for(user)
        ):
            if request.path.startswith("/api/"):
                message = _(
                    "Two-factor authentication is required: finish logging in through the web page, "
                    "or use an API token."
                )
                return JsonResponse({"detail": message, "code": "two_factor_required"}, status=403)
            target = "two_factor_verify" if has_device(user) else "two_factor_setup"
            return redirect(next_url(target, request.get_full_path()))
        return self.get_response(request)


# --- services -----------------------------------------------------------------------------------


def pending_device(user) -> TOTPDevice:
    """The unconfirmed authenticator being set up (created once, kept across reloads)."""
    device = TOTPDevice.objects.filter(user=user, name=TOTP_NAME, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def _new_recovery_codes(user) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def confirm_setup(request, token: str) -> list[str] | None:
    """Confirm the pending authenticator with its first code; returns the recovery codes, or None."""
    user = request.user
    device = pending_device(user)
    if not device.verify_token(token.strip().replace(" ", "")):
        audit.record("2fa_failed", "user", user.pk, fields={"step": "setup"})
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    otp_login(request, device)
    audit.record("2fa_enabled", "user", user.pk)
    return codes


def verify(request, token: str) -> bool:
    """Check a code from the authenticator or a recovery code (which is then used up)."""
    user = request.user
    token = token.strip().replace(" ", "").replace("-", "")
    for device in devices_for_user(user, confirmed=True):
        allowed, _data = device.verify_is_allowed()
        if allowed and device.verify_token(token):
            otp_login(request, device)
            used_recovery = isinstance(device, StaticDevice)
            audit.record("2fa_recovery" if used_recovery else "2fa_verified", "user", user.pk)
            return True
    audit.record("2fa_failed", "user", user.pk, fields={"step": "login"})
    return False


@transaction.atomic
def renew_recovery_codes(user) -> list[str]:
    codes = _new_recovery_codes(user)
    audit.record("2fa_codes", "user", user.pk)
    return codes


@transaction.atomic
def reset(*, actor, user) -> None:
    """An administrator removes a user's second factor; the user sets it up again at next login."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit.record("2fa_reset", "user", user.pk, actor=actor, fields={"by": actor.pk})


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_NAME).count()
