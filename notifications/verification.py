"""A user adds a mobile number and proves it is theirs with a one-time code sent to it by SMS; only then do
SMS and Zalo messages go to it. Codes: six digits, valid 10 minutes, five tries; three codes an hour."""

import datetime
import hmac
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import province_pk_of
from agencies.models import StaffMembership

from .accounts import Accounts
from .models import PhoneChannel, PhoneVerification, Preference
from .outbox import enqueue
from .phones import normalize

CODE_LIFETIME = datetime.timedelta(minutes=10)
MAX_TRIES = 5
CODES_PER_HOUR = 3


def province_of_user(user) -> int | None:
    """The province of the user's first active membership: whose SMS account sends their code."""
    membership = StaffMembership.objects.filter(user=user, is_active=True).select_related("unit").order_by("pk").first()
    return province_pk_of(membership.unit) if membership else None


@transaction.atomic
def phone_code_send(*, user, phone: str, now: datetime.datetime | None = None) -> PhoneVerification:
    """Start verifying PHONE (as typed): a code is sent to it by SMS after the commit."""
    now = now or timezone.now()
    number = normalize(phone)
    if not number:
        raise ValidationError({"phone": [_("Enter a Vietnamese mobile number, e.g. 0912 345 678.")]})
    province = province_of_user(user)
    if Accounts(PhoneChannel.SMS, {province}).for_province(province) is None:
        raise ValidationError({"phone": [_("No SMS gateway is set up for your province yet: ask the administrator.")]})
    # One request at a time per user: two tabs cannot both slip under the hourly limit.
    Preference.objects.get_or_create(user=user)
    Preference.objects.select_for_update().get(user=user)
    recent = PhoneVerification.objects.filter(user=user, created_at__gte=now - datetime.timedelta(hours=1)).count()
    if recent >= CODES_PER_HOUR:
        raise ValidationError({"phone": [_("Too many codes were sent in the last hour. Try again later.")]})
    verification = PhoneVerification.objects.create(
        user=user, phone=number, code=f"{secrets.randbelow(10**6):06d}", expires_at=now + CODE_LIFETIME
    )
    enqueue("notifications.tasks.send_phone_code", verification.pk)
    return verification


def pending_verification(user, now=None) -> PhoneVerification | None:
    now = now or timezone.now()
    return (
        PhoneVerification.objects.filter(
            user=user, verified_at__isnull=True, expires_at__gt=now, attempts__lt=MAX_TRIES
        )
        .order_by("-created_at")
        .first()
    )


def phone_code_confirm(*, user, code: str, now: datetime.datetime | None = None) -> Preference:
    """The code typed back: the number becomes the user's verified number. A wrong try is counted (its own
    statement, kept even though an error is raised), so that six digits cannot be guessed."""
    now = now or timezone.now()
    verification = pending_verification(user, now)
    counted = verification and PhoneVerification.objects.filter(
        pk=verification.pk, attempts__lt=MAX_TRIES, verified_at__isnull=True
    ).update(attempts=F("attempts") + 1)
    if not counted:
        raise ValidationError({"code": [_("The code has expired. Ask for a new one.")]})
    verification.refresh_from_db(fields=["attempts"])
    if not hmac.compare_digest(verification.code, code.strip()):
        left = MAX_TRIES - verification.attempts
        message = (
            _("This code is not right. %(left)s tries left.") % {"left": left}
            if left > 0
            else _("This code is not right. Ask for a new one.")
        )
        raise ValidationError({"code": [message]})
    with transaction.atomic():
        verification.verified_at = now
        verification.save(update_fields=["verified_at"])
        preference, _created = Preference.objects.get_or_create(user=user)
        preference.phone, preference.phone_verified_at = verification.phone, now
        preference.save(update_fields=["phone", "phone_verified_at"])
    return preference


def phone_remove(*, user) -> Preference:
    preference, _created = Preference.objects.get_or_create(user=user)
    preference.phone, preference.phone_verified_at = "", None
    preference.sms_enabled = preference.zalo_enabled = False
    preference.save(update_fields=["phone", "phone_verified_at", "sms_enabled", "zalo_enabled"])
    return preference
