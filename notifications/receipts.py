"""Delivery reports from SMS gateways and Zalo: the gateway calls /notifications/callbacks/<channel>/<account>/
with the account's secret (an HMAC signature, or ?token=…), and the report is recorded on the Delivery.
Recording is idempotent: the same report twice changes nothing, and a final report (delivered, not delivered)
is never overwritten by a later intermediate one."""

import hashlib
import hmac

from django.db.models import Q
from django.utils import timezone

from .accounts import Account
from .models import Delivery, ReceiptState

FINAL = {ReceiptState.DELIVERED, ReceiptState.UNDELIVERED}
# A signed report older (or newer) than this is refused: a recorded request cannot be played again later.
MAX_SKEW_SECONDS = 300


def signature_of(secret: str, timestamp: str, body: bytes) -> str:
    """hex HMAC-SHA256 over "timestamp.body" (the same scheme as BaoVe's outgoing webhooks)."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def is_authentic(account: Account, *, body: bytes, signature: str, timestamp: str, token: str, now=None) -> bool:
    """Signed with the account's secret (X-BaoVe-Signature: sha256=…, X-BaoVe-Timestamp), or carrying it as
    ?token=… for gateways that can only be given a URL. No secret configured: nothing is accepted."""
    secret = account.callback_secret
    if not secret:
        return False
    if signature:
        if not timestamp.isdigit():
            return False
        moment = (now or timezone.now()).timestamp()
        if abs(moment - int(timestamp)) > MAX_SKEW_SECONDS:
            return False
        expected = "sha256=" + signature_of(secret, timestamp, body)
        return hmac.compare_digest(expected, signature)
    return bool(token) and hmac.compare_digest(secret.encode(), token.encode())


def receipts_record(*, channel: str, account_key: str, reports: list[tuple[str, str, str]], now=None) -> int:
    """Record REPORTS [(gateway id or "baove-<delivery>", receipt, status)] on the account's deliveries;
    returns how many deliveries changed."""
    now = now or timezone.now()
    changed = 0
    for ident, receipt, detail in reports:
        match = Q(provider_id=ident)
        if ident.startswith("baove-") and ident[6:].isdigit():
            match |= Q(pk=int(ident[6:]))
        rows = Delivery.objects.filter(match, channel=channel, account_key=account_key).exclude(
            receipt=receipt, receipt_detail=detail
        )
        if receipt not in FINAL:
            rows = rows.exclude(receipt__in=FINAL)
        changed += rows.update(receipt=receipt, receipt_detail=detail, receipt_at=now)
    return changed
