"""Vietnamese mobile numbers: typed in any usual way ("0912 345 678", "+84 912-345-678"), stored and sent
as 84xxxxxxxxx (the form Zalo's ZNS asks for; SMS gateways get it or the local 0xxxxxxxxx form)."""

import re

_MOBILE = re.compile(r"^(?:\+?84|0)([35789]\d{8})$")


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
