"""Text as the case app compares it (the fold lives with the names it serves: config.names)."""

from config.names import fold

__all__ = ["fold", "number"]


def number(value: str) -> int | None:
    """A number typed or posted, or None for anything but ASCII digits (str.isdigit() takes "²", int() not)."""
    return int(value) if value.isascii() and value.isdigit() else None
