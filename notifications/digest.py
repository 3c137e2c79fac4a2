"""The daily digest: one email per user listing what is due soon or overdue, in Vietnamese."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Notification
from .transports.email import EmailTransport


def send_digests() -> int:
    """Email every user their undigested notifications that no email already carried; returns emails sent."""
    pending = (
        Notification.objects.filter(digested_at__isnull=True, read_at__isnull=True, user__is_active=True)
        .filter(Q(deliver_at__isnull=True) | Q(deliver_at__lte=timezone.now()))
        .exclude(user__email="")
        .exclude(deliveries__channel=EmailTransport.channel)
        .select_related("user")
        .order_by("user_id", "-is_urgent", "created_at")
    )
    by_user: dict[int, list[Notification]] = {}
    for notification in pending:
        by_user.setdefault(notification.user_id, []).append(notification)
    sent = 0
    for items in by_user.values():
        user = items[0].user
        with translation.override("vi"):
            subject = render_to_string("notifications/digest_subject.txt", {"count": len(items)}).strip()
            body = render_to_string(
                "notifications/digest.txt",
                {"user": user, "items": items, "base_url": settings.BAOVE_BASE_URL.rstrip("/")},
            )
        with transaction.atomic():
            # Claim first: a second digest run at the same time finds nothing left to send.
            claimed = Notification.objects.filter(pk__in=[n.pk for n in items], digested_at__isnull=True).update(
                digested_at=timezone.now()
            )
            if claimed != len(items):
                continue
            send_mail(subject, body, None, [user.email], fail_silently=False)
        sent += 1
    return sent
