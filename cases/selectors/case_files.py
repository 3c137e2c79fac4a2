"""Reads of case files that list or show them: always scoped by the access door, which records them."""

import contextlib
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connections, router
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from redis.exceptions import RedisError

from agencies.models import AdministrativeUnit
from audit.models import READ_ACTIONS, AuditEvent
from notifications.models import Deadline, DeadlineState
from notifications.selectors import OpenDeadline, open_deadlines_column, open_deadlines_for_targets, open_deadlines_in

from .. import access
from ..choices import OPEN_STATES, CaseState, RiskLevel
from ..models import CaseEvent, CaseFile, CaseFlag, CaseListStamp, InterventionPlan, PlanMeasure, ReportAbuseForm
from ..text import fold, number


@dataclass
class CaseFilters:
    state: str = ""
    risk_level: str = ""
    overdue: bool = False
    commune: int | None = None
    abuse_form: str = ""
    opened_from: datetime.date | None = None
    opened_to: datetime.date | None = None
    query: str = ""
    officer: int | None = None
    is_open: bool = False


def case_list(user, filters: CaseFilters | None = None, *, as_values: bool = False) -> QuerySet[CaseFile]:
    """Case files visible to USER, filtered, newest first. AS_VALUES: the caller reads plain values (counts,
    values_list): no related objects to load."""
    filters = filters or CaseFilters()
    cases = access.cases_visible_to(user)
    if not as_values:
        cases = cases.select_related("child", "commune", "report")
    if filters.state:
        cases = cases.filter(state=filters.state)
    if filters.risk_level:
        cases = cases.filter(risk_level=filters.risk_level)
    if filters.officer:
        cases = cases.filter(officer_id=filters.officer)
    if filters.is_open:
        cases = cases.filter(state__in=OPEN_STATES)
    if filters.commune:
        cases = cases.filter(commune_id=filters.commune)
    if filters.abuse_form:
        cases = cases.filter(
            Exists(ReportAbuseForm.objects.filter(report_id=OuterRef("report_id"), form=filters.abuse_form))
        )
    if filters.opened_from:
        cases = cases.filter(opened_at__date__gte=filters.opened_from)
    if filters.opened_to:
        cases = cases.filter(opened_at__date__lte=filters.opened_to)
    if filters.overdue:
        cases = cases.filter(
            Exists(
                Deadline.objects.filter(
                    target_type=ContentType.objects.get_for_model(CaseFile),
                    target_id=OuterRef("pk"),
                    state=DeadlineState.OPEN,
                    due_at__lt=timezone.now(),
                )
            )
        )
    if filters.query.strip():
        typed = filters.query.strip()
        key = fold(typed)
        found = Q(child__name_key__contains=key) | Q(reference__iexact=typed)
        if (said := number(typed)) is not None and len(typed) <= 9:
            # A case file's number as said on the phone: "56" or "000056" for HS-2026-000056.
            found |= Q(reference__endswith=f"-{said:06d}")
        cases = cases.filter(found)
    return cases.order_by("-opened_at", "-pk")


@dataclass(frozen=True)
class CaseRow:
    """One line of the case list: plain values, no model objects to build."""

    pk: int
    reference: str
    state: str
    risk_level: str
    opened_at: datetime.datetime
    child_name: str
    commune_name: str
    is_flagged: bool = False  # a supervisor's flag holds today
    deadlines: tuple[OpenDeadline, ...] = ()  # its open deadlines, soonest due first

    def get_state_display(self) -> str:
        return str(CaseState(self.state).label)

    def get_risk_level_display(self) -> str:
        return str(RiskLevel(self.risk_level).label) if self.risk_level else ""


ROW_FIELDS = ("pk", "reference", "state", "risk_level", "opened_at", "child__full_name", "commune__name")


