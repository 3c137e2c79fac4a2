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

    PostgreSQL narrows to children with a close family and given name (cases.name_search) and
    ranks them with pg_trgm; other databases fall back to difflib over the candidates that share
    a word with the name. The search is recorded in the audit trail (RECORD=False for internal use).
    """
    key = fold(name)
    if len(key) < 2:
        return []
    # A record merged into another is a redirect, never offered again.
    children = access.children_visible_to(user).filter(merged_into__isnull=True).select_related("residence_commune")
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        from ..name_search import candidates

        rows = (
            candidates(children, key)
            .annotate(similarity=TrigramSimilarity("name_key", key))
            .order_by("-similarity")[: limit * 5]
        )
        scored = [(child, float(child.similarity)) for child in rows]
        scored = [(child, score) for child, score in scored if score >= MIN_SIMILARITY or key in child.name_key]
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
