"""SMS through a province's HTTP gateway: a generic adapter (URL, credentials, a JSON body template) whose
default is the common Vietnamese brandname-SMS request (eSMS's ApiKey, SecretKey, Phone, Content, Brandname,
SmsType; SpeedSMS and others take the same fields under close names: change the template).

The gateway's answer: a JSON "CodeResult" other than "100" is a refusal (not retried); an answer without
it is taken as accepted on any 2xx. The message id is read from "SMSID" (or "id", "message_id")."""

from django.utils.translation import gettext_lazy as _

from ..accounts import Account
from ..models import Delivery, PhoneChannel, ReceiptState
from ..phones import local
from .base import PermanentError, Sent
from .phone import PhoneTransport, callback_url, link_of, post_json, reference_of, render
from .phone import fold_letters as plain

MAX_LENGTH = 459  # three concatenated SMS of 153 characters

DELIVERED = {"5", "delivered", "delivrd", "success", "2"}
UNDELIVERED = {"4", "6", "undelivered", "undeliv", "failed", "rejectd", "expired", "3"}


def send_text(account: Account, phone: str, text: str, *, request_id: str, reference: str = "", link: str = "") -> Sent:
    """Hand one SMS to the gateway of ACCOUNT (also used for the phone number's one-time code)."""
    content = plain(text) if account.plain_letters else text
    values = {
        "api_key": account.api_key,
        "secret_key": account.secret_key,
        "phone": phone,
        "phone_local": local(phone),
        "content": content[:MAX_LENGTH],
        "sender": account.sender,
        "sms_type": account.sms_type,
        "request_id": request_id,
        "callback_url": callback_url(PhoneChannel.SMS, account),
        "reference": reference,
        "title": content,
        "link": link,
    }
    _status, answer = post_json(account.url, render(account.body, values), {})
    if isinstance(answer, dict) and "CodeResult" in answer:
        code = str(answer["CodeResult"])
        if code != "100":
            message = str(answer.get("ErrorMessage", ""))[:200]
            raise PermanentError(f"SMS gateway refused the message: CodeResult {code} {message}".strip())
    provider_id = ""
    if isinstance(answer, dict):
        provider_id = str(answer.get("SMSID") or answer.get("id") or answer.get("message_id") or "")
    return Sent(provider_id=provider_id)


class SmsTransport(PhoneTransport):
    channel = PhoneChannel.SMS
    label = _("SMS")
    preference_flag = "sms_enabled"

    def hand_over(self, account: Account, delivery: Delivery, text: str) -> Sent:
        notification = delivery.notification
        return send_text(
            account,
            delivery.phone,
            text,
            request_id=f"baove-{delivery.pk}",
            reference=reference_of(notification.title),
            link=link_of(notification),
        )

    @staticmethod
    def reports(payload) -> list[tuple[str, str, str]]:
        """A delivery report (one JSON object or a list): [(message id or "baove-<delivery>", receipt, status)]."""
        items = payload if isinstance(payload, list) else [payload]
        found = []
        for item in items:
            if not isinstance(item, dict):
                continue
            ident = str(item.get("SMSID") or item.get("RequestId") or item.get("id") or "")
            status = str(item.get("SendStatus", item.get("status", "")))
            if not ident or not status:
                continue
            folded = status.strip().lower()
            receipt = (
                ReceiptState.DELIVERED
                if folded in DELIVERED
                else ReceiptState.UNDELIVERED
                if folded in UNDELIVERED
                else ReceiptState.OTHER
            )
            found.append((ident, receipt, status[:100]))
        return found
