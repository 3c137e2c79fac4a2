"""Zalo Notification Service (ZNS): a template message through a province's Zalo Official Account.

POST {url} with the header access_token and the JSON {phone (84xxxxxxxxx), template_id, template_data,
tracking_id}; Zalo answers {"error": 0, "message": "Success", "data": {"msg_id": …}}; any other error code
is a refusal (bad template, number not on Zalo, quota…), not retried. The template's parameters are the
account's JSON (default: ma_ho_so = the case reference, noi_dung = the notice's title, duong_dan = the link).
"""

from django.utils.translation import gettext_lazy as _

from ..accounts import Account
from ..models import Delivery, PhoneChannel, ReceiptState
from .base import PermanentError, Sent
from .phone import PhoneTransport, link_of, post_json, reference_of, render

# ZNS caps a parameter's length (most at 30–100 characters depending on its type in the template).
PARAMETER_LENGTH = 100


class ZaloTransport(PhoneTransport):
    channel = PhoneChannel.ZALO
    label = _("Zalo")
    preference_flag = "zalo_enabled"

    def hand_over(self, account: Account, delivery: Delivery, text: str) -> Sent:
        if not account.template_id:
            raise PermanentError("the Zalo account has no ZNS template")
        notification = delivery.notification
        values = {
            "reference": reference_of(notification.title),
            "title": notification.title[:PARAMETER_LENGTH],
            "link": link_of(notification),
        }
        data = render(account.body, values)
        if not isinstance(data, dict):
            raise PermanentError("the ZNS template data must be a JSON object")
        body = {
            "phone": delivery.phone,
            "template_id": account.template_id,
            "template_data": data,
            "tracking_id": f"baove-{delivery.pk}",
        }
        _status, answer = post_json(account.url, body, {"access_token": account.api_key})
        if not isinstance(answer, dict) or "error" not in answer:
            raise OSError("Zalo answered without an error code")
        if answer["error"] != 0:
            raise PermanentError(
                f"Zalo refused the message: error {answer['error']} {answer.get('message', '')}".strip()
            )
        data = answer.get("data") or {}
        return Sent(provider_id=str(data.get("msg_id", "")) if isinstance(data, dict) else "")

    @staticmethod
    def reports(payload) -> list[tuple[str, str, str]]:
        """Zalo's "user_received_message" event: the message reached the phone."""
        if not isinstance(payload, dict) or payload.get("event_name") != "user_received_message":
            return []
        message = payload.get("message") or {}
        if not isinstance(message, dict):
            return []
        ident = str(message.get("msg_id") or message.get("tracking_id") or "")
        return [(ident, ReceiptState.DELIVERED, "user_received_message")] if ident else []
