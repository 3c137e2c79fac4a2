"""Keys for the phone's encrypted offline store (static/js/offline.js), and replays of what it sent.

A key is issued to one login: the phone imports it as a non-extractable CryptoKey. It is revoked when
that login logs out, and refused after 72 hours without a check; the phone then wipes what it holds.
A login that merely timed out keeps its key: after logging in again the phone's queue is still readable,
so nothing recorded in a hamlet is lost to an idle timeout.
"""

import datetime
import secrets
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.recorder import record
from config.errors import Conflict

from ..models import OfflineKey

KEY_LIFETIME_OFFLINE = datetime.timedelta(hours=72)


@transaction.atomic
def offline_key_issue(*, actor, session_key: str) -> OfflineKey:
    now = timezone.now()
    key = OfflineKey.objects.create(
        user=actor,
        key_id=uuid.uuid4(),
        material=secrets.token_bytes(32),
        session_key=session_key,
        created_at=now,
        checked_at=now,
    )
    record("create", "offline_key", key.pk, actor=actor)
    return key


@transaction.atomic
def offline_key_check(*, actor, session_key: str, key_id) -> OfflineKey | None:
    """The phone's key, still valid for this user, now bound to the current login; None when it is not
    (the phone must wipe what it holds). A key unchecked for 72 hours is revoked here."""
    key = OfflineKey.objects.select_for_update().filter(key_id=key_id, user=actor, revoked_at=None).first()
    if key is None:
        return None
    now = timezone.now()
    if now - key.checked_at > KEY_LIFETIME_OFFLINE:
        key.revoked_at = now
        key.save(update_fields=["revoked_at"])
        record("revoke", "offline_key", key.pk, fields={"reason": "expired"}, actor=actor)
        return None
    key.checked_at = now
    key.session_key = session_key
    key.save(update_fields=["checked_at", "session_key"])
    return key


@transaction.atomic
def offline_keys_revoke(*, actor, session_key: str) -> int:
    """Revoke the keys of a login that ended (logout)."""
    keys = list(OfflineKey.objects.filter(session_key=session_key, revoked_at=None).values_list("pk", flat=True))
    if keys:
        OfflineKey.objects.filter(pk__in=keys).update(revoked_at=timezone.now())
        for pk in keys:
            record("revoke", "offline_key", pk, fields={"reason": "logout"}, actor=actor)
    return len(keys)


def replayed(model, *, key, owner_field: str, actor, scope: dict | None = None):
    """The object an earlier send with this idempotency key created, or None.

    A key is the sender's: someone else's key never returns their object (a clear refusal instead). SCOPE
    (e.g. {"case_id": 7}): what the earlier object must belong to — the same key sent for another case
    file or assignment is refused, never answered with the other one's object."""
    if key is None:
        return None
    if model.objects.filter(idempotency_key=key).exclude(**{owner_field: actor}).exists():
        raise ValidationError({"idempotency_key": [_("This key was already used by someone else.")]})
    earlier = model.objects.filter(idempotency_key=key, **{owner_field: actor}).first()
    if earlier is not None and any(getattr(earlier, name) != value for name, value in (scope or {}).items()):
        raise ValidationError({"idempotency_key": [_("This key was already used for another record.")]})
    return earlier


def once(create, *, model, key, owner_field: str, actor, scope: dict | None = None):
    """Create unless a send with this key already did; two sends racing meet at the unique constraint,
    or, for a change guarded by a version or a state, at the lock: the second then finds the version or
    the state moved on by the first, which is its own result, not a conflict."""
    if (earlier := replayed(model, key=key, owner_field=owner_field, actor=actor, scope=scope)) is not None:
        return earlier
    try:
        with transaction.atomic():
            return create()
    except IntegrityError:
        if (earlier := replayed(model, key=key, owner_field=owner_field, actor=actor, scope=scope)) is not None:
            return earlier
        if key is not None and model.objects.filter(idempotency_key=key).exists():
            raise ValidationError({"idempotency_key": [_("This key was already used by someone else.")]}) from None
        raise
    except (Conflict, ValidationError):
        if key is not None and (earlier := replayed(model, key=key, owner_field=owner_field, actor=actor, scope=scope)):
            return earlier
        raise


def revoke_on_logout(sender, request, user, **kwargs):
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if user is not None and session_key:
        offline_keys_revoke(actor=user, session_key=session_key)
