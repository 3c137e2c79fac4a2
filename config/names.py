"""People's names as they are stored: Unicode NFC, without invisible or pictographic characters.

The same Vietnamese name arrives composed (NFC, most keyboards), decomposed (NFD, macOS and some
phone keyboards) or in the old "tổ hợp" form; pasted from a chat it may carry zero-width spaces,
direction marks or emoji. Stored as typed, "Nguyễn" would be two different names for the duplicate
search, an export and the eye of a reader, and a right-to-left mark can make a name read differently
from what is stored. Names are therefore normalised once, where they enter (forms, API serializers,
the intake service):

- NFC, so that each letter with its diacritics is one code point;
- format characters (category Cf: zero-width space and joiners, direction marks and overrides, the
  byte-order mark, soft hyphens, tag characters) and variation selectors removed;
- pictographs removed: symbols of category So (emoji, dingbats, ♥ ★ ©), the emoji skin-tone modifiers,
  the keycap mark, and code points that this Python's Unicode tables do not know yet (newer emoji);
- control characters, private-use code points and lone surrogates removed (they cannot be a name,
  and the request middleware already refuses most of them);
- runs of any kind of space (including no-break and ideographic spaces) collapsed to one, the ends
  trimmed.

Letters, combining marks, digits and punctuation are kept: minority names such as "H'Hen Niê",
"Y-Moan Ênuôl" or "Ksor H´Luân" need apostrophes (even the acute accent ´) and hyphens.
"""

import unicodedata

from django import forms
from rest_framework import serializers
from rest_framework.fields import empty

_REMOVED_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn", "So"}
_SKIN_TONES = range(0x1F3FB, 0x1F3FF + 1)  # category Sk, only ever used to modify an emoji
_KEYCAP = 0x20E3  # combining enclosing keycap (Me): "1️⃣"
_VARIATION_SELECTORS = (range(0xFE00, 0xFE0F + 1), range(0xE0100, 0xE01EF + 1))


def _kept(char: str) -> bool:
    point = ord(char)
    if char.isspace():
        return True  # collapsed afterwards
    if unicodedata.category(char) in _REMOVED_CATEGORIES:
        return False
    if point in _SKIN_TONES or point == _KEYCAP:
        return False
    return not any(point in selectors for selectors in _VARIATION_SELECTORS)


def normalise_name(text: str | None) -> str:
    """A person's name ready to store: "  Nguye\u0302\u0303n\u200b Văn 😊 An " → "Nguyễn Văn An"."""
    if not text:
        return ""
    composed = unicodedata.normalize("NFC", text)
    kept = "".join(char for char in composed if _kept(char))
    # Removing a joiner can bring a letter and its mark together again: compose once more.
    return " ".join(unicodedata.normalize("NFC", kept).split())


class NameFormField(forms.CharField):
    """A form field for a person's name: the cleaned value is normalised before any check."""

    def to_python(self, value):
        return normalise_name(super().to_python(value))


class NameSerializerField(serializers.CharField):
    """The API's counterpart of NameFormField."""

    def to_internal_value(self, data):
        return normalise_name(super().to_internal_value(data))

    def run_validation(self, data=empty):
        value = super().run_validation(data)
        # DRF checks blankness before conversion: a name made only of emoji is blank once normalised.
        if value == "" and not self.allow_blank and data is not empty:
            self.fail("blank")
        return value


def fold(text: str) -> str:
    """Lower case, Vietnamese diacritics removed, đ→d, spaces collapsed: "Nguyễn Văn Đạt" → "nguyen van dat"
    (how names and searches are compared whatever the keyboard)."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.lower().split())
