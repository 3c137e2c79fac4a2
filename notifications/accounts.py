"""Which SMS gateway or Zalo Official Account carries a province's messages, and with which credentials.

An account comes from the administration (ChannelAccount, secrets stored encrypted) or from the environment:
BAOVE_SMS_<FIELD> and BAOVE_ZALO_<FIELD> for every province, BAOVE_SMS_<FIELD>__<PROVINCE CODE> for one
(e.g. BAOVE_SMS_API_KEY__72 for Tây Ninh); a province's variable falls back to the general one field by
field. The order: the province's row, the province's variables, the general row, the general variables.
"""

import json
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from agencies.models import AdministrativeUnit

from .models import ChannelAccount, PhoneChannel

ESMS_URL = "https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/"
ZNS_URL = "https://business.openapi.zalo.me/message/template"

# The common shape of Vietnamese brandname-SMS gateways (eSMS; SpeedSMS and others are close).
SMS_BODY = json.dumps(
    {
        "ApiKey": "{api_key}",
        "SecretKey": "{secret_key}",
        "Phone": "{phone_local}",
        "Content": "{content}",
        "Brandname": "{sender}",
        "SmsType": "{sms_type}",
        "IsUnicode": "0",
        "RequestId": "{request_id}",
        "CallbackUrl": "{callback_url}",
    },
    ensure_ascii=False,
)
# A ZNS template's parameters (the body itself is fixed: phone, template_id, template_data, tracking_id).
ZNS_TEMPLATE_DATA = json.dumps({"ma_ho_so": "{reference}", "noi_dung": "{title}", "duong_dan": "{link}"})

FIELDS = {
    "url": "URL",
    "api_key": "API_KEY",
    "secret_key": "SECRET_KEY",
    "callback_secret": "CALLBACK_SECRET",
    "sender": "SENDER",
    "sms_type": "SMS_TYPE",
    "template_id": "TEMPLATE_ID",
    "body_template": "BODY_TEMPLATE",
}
TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Account:
    key: str  # "a12" (a row of the administration), "env" or "env-72" (variables)
    channel: str
    name: str
    url: str
    api_key: str
    secret_key: str = ""
    callback_secret: str = ""
    sender: str = ""
    sms_type: str = "2"
    template_id: str = ""
    body_template: str = ""
    plain_letters: bool = True
    urgent_only: bool = False

    @property
    def body(self) -> str:
        if self.body_template:
            return self.body_template
        return SMS_BODY if self.channel == PhoneChannel.SMS else ZNS_TEMPLATE_DATA


def _default_url(channel: str) -> str:
    return ESMS_URL if channel == PhoneChannel.SMS else ZNS_URL


def _from_row(row: ChannelAccount) -> Account:
    return Account(
        key=f"a{row.pk}",
        channel=row.channel,
        name=row.name,
        url=row.url or _default_url(row.channel),
        api_key=row.api_key,
        secret_key=row.secret_key,
        callback_secret=row.callback_secret,
        sender=row.sender,
        sms_type=row.sms_type or "2",
        template_id=row.template_id,
        body_template=row.body_template,
        plain_letters=row.plain_letters,
        urgent_only=row.urgent_only,
    )


def _from_environment(channel: str, code: str | None) -> Account | None:
    variables = settings.BAOVE_CHANNEL_ENVIRONMENT
    prefix = f"BAOVE_{channel.upper()}_"

    def value(name: str) -> str:
        if code:
            own = variables.get(f"{prefix}{name}__{code}")
            if own is not None:
                return own
        return variables.get(f"{prefix}{name}", "")

    if code and not any(key.startswith(prefix) and key.endswith(f"__{code}") for key in variables):
        return None  # nothing of its own: the general account answers
    if not value("API_KEY"):
        return None
    fields = {field: value(name) for field, name in FIELDS.items()}
    fields["url"] = fields["url"] or _default_url(channel)
    fields["sms_type"] = fields["sms_type"] or "2"
    return Account(
        key=f"env-{code}" if code else "env",
        channel=channel,
        name=str(_("Environment")) + (f" ({code})" if code else ""),
        plain_letters=value("PLAIN_LETTERS").lower() not in {"0", "false", "no", "off"},
        urgent_only=value("URGENT_ONLY").lower() in TRUE,
        **fields,
    )


class Accounts:
    """The accounts of one channel for a batch of provinces: two queries whatever the batch."""

    def __init__(self, channel: str, province_ids=()):
        self.channel = channel
        rows = ChannelAccount.objects.filter(channel=channel, is_active=True)
        self.rows = {row.province_id: _from_row(row) for row in rows}
        wanted = {pk for pk in province_ids if pk}
        self.codes = dict(AdministrativeUnit.objects.filter(pk__in=wanted).values_list("pk", "code")) if wanted else {}

    def for_province(self, province_id: int | None) -> Account | None:
        if province_id in self.rows and province_id is not None:
            return self.rows[province_id]
        code = self.codes.get(province_id)
        own = _from_environment(self.channel, code) if code else None
        return own or self.rows.get(None) or _from_environment(self.channel, None)


def account_by_key(channel: str, key: str) -> Account | None:
    """The account a delivery was sent through (for its retry and its delivery report)."""
    if key.startswith("a") and key[1:].isdigit():
        row = ChannelAccount.objects.filter(pk=int(key[1:]), channel=channel).first()
        return _from_row(row) if row else None
    if key == "env":
        return _from_environment(channel, None)
    if key.startswith("env-"):
        code = key[4:]
        return _from_environment(channel, code) if code.isalnum() else None
    return None


__all__ = ["ESMS_URL", "SMS_BODY", "ZNS_TEMPLATE_DATA", "ZNS_URL", "Account", "Accounts", "account_by_key"]
