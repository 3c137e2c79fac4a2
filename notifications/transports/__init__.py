"""The registry of channels: a new channel (SMS, Zalo…) is one module here and one line below
(healthchecks' hc/integrations/ is the model)."""

from .base import TRANSIENT_ERRORS, PermanentError, Planned, Sent, Transport
from .email import EmailTransport
from .sms import SmsTransport
from .webhook import WebhookTransport
from .zalo import ZaloTransport

TRANSPORTS: dict[str, Transport] = {
    transport.channel: transport
    for transport in (
        EmailTransport(),
        WebhookTransport(),
        SmsTransport(),
        ZaloTransport(),
    )
}


def transport_for(channel: str) -> Transport | None:
    return TRANSPORTS.get(channel)


__all__ = [
    "TRANSIENT_ERRORS",
    "TRANSPORTS",
    "PermanentError",
    "Planned",
    "Sent",
    "Transport",
    "transport_for",
]
