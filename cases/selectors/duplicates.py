"""Possible duplicate records of a child: the same child registered twice (a typo, diacritics typed or not,
a report from another receiving point).

Two records are suggested when their folded names (diacritics removed, đ→d) end in the same given name and
are similar as a whole (pg_trgm similarity ≥ NAME_SIMILARITY, so a family or middle name typed differently
still matches), they carry the same date of birth (or the same year, when only the year of one is known),
and they live in the same commune or share a caregiver's name. A human decides (the comparison page).

On PostgreSQL each child's partners are found through one partial index on (given name, date of birth) of the
records not merged away (cases migration 0017): one index probe per child, so the suggestion for a child
costs the same among a thousand or a million. The jurisdiction's list walks its children newest first, a
window of WINDOW children per page (each pair shows once, at its newer record), so a page costs WINDOW
probes whatever the size of the area. Other databases (the embedded SQLite) compare in Python.
"""

import difflib
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from .. import access
from ..models import Caregiver, CaseFile, Child, ChildCircumstance, ChildMerge, DuplicateDismissal
from ..text import fold

NAME_SIMILARITY = 0.5
WINDOW = 500  # a page stays well under 150 ms at a million children (make bench --only duplicates)

GIVEN = "reverse(split_part(reverse({t}.name_key), ' ', 1))"
_YEAR_START = "date_trunc('year', r.birth_date)::date"
_YEAR_END = "(date_trunc('year', r.birth_date) + interval '1 year')::date"
# One branch per way two dates of birth can agree; the third runs only for a child whose year alone is known.
_BRANCHES = (
    "o.birth_date = r.birth_date",
    f"o.birth_year_only AND o.birth_date >= {_YEAR_START} AND o.birth_date < {_YEAR_END}",
    f"r.birth_year_only AND o.birth_date >= {_YEAR_START} AND o.birth_date < {_YEAR_END}",
)


@dataclass
class DuplicatePair:
    """CHILD (the newer record, or the one asked about) and OTHER, and why they look the same."""

    child: Child
    other: Child
    similarity: float
    same_birth_date: bool
    same_commune: bool
    shared_caregivers: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return round(
            self.similarity + 0.2 * self.same_birth_date + 0.1 * self.same_commune + 0.2 * bool(self.shared_caregivers),
            3,
        )


@dataclass
class DuplicatePage:
    pairs: list[DuplicatePair]
    # The window looked at: the newest children up to this id (None: from the newest), and where the next
    # window starts (None: every child of the area has been looked at).
    before: int | None
    next_before: int | None
    looked_at: int


SEED_COLUMNS = ("pk", "name_key", "birth_date", "birth_year_only")


def _partners_sql(seed_sql: str, *, newer_only: bool) -> str:
    """For each child SEED_SQL selects (SEED_COLUMNS), its partners (id, similarity) by name and date of
    birth; a child without any comes once with NULLs (the caller counts the children looked at)."""
    common = (
        f"o.merged_into_id IS NULL AND o.id <> r.pk AND {GIVEN.format(t='o')} = {GIVEN.format(t='r')} "
        "AND similarity(o.name_key, r.name_key) >= %s"
    )
    if newer_only:
        common += " AND o.id < r.pk"
    branches = " UNION ALL ".join(
        f"(SELECT o.id, similarity(o.name_key, r.name_key) AS similarity FROM cases_child o "  # noqa: S608
        f"WHERE {common} AND {branch})"
        for branch in _BRANCHES
    )
    return (
        f"WITH seed AS MATERIALIZED ({seed_sql}) "  # noqa: S608 - composed from constants and the ORM's SQL
        "SELECT r.pk, p.id, p.similarity FROM seed r "
        f"LEFT JOIN LATERAL ({branches}) p ON true"
    )


def _partners_postgresql(seed, *, newer_only: bool, window: int) -> tuple[list[tuple[int, int, float]], list[int]]:
    seed_sql, seed_params = seed.values(*SEED_COLUMNS)[:window].query.sql_with_params()
    params = [*seed_params, *[NAME_SIMILARITY] * len(_BRANCHES)]
    with connection.cursor() as cursor:
        cursor.execute(_partners_sql(seed_sql, newer_only=newer_only), params)
        rows = cursor.fetchall()
    looked_at = list(dict.fromkeys(row[0] for row in rows))
    # A partner found by two branches (both dates equal and one year-only) comes twice: once is enough.
    partners = {(row[0], row[1]): float(row[2]) for row in rows if row[1] is not None}
    return [(child, other, similarity) for (child, other), similarity in partners.items()], looked_at


