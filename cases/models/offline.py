"""The keys that encrypt what a phone keeps for offline work (static/js/offline.js)."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class OfflineKey(models.Model):
    """An AES-GCM key issued to one login on one phone. The phone keeps it as a non-extractable CryptoKey;
    revoked when that login ends (logout) or after 72 hours without a check, after which the phone wipes
    what it encrypted with it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key_id = models.UUIDField(unique=True)
    material = models.BinaryField()  # 32 random bytes, handed over only to their own user
    session_key = models.CharField(max_length=40, db_index=True)
    created_at = models.DateTimeField()
    checked_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=models.F("created_at")),
                name="offline_key_revoked_after_created",
            ),
        ]
