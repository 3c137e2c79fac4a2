"""Receipt codes of the public reporting page: made unguessable, kept only as a digest."""

import hashlib
import secrets

# 12 characters of an alphabet without look-alikes (no 0/O, 1/I/L): 31^12, about 2^59.
RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RECEIPT_LENGTH = 12


def receipt_normalise(code: str) -> str:
    """What the reporter types, as the code was made: capitals, no spaces or dashes."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def receipt_digest(code: str) -> str:
    return hashlib.sha256(receipt_normalise(code).encode()).hexdigest()


def receipt_make() -> str:
    code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return "-".join(code[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))
