"""Email: urgent notifications at once, others at once only for users who asked (else the daily digest)."""

import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext_lazy as _

from ..models import Delivery, EmailMode
from .base import PermanentError, Planned, Transport


class EmailTransport(Transport):
    channel = "email"
    label = _("Email")

    def deliveries_for(self, planned: list[Planned]) -> list[Delivery]:
        return [
            Delivery(notification=item.notification, channel=self.channel)
            for item in planned
            if item.user.email and (item.is_urgent or item.email_mode == EmailMode.IMMEDIATE)
        ]

    def send(self, delivery: Delivery) -> None:
        notification = delivery.notification
        body = notification.body
        if notification.url:
            body = f"{body}\n\n{settings.BAOVE_BASE_URL.rstrip('/')}{notification.url}"
        try:
            send_mail(notification.title, body, None, [notification.user.email], fail_silently=False)
        except smtplib.SMTPRecipientsRefused as error:
            raise PermanentError(f"recipient refused: {error}") from error
        except smtplib.SMTPException as error:
            raise OSError(f"mail server: {error}") from error
