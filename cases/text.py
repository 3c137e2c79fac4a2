"""Text as the case app compares it (the fold lives with the names it serves: config.names)."""

from config.names import fold

__all__ = ["fold"]
