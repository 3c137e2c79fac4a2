"""Vietnamese mobile numbers: typed in any usual way ("0912 345 678", "+84 912-345-678"), stored and sent
as 84xxxxxxxxx (the form Zalo's ZNS asks for; SMS gateways get it or the local 0xxxxxxxxx form)."""

import re

from django.utils.translation import gettext_lazy

# Said wherever a phone number typed is refused (reports, caregivers, community reports).
NOT_A_NUMBER = gettext_lazy(
    "Enter the phone number in digits (spaces, dots or dashes may separate them), or leave it empty if there is none."
)

_MOBILE = re.compile(r"^(?:\+?84|0)([35789]\d{8})$")
# Any number as people type one: digits, separated by spaces, dots, dashes or brackets, a leading +.
_TYPED = re.compile(r"^\+?[\d\s.\-()]+$")


def plausible(text: str) -> bool:
    """Whether TEXT can be a phone number of any kind (a mobile, a landline, a short number such as 113, a
    foreign one): 3 to 15 digits and nothing else but separators. "09abc12345" or "không có" cannot."""
    text = (text or "").strip()
    digits = re.sub(r"\D", "", text)
    return bool(_TYPED.match(text)) and 3 <= len(digits) <= 15


def normalize(text: str) -> str:
    """The number as 84xxxxxxxxx, or "" when it is not a Vietnamese mobile number."""
    digits = re.sub(r"[\s.\-()]", "", text or "")
    match = _MOBILE.match(digits)
    return f"84{match.group(1)}" if match else ""


def local(phone: str) -> str:
    """84912345678 → 0912345678."""
    return f"0{phone[2:]}" if phone.startswith("84") else phone


def masked(phone: str) -> str:
    """0912 *** 678: enough for its owner to recognise it on a page."""
    number = local(phone)
    return f"{number[:4]} *** {number[-3:]}" if len(number) >= 7 else number
