"""reverse() for pages that link many rows (home work lists, the case list, the caseload).

reverse() walks the resolver and reads context-local storage (script prefix, URLconf) on every call: a home
page of 150 work items spent several milliseconds in it. `row_url` reverses each URL name once per process
(and script prefix) with marks in place of its number arguments, then puts each row's numbers in."""

import functools
import re

from django.urls import get_script_prefix, reverse

# Marks of nine digits, one per argument position: no URL pattern's constant part holds them.
_MARK = 987654320


@functools.lru_cache(maxsize=512)
def _pattern(name: str, fixed: tuple, prefix: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The URL cut at its marks: (the constant pieces, the argument position filling each gap)."""
    args = [_MARK + position if value is None else value for position, value in enumerate(fixed)]
    marks = {str(_MARK + position): position for position, value in enumerate(fixed) if value is None}
    parts = re.split(f"({'|'.join(marks)})", reverse(name, args=args)) if marks else [reverse(name, args=args)]
    return tuple(parts[0::2]), tuple(marks[mark] for mark in parts[1::2])


def row_url(name: str, *args) -> str:
    """reverse(NAME, args=ARGS); the integer arguments vary from row to row, the others (an action's name)
    are part of the pattern kept."""
    pieces, positions = _pattern(
        name, tuple(None if isinstance(value, int) else value for value in args), get_script_prefix()
    )
    url = [pieces[0]]
    for piece, position in zip(pieces[1:], positions, strict=True):
        url += (str(args[position]), piece)
    return "".join(url)
