"""Errors every layer may raise and every edge (pages, API) knows how to answer."""

from django.utils.translation import gettext as _


class Conflict(Exception):
    """The object changed since the user loaded it: their change is refused, nothing is overwritten.

    Pages keep what was typed and say so; the API answers 409.
    """

    def __init__(self, message: str | None = None):
        default = _(
            "Someone else changed this case file while you were working on it. Reload the page to see their change."
        )
        super().__init__(message or default)