def case_list_page(user, filters: CaseFilters | None, number, *, per_page: int = 50, query_string: str = ""):
    """A page of the case list, its read recorded: the paginator counts on the bare filtered query (no
    joins), the page's rows come as plain values with their open deadlines (in the same query where the
    database allows). An unfiltered page of a commune's list is kept in the shared cache until the database
    stamps one of its communes anew (`_kept_page`): the officer's list, opened many times a day, is read once
    per change. Returns (page, rows)."""
    # The communes' names from the user's memberships when their area is made of them (no join); a file
    # another commune transfers to them is named by one more query.
    names = access.commune_names_at_hand(user)
    kept = _kept_page(user, filters, number, per_page, router.db_for_read(CaseFile))
    if kept is not None and kept.rows is not None:
        found = kept.rows
        page = Paginator(_KeptRows(kept.count, found), per_page).get_page(number)
    else:
        cases = case_list(user, filters, as_values=True)
        page = Paginator(cases, per_page).get_page(number)
        found = _page_rows(cases, page, per_page, names) if page.paginator.count else []
        if kept is not None:
            kept.store(page.paginator.count, found)
    rows = []
    if found:
        today, flags = timezone.localdate(), flags_in_area(user)
        if names:
            if missing := {row[6] for row in found} - names.keys():
                names = {**names, **dict(AdministrativeUnit.objects.filter(pk__in=missing).values_list("pk", "name"))}
            found = [(*row[:6], names.get(row[6], ""), *row[7:]) for row in found]
        rows = [
            CaseRow(*row[:-1], is_flagged=flags.get(row[0], datetime.date.min) >= today, deadlines=tuple(row[-1]))
            for row in found
        ]
    access.record_read("view", "case_list", fields={"cases": [row.pk for row in rows], "query": query_string})
    return page, rows


def _page_rows(cases, page, per_page: int, names: dict) -> list[tuple]:
    """The page's rows as plain values, each ending with its open deadlines (a commune's id in the place of its
    name when NAMES has them)."""
    start = page.start_index() - 1
    fields = (*ROW_FIELDS[:-1], "commune_id") if names else ROW_FIELDS
    deadlines = open_deadlines_column(CaseFile, cases.db)
    if deadlines is None:
        found = cases.values_list(*fields)[start : start + per_page]
        held = open_deadlines_for_targets(CaseFile, [row[0] for row in found])
        return [(*row, held.get(row[0], ())) for row in found]
    found = cases.annotate(open_deadlines=deadlines).values_list(*fields, "open_deadlines")
    return [(*row[:-1], open_deadlines_in(row[0], row[-1])) for row in found[start : start + per_page]]


# Part of the key: a release that keeps the rows in another form never reads the form before it.
KEPT_FORMAT = 1
_CACHE_ERRORS = (OSError, RedisError)


@dataclass
class _Kept:
    """Where a page of the list is kept, and what was found there (ROWS None: nothing)."""

    key: str
    count: int = 0
    rows: list[tuple] | None = None

    def store(self, count: int, rows: list[tuple]) -> None:
        # Deadlines as plain tuples: unpickling a dataclass per deadline cost more than making it.
        plain = [(*row[:-1], [(d.kind, d.starts_at, d.due_at) for d in row[-1]]) for row in rows]
        with contextlib.suppress(*_CACHE_ERRORS):
            cache.set(self.key, (count, plain), settings.CASE_LIST_KEPT_SECONDS)

    def read(self) -> None:
        with contextlib.suppress(*_CACHE_ERRORS):
            found = cache.get(self.key)
            if found is not None:
                self.count, plain = found
                self.rows = [(*row[:-1], [OpenDeadline(row[0], *d) for d in row[-1]]) for row in plain]


class _KeptRows:
    """A kept page's rows as the paginator's list: their count, and the page it asks for."""

    def __init__(self, count: int, rows: list[tuple]):
        self._count, self._rows = count, rows

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self._rows


