"""Keys for the phone's encrypted offline store (static/js/offline.js), and replays of what it sent.

A key is issued to one login: the phone imports it as a non-extractable CryptoKey. It is revoked when
that login logs out, and refused after 72 hours without a check; the phone then wipes what it holds.
A login that merely timed out keeps its key: after logging in again the phone's queue is still readable,
so nothing recorded in a hamlet is lost to an idle timeout.
"""

import datetime
import secrets
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.recorder import record

from ..models import OfflineKey

KEY_LIFETIME_OFFLINE = datetime.timedelta(hours=72)


class KeyRevoked(Exception):
    """The phone's key is no longer valid: it must wipe what it holds."""


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
def offline_key_check(*, actor, session_key: str, key_id) -> OfflineKey:
    """The phone's key, still valid for this user: bound to the current login. KeyRevoked otherwise."""
    key = OfflineKey.objects.select_for_update().filter(key_id=key_id, user=actor, revoked_at=None).first()
    now = timezone.now()
    if key is None:
        raise KeyRevoked
    if now - key.checked_at > KEY_LIFETIME_OFFLINE:
        key.revoked_at = now
        key.save(update_fields=["revoked_at"])
        record("revoke", "offline_key", key.pk, fields={"reason": "expired"}, actor=actor)
        raise KeyRevoked
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


def replayed(model, *, key, owner_field: str, actor):
    """The object an earlier send with this idempotency key created, or None.

    A key is the sender's: someone else's key does not return their object (None; the unique
    constraint then refuses the write)."""
    if key is None:
        return None
    return model.objects.filter(idempotency_key=key, **{owner_field: actor}).first()


def once(create, *, model, key, owner_field: str, actor):
    """Create unless a send with this key already did; two sends racing meet at the unique constraint."""
    if (earlier := replayed(model, key=key, owner_field=owner_field, actor=actor)) is not None:
        return earlier
    try:
        with transaction.atomic():
            return create()
    except IntegrityError:
        if (earlier := replayed(model, key=key, owner_field=owner_field, actor=actor)) is not None:
            return earlier
        raise


def revoke_on_logout(sender, request, user, **kwargs):
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if user is not None and session_key:
        offline_keys_revoke(actor=user, session_key=session_key)
