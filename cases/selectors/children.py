"""Finding a child already registered (duplicate search while a report is typed)."""

import datetime
import difflib
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q

from .. import access
from ..models import Child
from ..text import fold

MIN_SIMILARITY = 0.3  # pg_trgm's default threshold for "similar"
RESULT_FIELDS = ("full_name", "name_key", "birth_date", "birth_year_only", "residence_commune__name")


@dataclass(frozen=True)
class ChildMatch:
    child: Child
    score: float


def child_search(
    user,
    name: str,
    *,
    birth_date: datetime.date | None = None,
    commune_id: int | None = None,
    limit: int = 10,
    record: bool = True,
) -> list[ChildMatch]:
    """Possible existing children: Vietnamese-aware (diacritics folded, đ→d) and typo-tolerant.

    PostgreSQL ranks the names in use with a close family and given name (cases.name_search) by
    pg_trgm, then reads the children of the best names only; other databases fall back to difflib over
    the candidates that share a word with the name. The search is recorded in the audit trail
    (RECORD=False for internal use). The children carry the fields a result shows (name, birth, commune).
    """
    key = fold(name)
    if len(key) < 2:
        return []
    # A record merged into another is a redirect, never offered again.
    children = (
        access.children_visible_to(user)
        .filter(merged_into__isnull=True)
        .select_related("residence_commune")
        .only(*RESULT_FIELDS)
        .order_by()
    )
    if connection.vendor == "postgresql":
        scored = _closest_children(children, key, limit * 5)
    else:
        words = [word for word in key.split() if len(word) > 1] or [key]
        condition = Q()
        for word in words:
            condition |= Q(name_key__contains=word)
        rows = children.filter(condition)[:2000]
        scored = [(child, difflib.SequenceMatcher(None, key, child.name_key).ratio()) for child in rows]
        scored = [(child, score) for child, score in scored if score >= 0.5]
    matches = []
    for child, score in scored:
        if birth_date and child.birth_date.year == birth_date.year:
            score += 0.2 if child.birth_date == birth_date or child.birth_year_only else 0.1
        if commune_id and child.residence_commune_id == commune_id:
            score += 0.1
        matches.append(ChildMatch(child, round(score, 3)))
    matches.sort(key=lambda match: -match.score)
    matches = matches[:limit]
    if record:
        access.record_read("view", "child_search", fields={"children": [match.child.pk for match in matches]})
    return matches


def _closest_children(children, key: str, wanted: int) -> list[tuple[Child, float]]:
    """The WANTED children of CHILDREN (the user's, through the access door) whose names are closest to
    KEY, best first, with their name's score (PostgreSQL).

    The names are ranked first (cases.name_search.closest_names). The children are then read for the
    fewest best names of which the registry holds WANTED children — enough for whoever sees the whole
    country: WANTED rows at most, where ranking every child with a close name read tens of thousands —
    and, when the user's area leaves fewer, for the other names in one more read (an officer's commune
    through its index on the commune and the name)."""
    from django.contrib.postgres.search import TrigramSimilarity

    from ..name_search import closest_names

    names = closest_names(key, cap=wanted, at_least=MIN_SIMILARITY)
    score = {name.key: name.score for name in names}
    held, head = 0, len(names)
    for position, name in enumerate(names):
        held += name.children
        if held >= wanted:
            head = position + 1
            break
    found: list[Child] = []
    # Every child of the head's names but the last fits in WANTED; the last's are equally close: any will do.
    if head > 1:
        found += children.filter(name_key__in=[name.key for name in names[: head - 1]])[:wanted]
    if head:
        found += children.filter(name_key=names[head - 1].key)[: wanted - len(found)]
    if len(found) < wanted and head < len(names):
        rest = children.filter(name_key__in=[name.key for name in names[head:]])
        rest = rest.annotate(similarity=TrigramSimilarity("name_key", key)).order_by("-similarity")
        found += rest[: wanted - len(found)]
    return [(child, score[child.name_key]) for child in found]
