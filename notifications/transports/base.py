"""What a channel is: one module with a Transport that says which notifications it carries and sends
one delivery. A transport never holds a database lock while it talks to the network: the delivery
was claimed (and committed) before `send` is called, and its outcome is recorded after."""

import datetime
from dataclasses import dataclass

# Errors worth another try: the network, the mail server, the gateway being down for a while.
TRANSIENT_ERRORS = (OSError, TimeoutError)


class PermanentError(Exception):
    """The channel refused the message for good (bad address, rejected content): no retry."""


@dataclass(frozen=True)
class Planned:
    """One notification about to be created, as a transport sees it when it decides to carry it."""

    notification: object  # notifications.models.Notification (saved)
    user: object
    is_urgent: bool
    province_id: int | None
    email_mode: str
    preference: object = None  # notifications.models.Preference, or None when the user never saved one
    now: datetime.datetime | None = None


@dataclass(frozen=True)
class Sent:
    """What a channel learnt when it handed a message over: the gateway's id of it (for delivery reports)."""

    provider_id: str = ""


class Transport:
    channel: str = ""
    label = ""

    def deliveries_for(self, planned: list[Planned]) -> list:
        """The Delivery rows (unsaved) this channel will carry for a batch of new notifications."""
        raise NotImplementedError

    def send(self, delivery) -> "Sent | None":
        """Send one delivery; raise a TRANSIENT_ERRORS error to be retried, PermanentError to give up."""
        raise NotImplementedError
