"""The registry of channels: a new channel (SMS, Zalo…) is one module here and one line below
(healthchecks' hc/integrations/ is the model)."""

from .base import TRANSIENT_ERRORS, PermanentError, Planned, Transport
from .email import EmailTransport
from .webhook import WebhookTransport

TRANSPORTS: dict[str, Transport] = {
    transport.channel: transport
    for transport in (
        EmailTransport(),
        WebhookTransport(),
    )
}


def transport_for(channel: str) -> Transport | None:
    return TRANSPORTS.get(channel)


__all__ = [
    "TRANSIENT_ERRORS",
    "TRANSPORTS",
    "PermanentError",
    "Planned",
    "Transport",
    "transport_for",
]
