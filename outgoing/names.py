"""A unit's name as documents write it: with its type word ("Tỉnh Tây Ninh", "Xã Tân Biên") in a heading,
without it in the place of the date line ("Tây Ninh", "Tân Biên")."""

from agencies.models import AdministrativeUnit, UnitLevel

# The division types of the official list (vietnam-provinces) and of units added by hand, with their
# type word; the longest first, so that "thành phố trung ương" is read before "thành phố".
TYPE_WORDS = {
    "thành phố trung ương": "Thành phố",
    "thành phố": "Thành phố",
    "huyện (cũ)": "Huyện",
    "thị trấn": "Thị trấn",
    "đặc khu": "Đặc khu",
    "phường": "Phường",
    "thị xã": "Thị xã",
    "huyện": "Huyện",
    "quận": "Quận",
    "tỉnh": "Tỉnh",
    "xã": "Xã",
}
FORMER = " (cũ)"


def _leading_type_word(name: str) -> str | None:
    lowered = name.lower()
    for word in sorted(set(TYPE_WORDS.values()), key=len, reverse=True):
        if lowered.startswith(word.lower() + " "):
            return word
    return None


def full_name(unit: AdministrativeUnit) -> str:
    """The name with its type word: "Tây Ninh" (tỉnh) → "Tỉnh Tây Ninh"; "Xã Tân Biên" stays."""
    name = unit.name.strip()
    if _leading_type_word(name):
        return name
    word = TYPE_WORDS.get((unit.division_type or "").strip().lower())
    if word is None and unit.level == UnitLevel.PROVINCE:
        word = "Tỉnh"
    return f"{word} {name}" if word else name


def place_name(unit: AdministrativeUnit | None) -> str:
    """The place of the date line: the name without its type word ("Thành phố Hà Nội" → "Hà Nội")."""
    if unit is None:
        return "Hà Nội"
    name = unit.name.strip().removesuffix(FORMER)
    word = _leading_type_word(name)
    return name[len(word) + 1 :].strip() if word else name


def in_text(name: str) -> str:
    """A unit's name inside a sentence: the type word in lower case ("Tỉnh Tây Ninh" → "tỉnh Tây Ninh")."""
    word = _leading_type_word(name)
    return word.lower() + name[len(word) :] if word else name
