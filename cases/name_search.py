"""Fuzzy search among millions of children's names on PostgreSQL.

Vietnamese names share a few family names (Nguyễn alone is about 38 %) and middle names (Văn, Thị),
so plain trigram matching finds hundreds of thousands of "similar" names and ranks them all. Here
the query's family name (first word) and given name (last word) are first matched, typo-tolerant,
against the vocabulary of names in use (a few thousand words, cached for a few minutes). The whole
names carrying such a family and given name are then read from one index alone (`closest_names`: a
few hundred distinct names, however many children carry them) and ranked by trigram similarity, so
that only the children of the best names are read from the table: a child's score is its name's.
"""

import threading
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection

GIVEN = "reverse(split_part(reverse(cases_child.name_key), ' ', 1))"
FAMILY = "split_part(cases_child.name_key, ' ', 1)"
VOCABULARY_SECONDS = 600
# Each process keeps the vocabulary it last read this long (a search or an intake then needs no round
# trip to the cache and no unpickling of a few thousand words); another process's new name reaches it
# within this time, and a new name is always searched for itself (close_words) in the meantime.
LOCAL_SECONDS = 30
_local = threading.local()
MAX_WORDS = 40


def _distinct(expression: str) -> list[str]:
    """Every distinct value of an indexed expression, by a loose index scan (one probe per value)."""
    bare = expression.replace("cases_child.", "")
    sql = (
        f"WITH RECURSIVE t(w) AS ((SELECT {bare} FROM cases_child ORDER BY 1 LIMIT 1) UNION ALL "  # noqa: S608
        f"SELECT (SELECT {bare} FROM cases_child WHERE {bare} > t.w ORDER BY 1 LIMIT 1) FROM t WHERE t.w IS NOT NULL) "
        "SELECT w FROM t WHERE w IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


def _local_words() -> tuple[list[str], list[str], set[str], set[str]] | None:
    kept = getattr(_local, "words", None)
    if kept is None or time.monotonic() - kept[0] > LOCAL_SECONDS:
        return None
    return kept[1]


def _keep_locally(words: tuple[list[str], list[str]]) -> None:
    families, givens = words
    _local.absent_since = None
    _local.words = (time.monotonic(), (families, givens, set(families), set(givens)))


def forget_local() -> None:
    """Drop this process's copy (tests, whose rows are rolled back)."""
    _local.words = None
    _local.absent_since = None


def vocabulary() -> tuple[list[str], list[str]]:
    if (kept := _local_words()) is not None:
        return kept[0], kept[1]
    words = cache.get("child-name-vocabulary")
    if words is None:
        words = (_distinct(FAMILY), _distinct(GIVEN))
        cache.set("child-name-vocabulary", words, VOCABULARY_SECONDS)
    _keep_locally(words)
    return words


def _one_edit_apart(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1 or any(
            a[:i] + a[i + 1] + a[i] + a[i + 2 :] == b for i in range(len(a) - 1)
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def close_words(word: str, words: list[str]) -> list[str]:
    """The word itself, words it begins (typing in progress) and words one typo away."""
    found = [w for w in words if w == word or (len(word) >= 2 and w.startswith(word))]
    if len(word) >= 3:
        found += [w for w in words if w not in found and _one_edit_apart(word, w)]
    if word not in found:
        found.append(word)  # a name added since the vocabulary was cached
    return found[:MAX_WORDS]


@dataclass(frozen=True)
class Name:
    key: str  # a folded whole name, as in Child.name_key
    score: float  # its trigram similarity to the query
    children: int  # how many records carry it (not merged away), whoever may see them, counted up to a cap


# Each distinct whole name of every (given name, family name) pair close to the query, by a loose scan of
# the index on (given, family, whole name) — one probe per name, however many children carry it — with how
# many children carry it, counted in the same index up to a cap: the work stays flat as the registry grows.
NAMES_SQL = f"""
WITH RECURSIVE pairs (given, family) AS (
    SELECT g, f FROM unnest(%s::text[]) AS g CROSS JOIN unnest(%s::text[]) AS f
), names (given, family, name) AS (
    SELECT given, family, (
        SELECT name_key FROM cases_child
        WHERE merged_into_id IS NULL AND {GIVEN} = pairs.given AND {FAMILY} = pairs.family
        ORDER BY name_key LIMIT 1
    ) FROM pairs
    UNION ALL
    SELECT given, family, (
        SELECT name_key FROM cases_child
        WHERE merged_into_id IS NULL AND {GIVEN} = names.given AND {FAMILY} = names.family AND name_key > names.name
        ORDER BY name_key LIMIT 1
    ) FROM names WHERE names.name IS NOT NULL
)
SELECT scored.name, scored.score, (
    SELECT count(*) FROM (
        SELECT FROM cases_child
        WHERE merged_into_id IS NULL AND {GIVEN} = scored.given AND {FAMILY} = scored.family
            AND name_key = scored.name
        LIMIT %s
    ) AS carried
)
FROM (
    SELECT given, family, name, similarity(name, %s) AS score FROM names WHERE name IS NOT NULL
) AS scored
WHERE scored.score >= %s OR strpos(scored.name, %s) > 0
ORDER BY scored.score DESC, scored.name
"""  # noqa: S608 - constant expressions; the words are parameters


def closest_names(key: str, *, cap: int, at_least: float) -> list[Name]:
    """The names in use whose family and given names are close to KEY's, scoring AT_LEAST or containing
    KEY, most similar first, each with the number of children carrying it (at most CAP).

    Read from the index on (given name, family name, whole name) alone, without visiting the table: the
    names are counted, never shown. Callers read the children of the best names only, through the
    access door."""
    words = key.split()
    families, givens = vocabulary()
    # A single word is taken for the given name, whatever the family name.
    family_words = close_words(words[0], families) if len(words) > 1 else families
    with connection.cursor() as cursor:
        cursor.execute(NAMES_SQL, [close_words(words[-1], givens), family_words, cap, key, at_least, key])
        return [Name(name, score, count) for name, score, count in cursor.fetchall()]


def remember(name_key: str) -> None:
    """Add a new child's family and given names to the cached vocabulary (no wait for its expiry)."""
    words = name_key.split()
    if not words:
        return
    kept = _local_words()
    if kept is not None and words[0] in kept[2] and words[-1] in kept[3]:
        return  # known here: the usual case, no round trip to the cache (issue 23)
    absent_since = getattr(_local, "absent_since", None)
    if kept is None and absent_since is not None and time.monotonic() - absent_since <= LOCAL_SECONDS:
        return  # nothing was cached a moment ago: the next read takes the name from the database
    cached = cache.get("child-name-vocabulary")
    if cached is None:
        _local.absent_since = time.monotonic()
        return
    families, givens = cached
    if words[0] not in families or words[-1] not in givens:
        families = sorted({*families, words[0]})
        givens = sorted({*givens, words[-1]})
        cache.set("child-name-vocabulary", (families, givens), VOCABULARY_SECONDS)
    _keep_locally((families, givens))
