"""Names are stored in NFC, without zero-width characters, direction marks or emoji (config/names.py)."""

import unicodedata

import pytest
from django import forms
from rest_framework import serializers

from config.names import NameFormField, NameSerializerField, normalise_name

NGUYEN_NFC = "Nguyễn"
NGUYEN_NFD = unicodedata.normalize("NFD", NGUYEN_NFC)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        # Composed and decomposed Vietnamese are the same name.
        (f"{NGUYEN_NFD} Văn An", "Nguyễn Văn An"),
        ("Nguye\u0302\u0303n Thi\u0323 Ha\u0300", "Nguyễn Thị Hà"),  # "tổ hợp": base letter, then marks
        ("Đặng Thị Ánh", "Đặng Thị Ánh"),
        # Zero-width and other invisible format characters.
        ("Lò\u200b Văn Páo", "Lò Văn Páo"),
        ("Lò Văn\u200c\u200d Páo", "Lò Văn Páo"),
        ("\ufeffHà Giang", "Hà Giang"),  # byte-order mark pasted from a file
        ("Mai\u2060Anh", "MaiAnh"),  # word joiner: invisible, so the reader saw "MaiAnh"
        ("Hồ\u00adng", "Hồng"),  # soft hyphen
        ("\u202eAn Bình", "An Bình"),  # right-to-left override would show the name reversed
        ("Bình\u200f", "Bình"),  # right-to-left mark
        # Emoji, including sequences, flags, keycaps, skin tones and variation selectors.
        ("Bé Na 😊", "Bé Na"),
        ("Minh 👍🏽 Khang", "Minh Khang"),
        ("Gia 👨\u200d👩\u200d👧 Bảo", "Gia Bảo"),
        ("🇻🇳 Việt", "Việt"),
        ("Tú ❤️", "Tú"),
        ("Ngọc ✨★♥", "Ngọc"),
        ("Số 1\ufe0f\u20e3", "Số 1"),
        ("Hải \U0001fae8", "Hải"),  # an emoji newer than some Unicode tables (shaking face, Unicode 15)
        # Spaces of every kind collapse to one; the ends are trimmed.
        ("  Trần\u00a0\u00a0Văn\tTư \u3000", "Trần Văn Tư"),
        ("Lê\u2003Thị\u2009Lan", "Lê Thị Lan"),
        # Control characters and private-use code points never make a name.
        ("Hoa\x00\x07 Mai", "Hoa Mai"),
        ("Hoa\ue000 Mai", "Hoa Mai"),
        # Minority names keep their apostrophes (even an acute accent used as one) and hyphens.
        ("H'Hen Niê", "H'Hen Niê"),
        ("Ksor H´Luân", "Ksor H´Luân"),
        ("Y-Moan Ênuôl", "Y-Moan Ênuôl"),
        ("Nguyễn Văn A.", "Nguyễn Văn A."),
        ("", ""),
        (None, ""),
        ("😊 🙂", ""),
    ],
)
def test_a_name_is_normalised_before_it_is_stored(typed, stored):
    assert normalise_name(typed) == stored


def test_the_result_is_nfc_and_stable():
    for typed in (f"{NGUYEN_NFD} Văn\u200b An 😊", "Phạm  Thị\u00a0Hoa"):
        once = normalise_name(typed)
        assert unicodedata.is_normalized("NFC", once)
        assert normalise_name(once) == once


def test_a_joiner_between_a_letter_and_its_mark_is_removed_and_the_letter_composed():
    assert normalise_name("e\u200d\u0301") == "é"


def test_every_kept_character_is_a_letter_mark_number_space_or_punctuation():
    sample = "".join(chr(point) for point in range(0x20, 0x3000) if not (0xD800 <= point <= 0xDFFF))
    kept = normalise_name(sample)
    assert {unicodedata.category(char)[0] for char in kept} <= {"L", "M", "N", "Z", "P", "S"}
    assert not {char for char in kept if unicodedata.category(char) in {"So", "Cf", "Cc"}}


class _Form(forms.Form):
    full_name = NameFormField(max_length=10)


class _Serializer(serializers.Serializer):
    full_name = NameSerializerField(max_length=10)
    reporter_name = NameSerializerField(max_length=10, required=False, default="", allow_blank=True)


def test_the_form_field_cleans_the_name_and_checks_it_afterwards():
    form = _Form(data={"full_name": f" {NGUYEN_NFD}\u200b 😊 "})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["full_name"] == NGUYEN_NFC
    assert not _Form(data={"full_name": "😊😊"}).is_valid()  # nothing left: the name is missing
    # The length is counted on the stored name: the decomposed form is longer than the limit.
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị")
    assert len(decomposed) > 10
    assert _Form(data={"full_name": decomposed}).is_valid()


def test_the_serializer_field_cleans_the_name_and_refuses_one_made_of_emoji():
    serializer = _Serializer(data={"full_name": f"{NGUYEN_NFD} 👍🏽", "reporter_name": "Bà\u200b Tư"})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data == {"full_name": NGUYEN_NFC, "reporter_name": "Bà Tư"}
    refused = _Serializer(data={"full_name": "👍🏽"})
    assert not refused.is_valid()
    assert "full_name" in refused.errors
    assert _Serializer(data={"full_name": "An"}).is_valid()  # reporter_name may be left out