def _kept_page(user, filters: CaseFilters | None, number, per_page: int, using: str) -> _Kept | None:
    """Where an unfiltered page of a commune's list is kept, read (None: such a list is not kept). The key holds
    the stamps of the user's communes, read from the database BEFORE the rows are: a change committed in between
    stamps a commune anew, so rows are never kept under a stamp older than they are; and the door's generation
    and the user (cases.access.list_kept_under)."""
    if settings.CASE_LIST_KEPT_SECONDS <= 0 or connections[using].vendor != "postgresql":
        return None  # not kept by the operator's choice, or no triggers (SQLite)
    if filters is not None and filters != CaseFilters():
        return None  # a filter may read what no stamp covers (forms of abuse, officers)
    number = str(number or "1")
    if not number.isdigit() or len(number) > 6:
        return None
    kept_under = access.list_kept_under(user)
    if kept_under is None:
        return None
    communes, generation = kept_under
    stamps = _stamps(using, communes)
    listed = ",".join(f"{commune}.{stamps.get(commune, 0)}" for commune in communes)
    database = connections[using].settings_dict["NAME"]
    kept = _Kept(f"case-list:{KEPT_FORMAT}:{database}:{generation}:{user.pk}:{per_page}:{number}:{listed}")
    kept.read()
    return kept


def _stamps(using: str, communes: tuple[int, ...]) -> dict[int, int]:
    """The communes' stamps (a commune without one has never held a case file): a primary-key lookup written by
    hand, the ORM's building of it costing more than the query."""
    table = connections[using].ops.quote_name(CaseListStamp._meta.db_table)
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT commune_id, stamp FROM {table} WHERE commune_id = ANY(%s)", [list(communes)])  # noqa: S608
        return dict(cursor.fetchall())


def flags_in_area(user) -> dict[int, datetime.date]:
    """The flags raised on the case files the user sees in full and not lifted (a handful), as case file →
    the last day one holds, kept with the user's memberships (raising or lifting one renews them): a list
    marks its rows from them instead of asking the database row by row."""

    def read() -> dict[int, datetime.date]:
        held: dict[int, datetime.date] = {}
        visible = access.cases_visible_to(user).values("pk")
        rows = CaseFlag.objects.filter(lifted_at__isnull=True, until__gte=timezone.localdate(), case__in=visible)
        for case_id, until in rows.values_list("case_id", "until"):
            held[case_id] = max(until, held.get(case_id, until))
        return held

    return access.kept_about(user, "flags", read)


def case_detail(user, pk, *, purpose: str | None = "view", fields: dict | None = None) -> CaseFile:
    """One case file with everything its page shows, in a fixed number of queries."""
    queryset = CaseFile.objects.select_related(
        "child", "child__residence_commune", "child__residence_hamlet", "commune", "report", "officer", "transfer_to"
    ).prefetch_related(
        "report__abuse_forms",
        "child__caregivers",
        "child__circumstances",
        "initial_assessments",
        "emergency_measures",
        "specific_assessments",
        "reviews",
        # The current safety plan first (SafetyPlan's ordering: newest version first).
        "safety_plans",
        Prefetch(
            "plans",
            queryset=InterventionPlan.objects.prefetch_related(
                Prefetch("measures", queryset=PlanMeasure.objects.select_related("agency", "provider"))
            ),
        ),
        "notes__author",
        "attachments",
    )
    case = access.case_for_user(user, pk, queryset=queryset, purpose=purpose, fields=fields)
    prefetch_related_objects([case], Prefetch("events", queryset=timeline_of(case)))
    return case


# Every event of a case file is written after the file is opened (its opening time is the report's time of
# receipt, which may lie at most a few minutes ahead); the margin is wide all the same.
TIMELINE_MARGIN = datetime.timedelta(days=1)


def timeline_of(case: CaseFile) -> QuerySet[CaseEvent]:
    """The case file's events, oldest first. Bounded by the file's opening: the timeline is partitioned by
    month, and without the bound every month's partition is planned and searched."""
    return CaseEvent.objects.filter(case=case, at__gte=case.opened_at - TIMELINE_MARGIN).select_related("actor")


def case_viewers(case) -> list[dict]:
    """Who has opened this case file, how often and when last (for the responsible officer)."""
    return list(
        AuditEvent.objects.filter(case_id=case.pk, action__in=READ_ACTIONS)
        .values("user__username", "user__first_name")
        .annotate(times=Count("pk"), last=Max("at"))
        .order_by("-last")
    )