def _birth_agrees(a: Child, b: Child) -> bool:
    if a.birth_date == b.birth_date:
        return True
    return (a.birth_year_only or b.birth_year_only) and a.birth_date.year == b.birth_date.year


def _partners_python(seed, *, newer_only: bool, window: int) -> tuple[list[tuple[int, int, float]], list[int]]:
    return _partners_of_seeds(list(seed.only(*SEED_COLUMNS)[:window]), newer_only=newer_only)


def _partners_of_seeds(seeds: list, *, newer_only: bool) -> tuple[list[tuple[int, int, float]], list[int]]:
    years = {child.birth_date.year for child in seeds}
    pool = Child.objects.filter(merged_into__isnull=True, birth_date__year__in=years).only(
        "pk", "name_key", "birth_date", "birth_year_only"
    )
    by_given = {}
    for other in pool:
        by_given.setdefault(other.name_key.split()[-1] if other.name_key else "", []).append(other)
    found = []
    for child in seeds:
        given = child.name_key.split()[-1] if child.name_key else ""
        for other in by_given.get(given, []):
            if other.pk == child.pk or (newer_only and other.pk > child.pk) or not _birth_agrees(child, other):
                continue
            ratio = difflib.SequenceMatcher(None, child.name_key, other.name_key).ratio()
            if ratio >= 0.75:
                found.append((child.pk, other.pk, round(ratio, 3)))
    return found, [child.pk for child in seeds]


@dataclass(frozen=True)
class Candidate:
    """A child not yet registered (a row of a register being imported), compared like a record."""

    pk: int  # negative: never a record's id
    name_key: str
    birth_date: object
    birth_year_only: bool


def partners_of_candidates(candidates: list[Candidate]) -> list[tuple[int, int, float]]:
    """(candidate pk, registered child's id, similarity) for the CANDIDATES, by the same rule as the
    records' pairs (given name, similar name, agreeing date of birth): on PostgreSQL one statement
    whose seed is the candidates' VALUES, through the same partial index."""
    if not candidates:
        return []
    if connection.vendor != "postgresql":
        return _partners_of_seeds(candidates, newer_only=False)[0]
    values = ", ".join(["(%s::bigint, %s::text, %s::date, %s::boolean)"] * len(candidates))
    seed_sql = f"SELECT * FROM (VALUES {values}) AS v(pk, name_key, birth_date, birth_year_only)"  # noqa: S608
    params = [value for c in candidates for value in (c.pk, c.name_key, c.birth_date, c.birth_year_only)]
    with connection.cursor() as cursor:
        cursor.execute(_partners_sql(seed_sql, newer_only=False), [*params, *[NAME_SIMILARITY] * len(_BRANCHES)])
        rows = cursor.fetchall()
    partners = {(row[0], row[1]): float(row[2]) for row in rows if row[1] is not None}
    return [(child, other, similarity) for (child, other), similarity in partners.items()]


def _pairs(user, seed, *, newer_only: bool, window: int = 1) -> tuple[list[DuplicatePair], list[int]]:
    """The suggested pairs for the children SEED selects, partners limited to the user's area and kept only
    when the two live in the same commune or share a caregiver's name; and the ids of the children looked at."""
    if connection.vendor == "postgresql":
        partners, looked_at = _partners_postgresql(seed, newer_only=newer_only, window=window)
    else:
        partners, looked_at = _partners_python(seed, newer_only=newer_only, window=window)
    if not partners:
        return [], looked_at
    ids = {pk for row in partners for pk in row[:2]}
    children = {
        child.pk: child
        for child in access.children_for_duplicates(user).filter(pk__in=ids).select_related("residence_commune")
    }
    dismissed = set(
        DuplicateDismissal.objects.filter(first_id__in=list(children), second_id__in=list(children)).values_list(
            "first_id", "second_id"
        )
    )
    caregivers: dict[int, set[str]] = {}
    for child_id, name in Caregiver.objects.filter(child_id__in=list(children)).values_list("child_id", "full_name"):
        if key := fold(name):
            caregivers.setdefault(child_id, set()).add(key)
    pairs = []
    for child_id, other_id, similarity in partners:
        child, other = children.get(child_id), children.get(other_id)
        if child is None or other is None or tuple(sorted((child_id, other_id))) in dismissed:
            continue
        shared = sorted(caregivers.get(child_id, set()) & caregivers.get(other_id, set()))
        same_commune = child.residence_commune_id == other.residence_commune_id
        if not (same_commune or shared):
            continue
        pairs.append(
            DuplicatePair(
                child=child,
                other=other,
                similarity=similarity,
                same_birth_date=child.birth_date == other.birth_date,
                same_commune=same_commune,
                shared_caregivers=shared,
            )
        )
    return pairs, looked_at


