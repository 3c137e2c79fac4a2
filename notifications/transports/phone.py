"""What SMS and Zalo share: who gets a message (a verified number, the channel chosen, an account for the
province, quiet hours), the text (the case reference and a link, never the child), and one HTTP request to
the gateway with a short timeout. A timeout, a refused connection or a 5xx is retried (TRANSIENT_ERRORS);
a 4xx or an error the gateway answers in its JSON is not."""

import json
import re
import urllib.error
import urllib.request

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ..accounts import Account, Accounts, account_by_key
from ..models import Delivery, DeliveryState
from ..quiet import quiet_until
from ..recipients import fold_letters, message_refusal
from .base import PermanentError, Planned, Sent, Transport

TIMEOUT_SECONDS = 10
_REFERENCE = re.compile(r"^\[([^\]]{1,40})\]\s*")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def reference_of(title: str) -> str:
    """Notices start with "[reference]" (cases.handoffs, the escalation handlers)."""
    match = _REFERENCE.match(title)
    return match.group(1) if match else ""


def link_of(notification) -> str:
    return f"{settings.BAOVE_BASE_URL.rstrip('/')}{notification.url}" if notification.url else ""


def render(template: str, values: dict[str, str]) -> object:
    """The JSON TEMPLATE with {name} replaced in every string (known names only), as Python data."""
    try:
        shape = json.loads(template)
    except ValueError as error:
        raise PermanentError(f"the request body template is not JSON: {error}") from error

    def fill(node):
        if isinstance(node, str):
            return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), node)
        if isinstance(node, list):
            return [fill(item) for item in node]
        if isinstance(node, dict):
            return {key: fill(value) for key, value in node.items()}
        return node

    return fill(shape)


def post_json(url: str, body: object, headers: dict[str, str]) -> tuple[int, object]:
    """POST BODY as JSON; (status, the answer's JSON or None). Network trouble raises OSError (retried)."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 - an administrator-configured gateway address
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "BaoVe/1", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    if status >= 500 or status in (408, 429):
        raise OSError(f"gateway answered HTTP {status}")
    if status >= 400:
        raise PermanentError(f"gateway answered HTTP {status}: {raw[:300].decode('utf-8', 'replace')}")
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, None


class PhoneTransport(Transport):
    """A channel that reaches a verified mobile number through a province's account."""

    preference_flag = ""  # the Preference field that says the user chose this channel

    def deliveries_for(self, planned: list[Planned]) -> list[Delivery]:
        chosen = [
            item
            for item in planned
            if item.preference is not None
            and item.preference.phone_verified
            and getattr(item.preference, self.preference_flag)
        ]
        if not chosen:
            return []
        accounts = Accounts(self.channel, {item.province_id for item in chosen})
        rows = []
        for item in chosen:
            account = accounts.for_province(item.province_id)
            if account is None or (account.urgent_only and not item.is_urgent):
                continue
            delivery = Delivery(
                notification=item.notification,
                channel=self.channel,
                phone=item.preference.phone,
                account_key=account.key,
            )
            quiet = (
                None
                if item.is_urgent
                else quiet_until(item.preference.quiet_from, item.preference.quiet_until, item.now or timezone.now())
            )
            if quiet is not None:
                delivery.state, delivery.not_before = DeliveryState.HELD, quiet
            rows.append(delivery)
        return rows

    def send(self, delivery: Delivery) -> Sent:
        account = account_by_key(self.channel, delivery.account_key)
        if account is None or not account.api_key:
            raise PermanentError(f"no {self.channel} account {delivery.account_key!r}")
        notification = delivery.notification
        text = self.text(notification, account)
        refusal = message_refusal(notification, delivery.phone, text)
        if refusal:
            raise PermanentError(refusal)
        return self.hand_over(account, delivery, text)

    def text(self, notification, account: Account) -> str:
        """The notice's title (the reference and what to do) and its link; never its body."""
        return " ".join(part for part in (f"BaoVe: {notification.title}", link_of(notification)) if part)

    def hand_over(self, account: Account, delivery: Delivery, text: str) -> Sent:
        raise NotImplementedError


def callback_url(channel: str, account: Account) -> str:
    path = reverse("notifications:delivery_report", args=[channel, account.key])
    return f"{settings.BAOVE_BASE_URL.rstrip('/')}{path}"


__all__ = ["PhoneTransport", "callback_url", "fold_letters", "link_of", "post_json", "reference_of", "render"]
