import unicodedata


def fold(text: str) -> str:
    """Lower case, Vietnamese diacritics removed, đ→d, spaces collapsed: "Nguyễn Văn Đạt" → "nguyen van dat"."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.lower().split())
