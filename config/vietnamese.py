"""How issued documents and spreadsheets write numbers, percentages and dates: the Vietnamese way.

1.234 (dots between thousands), 16,7 % (a decimal comma, a space before the sign), 05/06/2026 in tables
and "ngày 05 tháng 6 năm 2026" in the date line of a document (Decree 30/2020/NĐ-CP, Appendix I: a day
below 10 and the months 1 and 2 take a leading zero).
"""

import datetime
import unicodedata
from decimal import ROUND_HALF_UP, Decimal


def number(value) -> str:
    """An integer with dots between thousands: 1234567 → "1.234.567"; None → "–"."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and not value.is_integer():
        return decimal(value)
    return f"{int(value):,}".replace(",", ".")


def decimal(value, places: int = 1) -> str:
    """A decimal number with a comma: 16.666 → "16,7" (half up, as people round)."""
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    whole, _dot, fraction = f"{rounded:f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = number(int(whole.lstrip("-") or 0))
    return f"{sign}{whole},{fraction}" if fraction else f"{sign}{whole}"


def percent(value, places: int = 1) -> str:
    """A share already in percent: 16.666 → "16,7 %"; None (nothing to divide) → "–"."""
    if value is None:
        return "–"
    return f"{decimal(value, places)}\u00a0%"


def share(part: int, whole: int, places: int = 1) -> str:
    """PART of WHOLE in percent, written: share(1, 6) → "16,7 %"."""
    return percent(100 * part / whole, places) if whole else "–"


def _as_date(value) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def date(value) -> str:
    """dd/mm/yyyy, from a date, an aware datetime (in local time) or an ISO string; None → ""."""
    day = _as_date(value)
    return day.strftime("%d/%m/%Y") if day else ""


def date_line(value) -> str:
    """The date as a document's date line writes it: "ngày 05 tháng 6 năm 2026"."""
    day = _as_date(value)
    if day is None:
        return "ngày      tháng      năm"
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def upper(text: str) -> str:
    """Upper case, Vietnamese letters included ("Xã Tân Biên" → "XÃ TÂN BIÊN")."""
    return (text or "").upper()


# The Vietnamese alphabet's order: ă and â after a, đ after d, ê after e, ô and ơ after o, ư after u; the tones
# (grave, hook, tilde, acute, dot below) only break ties, in that order.
_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
# A letter and its mark (breve, circumflex, horn) as NFD writes them, and the letter they make.
_MARKED = {"a\u0306": "ă", "a\u0302": "â", "e\u0302": "ê", "o\u0302": "ô", "o\u031b": "ơ", "u\u031b": "ư"}
_MARKS = {"\u0306", "\u0302", "\u031b"}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def sort_key(text: str) -> tuple:
    """TEXT ordered as a Vietnamese reader expects (Đà Nẵng among the D's, after Đ's D's), not by code point
    (every Đ after Z)."""
    letters, tones = [], []
    for char in unicodedata.normalize("NFD", (text or "").lower()):
        if char in _TONES:
            tones.append(_TONES[char])
        elif char in _MARKS and letters:
            letters[-1] = _MARKED.get(letters[-1] + char, letters[-1])
        else:
            letters.append(char)
    # Syllable by syllable: a space comes before any letter (Cà Mau before Cao Bằng).
    order = [
        (-1, "") if letter.isspace() else (_ALPHABET.index(letter), "") if letter in _ALPHABET else (99, letter)
        for letter in letters
    ]
    return (order, tones)