def duplicates_of_child(user, child: Child, *, record: bool = False) -> list[DuplicatePair]:
    """The records that look like CHILD's, best first (none unless the user resolves duplicates there)."""
    if child.merged_into_id is not None or not access.can_resolve_duplicates(user, child):
        return []
    pairs, _looked_at = _pairs(user, Child.objects.filter(pk=child.pk), newer_only=False)
    pairs.sort(key=lambda pair: -pair.score)
    if record and pairs:
        access.record_read(
            "view", "child_search", fields={"duplicates_of": child.pk, "children": [p.other.pk for p in pairs]}
        )
    return pairs


def duplicate_pairs(user, *, before: int | None = None, window: int = WINDOW) -> DuplicatePage:
    """Suggested pairs among the user's area's children, for a window of the WINDOW newest children below
    BEFORE (each pair once, at its newer record), newest first. The read is recorded."""
    seed = access.children_for_duplicates(user)
    if before is not None:
        seed = seed.filter(pk__lt=before)
    # The window is the seed query itself (newest first): one statement finds the pairs.
    pairs, looked_at = _pairs(user, seed.order_by("-pk"), newer_only=True, window=window)
    pairs.sort(key=lambda pair: (-pair.child.pk, -pair.score))
    access.record_read(
        "view",
        "child_search",
        fields={"duplicates": [[pair.child.pk, pair.other.pk] for pair in pairs], "before": before},
    )
    return DuplicatePage(
        pairs=pairs,
        before=before,
        next_before=min(looked_at) if len(looked_at) == window else None,
        looked_at=len(looked_at),
    )


# ---------------------------------------------------------------------------------------------- side by side


@dataclass
class Comparison:
    """Two records (each with its case files, caregivers and circumstances) and their fields, row by row."""

    records: list[Child]
    rows: list[tuple[str, list[str], bool]]  # label, the value on each record, whether they differ


def _birth(child: Child) -> str:
    return str(child.birth_date.year) if child.birth_year_only else child.birth_date.strftime("%d/%m/%Y")


COMPARED = (
    (_("Full name"), lambda child: child.full_name),
    (_("Date of birth"), _birth),
    (_("Sex"), lambda child: child.get_sex_display()),
    (_("Ethnic group"), lambda child: child.get_ethnicity_display()),
    (_("Personal identification number"), lambda child: child.personal_id),
    (_("Commune of residence"), lambda child: child.residence_commune.name),
    (_("Hamlet"), lambda child: child.residence_hamlet.name if child.residence_hamlet else ""),
    (_("Address"), lambda child: child.address),
    (_("School"), lambda child: child.school),
    (_("Disability"), lambda child: child.disability),
)


def _with_records(children):
    return children.select_related("residence_commune", "residence_hamlet").prefetch_related(
        Prefetch(
            "case_files",
            queryset=CaseFile.objects.select_related("commune", "report").order_by("opened_at", "pk"),
            to_attr="files",
        ),
        Prefetch("caregivers", queryset=Caregiver.objects.order_by("pk"), to_attr="people"),
        Prefetch("circumstances", queryset=ChildCircumstance.objects.order_by("pk"), to_attr="groups"),
    )


def comparison(first: Child, second: Child) -> Comparison:
    """FIRST and SECOND side by side (the access door let the user see both and all their case files)."""
    loaded = {child.pk: child for child in _with_records(Child.objects.filter(pk__in=[first.pk, second.pk]))}
    records = [loaded[first.pk], loaded[second.pk]]
    rows = []
    for label, value in COMPARED:
        values = [value(child) or "—" for child in records]
        # Exact: a name typed without diacritics is the difference the officer must see to choose.
        rows.append((str(label), values, values[0] != values[1]))
    for index, record in enumerate(records):
        record.compared = [(label, values[index], differs) for label, values, differs in rows]
    return Comparison(records=records, rows=rows)


def case_files_of_record(child: Child) -> list[CaseFile]:
    return list(CaseFile.objects.filter(child=child).select_related("commune").order_by("opened_at", "pk"))


def merges_into_child(user, child: Child, *, limit: int = 3) -> list[ChildMerge]:
    """The latest merges that brought another record into CHILD (for its case page), if the user resolves
    duplicates there."""
    if not access.can_resolve_duplicates(user, child):
        return []
    return list(ChildMerge.objects.filter(kept=child).order_by("-merged_at")[:limit])
