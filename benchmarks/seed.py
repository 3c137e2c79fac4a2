"""National-scale data for the benchmarks, written with PostgreSQL COPY, deterministic for a seed.

All 34 provinces and 3,321 communes (the official list), agencies and staff in every commune and
province, children with Vietnamese names, reports and case files spread over five years in every
workflow state with their timeline events, assessments, plans, assignments and progress, open
deadlines (those of the open case files and assignments, the rest on the monthly occurrences of each
commune's plan tasks) and notifications.
"""

import collections
import contextlib
import datetime
import itertools
import json
import math
import random
import time
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from cases.text import fold
from config import partitions

FAMILY = [
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 5.1), ("Huỳnh", 4), ("Phan", 4.5),
    ("Vũ", 3.9), ("Võ", 3), ("Đặng", 2.1), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1),
    ("Lý", 0.5), ("Đinh", 0.8), ("Lò", 0.3), ("Mùa", 0.2), ("Giàng", 0.2), ("Thạch", 0.2), ("Kim", 0.2),
    ("Hà", 0.6), ("Lường", 0.2), ("Sùng", 0.2), ("Vàng", 0.2), ("Tô", 0.3), ("Lâm", 0.5), ("Mai", 0.4),
]  # fmt: skip
MIDDLE_F = ["Thị", "Ngọc", "Thu", "Thanh", "Khánh", "Bảo", "Minh", "Mỹ", "Hồng", "Phương", "Diệu", "Kim"]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Gia", "Thành", "Công", "Anh", "Trọng", "Bảo", "Đình"]
GIVEN_F = [
    "An", "Anh", "Châu", "Chi", "Diệp", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Huyền", "Hương",
    "Lan", "Linh", "Loan", "Ly", "Mai", "My", "Mỷ", "Ngân", "Ngọc", "Nhi", "Nhung", "Oanh", "Phương", "Quỳnh",
    "Thảo", "Thư", "Trang", "Trâm", "Tuyết", "Uyên", "Vân", "Vy", "Xuân", "Yến",
]  # fmt: skip
GIVEN_M = [
    "An", "Bảo", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Đức", "Hải", "Hào", "Hiếu", "Hoàng", "Huy", "Hùng",
    "Khang", "Khánh", "Khoa", "Kiên", "Lâm", "Long", "Lộc", "Minh", "Nam", "Nghĩa", "Phát", "Phong", "Phúc",
    "Quân", "Sơn", "Tài", "Thắng", "Thịnh", "Toàn", "Trung", "Tú", "Tuấn", "Việt", "Vinh", "Chứ", "Dế", "Páo",
]  # fmt: skip
ETHNICITY = [("01", 85.3), ("02", 1.9), ("03", 1.9), ("04", 1.8), ("05", 1.5), ("06", 1.3), ("07", 1.3),
             ("08", 1.2), ("09", 1.0), ("10", 0.8), ("12", 0.6), ("13", 0.5), ("14", 0.5), ("17", 0.4)]  # fmt: skip
SOURCES = [("walk_in", 18), ("phone", 12), ("hotline_111", 20), ("school", 16), ("health", 7), ("police", 10),
           ("collaborator", 9), ("media", 2), ("online", 4), ("other", 2)]  # fmt: skip
SETTINGS = [("family", 55), ("school", 12), ("community", 20), ("online", 6), ("workplace", 3), ("other", 4)]
FORMS = [("violence", 38), ("sexual_molestation", 10), ("sexual_rape", 5), ("sexual_intercourse", 6),
         ("neglect", 16), ("abandonment", 7), ("exploitation", 6), ("trafficking", 1), ("sexual_coercion", 2),
         ("sexual_exploitation", 1), ("other", 8)]  # fmt: skip
SERVICES = {"police": "police", "health": "medical", "education": "education"}
# The procedure's path; a case's state is a prefix of it (plus the side states).
PATH = ["received", "assessed", "investigated", "plan_submitted", "in_intervention", "reviewed",
        "closure_proposed", "closed"]  # fmt: skip
ACTION_INTO = {"assessed": "assess", "investigated": "investigate", "plan_submitted": "submit_plan",
               "in_intervention": "approve_plan", "reviewed": "review", "closure_proposed": "review",
               "closed": "approve_closure", "not_child_protection": "mark_not_child_protection"}  # fmt: skip
CASE_TABLES = [
    "notifications_delivery", "notifications_notification", "notifications_escalationfire", "notifications_deadline",
    "notifications_outboxmessage", "audit_auditevent", "cases_assignmentprogress", "cases_assignment",
    "cases_planmeasure", "cases_interventionplan", "cases_initialassessment", "cases_emergencymeasure",
    "cases_caseevent", "cases_note", "cases_casefile", "cases_reportabuseform", "cases_report",
    "cases_childcircumstance", "cases_caregiver", "cases_child", "plans_taskoccurrence", "plans_plantask",
    "plans_plansection", "plans_plan", "reports_periodicreport", "agencies_staffmembership", "agencies_agency",
    "auth_user_groups", "auth_user", "cases_caseliststamp",
]  # fmt: skip


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    cumulative = list(itertools.accumulate(weights))
    total = cumulative[-1]

    def pick():
        return values[_bisect(cumulative, rng.random() * total)]

    return pick


def _bisect(cumulative, x) -> int:
    low, high = 0, len(cumulative)
    while low < high:
        middle = (low + high) // 2
        if cumulative[middle] <= x:
            low = middle + 1
        else:
            high = middle
    return min(low, len(cumulative) - 1)


@dataclass
class Written:
    rows: dict = field(default_factory=dict)

    def add(self, table: str, count: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + count


def copy_rows(table: str, columns: list[str], rows, written: Written | None = None) -> int:
    """Stream ROWS (tuples in COLUMNS order) into TABLE with COPY; returns how many."""
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.connection.cursor() as raw,
        raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
    if written is not None:
        written.add(table, count)
    return count


def _set_sequences(tables: list[str]) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT max(id) FROM {table}), 1))"
            )


def seed(*, children: int, cases: int, deadlines: int, seed_value: int = 2026, as_of=None, log=print) -> dict:
    """Replace the case data of the current database with a generated country; returns rows per table."""
    if connection.vendor != "postgresql":
        raise RuntimeError("bench_seed needs PostgreSQL (COPY)")
    started = time.perf_counter()
    rng = random.Random(seed_value)
    now = as_of or timezone.now().replace(microsecond=0)
    written = Written()

    from agencies.models import AdministrativeUnit
    from notifications.services import ladders_ensure_defaults

    if AdministrativeUnit.objects.filter(level="commune").count() < 3000:
        call_command("load_admin_units", verbosity=0)
    ladders_ensure_defaults()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(CASE_TABLES)} RESTART IDENTITY CASCADE")
    with _list_stamps_after():
        _seed_rows(rng, now, written, log, started, children=children, cases=cases, deadlines=deadlines)
    from agencies.access import access_changed

    access_changed()  # users and memberships were written by COPY: nothing kept from an earlier seed holds
    with connection.cursor() as cursor:
        # As autovacuum would leave them in production: statistics, and the visibility map that lets
        # counts be answered from indexes alone.
        cursor.execute("VACUUM ANALYZE")
    return {"rows": written.rows, "seconds": round(time.perf_counter() - started, 1), "seed": seed_value}


# The tables whose triggers stamp the case lists (cases.list_stamps), and each one's triggers.
_STAMPING = {
    "cases_casefile": ["cases_casefile_stamp_lists"],
    "notifications_deadline": ["cases_deadline_stamp_lists", "cases_deadline_changed_stamp_lists"],
    "cases_child": ["cases_child_stamp_lists"],
}


@contextlib.contextmanager
def _list_stamps_after():
    """The case lists' stamps written once for every commune at the end, not by a trigger per row copied (a
    million rows): every commune holding or receiving a file is stamped anew."""
    with connection.cursor() as cursor:
        for table, triggers in _STAMPING.items():
            for trigger in triggers:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for table, triggers in _STAMPING.items():
                for trigger in triggers:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
            cursor.execute(
                "SELECT cases_stamp_lists(VARIADIC ARRAY(SELECT commune_id FROM cases_casefile "
                "UNION SELECT transfer_to_id FROM cases_casefile WHERE transfer_to_id IS NOT NULL))"
            )


def _seed_rows(rng, now, written, log, started, *, children: int, cases: int, deadlines: int) -> None:
    from agencies.models import AdministrativeUnit, AgencyType
    from notifications.models import EscalationLadder

    # The timeline and the audit trail are partitioned by month: a partition for every month the data
    # spans (five years back), made while the default partition is empty, as in service.
    oldest = (now - datetime.timedelta(days=5 * 365 + 31)).date()
    months = (now.year - oldest.year) * 12 + now.month - oldest.month
    partitions.ensure_partitions(today=oldest, months_ahead=months + partitions.MONTHS_AHEAD)
    types = dict(AgencyType.objects.values_list("code", "pk"))
    provinces = list(AdministrativeUnit.objects.filter(level="province").order_by("code").values("pk", "name", "path"))
    communes = list(
        AdministrativeUnit.objects.filter(level="commune", is_active=True).order_by("code").values("pk", "name", "path")
    )
    province_of = {c["pk"]: int(c["path"].strip("/").split("/")[0]) for c in communes}
    log(f"units: {len(provinces)} provinces, {len(communes)} communes")

    # ------------------------------------------------------------------ agencies, users, memberships
    password = make_password("bench-2026")
    now_text = now.isoformat()
    agencies, users, memberships = [], [], []
    staff = {}  # commune pk → {"officer", "chairman", "police", ...: (user id, agency id)}
    agency_id = user_id = 0

    def add_user(username, first, last):
        nonlocal user_id
        user_id += 1
        users.append(
            (user_id, password, False, username, first, last, f"{username}@bench.invalid", False, True, now_text)
        )
        return user_id

    def add_agency(name, code, unit_pk):
        nonlocal agency_id
        agency_id += 1
        agencies.append((agency_id, name, "", "", "", True, now_text, unit_pk, types[code]))
        return agency_id

    membership_id = 0

    def member(user, role, agency, unit):
        nonlocal membership_id
        membership_id += 1
        memberships.append((membership_id, role, "", True, now_text, agency, unit, user))

    for province in provinces:
        code = province["path"].strip("/")
        social = add_agency(f"Sở Y tế {province['name']}", "social_affairs", province["pk"])
        committee = add_agency(f"UBND {province['name']}", "peoples_committee", province["pk"])
        member(add_user(f"dp.{code}", "Điều phối", province["name"]), "coordinator", social, province["pk"])
        member(add_user(f"ld.{code}", "Lãnh đạo", province["name"]), "leader", committee, province["pk"])
    for commune in communes:
        pk, name = commune["pk"], commune["name"]
        committee = add_agency(f"UBND {name}", "peoples_committee", pk)
        entry = {}
        officer = add_user(f"cb.{pk}", "Cán bộ", name)
        member(officer, "commune_officer", committee, pk)
        entry["officer"] = (officer, committee)
        chairman = add_user(f"ct.{pk}", "Chủ tịch", name)
        member(chairman, "chairman", committee, pk)
        entry["chairman"] = (chairman, committee)
        for code, prefix, label in (
            ("police", "ca", "Công an"),
            ("health", "yt", "Trạm Y tế"),
            ("education", "gd", "Trường"),
        ):
            agency = add_agency(f"{label} {name}", code, pk)
            focal = add_user(f"{prefix}.{pk}", label, name)
            member(focal, "focal_point", agency, pk)
            entry[code] = (focal, agency)
        staff[pk] = entry
    copy_rows(
        "auth_user",
        [
            "id",
            "password",
            "is_superuser",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
        ],
        users,
        written,
    )
    copy_rows(
        "agencies_agency",
        ["id", "name", "address", "phone", "email", "is_active", "created_at", "unit_id", "agency_type_id"],
        agencies,
        written,
    )
    copy_rows(
        "agencies_staffmembership",
        ["id", "role", "title", "is_active", "created_at", "agency_id", "unit_id", "user_id"],
        memberships,
        written,
    )
    log(f"staff: {len(users)} users, {len(agencies)} agencies ({time.perf_counter() - started:.0f} s)")

    # ------------------------------------------------------------------ children
    commune_weights = [rng.lognormvariate(0, 0.8) for _ in communes]
    pick_commune = _weighted(rng, list(zip(range(len(communes)), commune_weights, strict=True)))
    pick_family = _weighted(rng, FAMILY)
    pick_ethnicity = _weighted(rng, ETHNICITY)
    child_commune = []
    child_birth = []
    by_commune = collections.defaultdict(list)
    personal_ids = set()
    today = now.date()

    def children_rows():
        for child in range(1, children + 1):
            female = rng.random() < 0.49
            name = " ".join(
                (
                    pick_family(),
                    rng.choice(MIDDLE_F if female else MIDDLE_M),
                    rng.choice(GIVEN_F if female else GIVEN_M),
                )
            )
            commune = communes[pick_commune()]["pk"]
            birth = today - datetime.timedelta(days=rng.randrange(30, 17 * 365))
            child_commune.append(commune)
            child_birth.append(birth)
            by_commune[commune].append(child)
            personal_id = ""
            if rng.random() < 0.6:
                number = rng.randrange(10**11, 10**12)
                while number in personal_ids:  # unique (a constraint): a few draws in millions meet again
                    number = rng.randrange(10**11, 10**12)
                personal_ids.add(number)
                personal_id = str(number)
            yield (
                child, name, fold(name), birth, False, "female" if female else "male", pick_ethnicity(), personal_id,
                "", "", "", now, now, staff[commune]["officer"][0], commune,
            )  # fmt: skip

    copy_rows(
        "cases_child",
        ["id", "full_name", "name_key", "birth_date", "birth_year_only", "sex", "ethnicity", "personal_id", "address",
         "school", "disability", "created_at", "updated_at", "created_by_id", "residence_commune_id"],
        children_rows(),
        written,
    )  # fmt: skip
    log(f"children: {children} ({time.perf_counter() - started:.0f} s)")

    # ------------------------------------------------------------------ reports, case files and their history
    pick_source = _weighted(rng, SOURCES)
    pick_setting = _weighted(rng, SETTINGS)
    pick_form = _weighted(rng, FORMS)
    span = 5 * 365 * 24 * 3600
    case_rows, report_rows, form_rows, event_rows = [], [], [], []
    assessment_rows, plan_rows, measure_rows, assignment_rows, progress_rows = [], [], [], [], []
    open_cases = []  # (case id, state, opened_at, commune)
    open_assignments = []  # (assignment id, status, created_at, due date, commune)
    report_id = case_id = event_id = form_id = plan_id = measure_id = assignment_id = progress_id = 0
    taken = set()
    while case_id < cases:
        report_id += 1
        # Growth over five years: more recent years hold more reports.
        age = span * (1 - math.sqrt(rng.random()))
        received = now - datetime.timedelta(seconds=age)
        first_child = rng.randrange(1, children + 1)
        commune = child_commune[first_child - 1]
        officer, committee = staff[commune]["officer"]
        chairman = staff[commune]["chairman"][0]
        siblings = [first_child]
        if rng.random() < 0.08:  # brothers and sisters reported together, from the same commune
            neighbours = by_commune[commune]
            siblings += [neighbours[rng.randrange(len(neighbours))] for _ in range(rng.choice((1, 2)))]
            siblings = list(dict.fromkeys(siblings))
        siblings = [c for c in siblings if c not in taken][: max(1, cases - case_id)]
        if not siblings:
            continue
        source = pick_source()
        report_rows.append(
            (report_id, received, "hotline_111" if source == "hotline_111" else "commune", source, source == "hotline_111",
             "" if source == "hotline_111" else "Người báo tin", "", "", "", None, pick_setting(), "", "",
             "Nội dung thông tin, thông báo, tố giác (dữ liệu đo hiệu năng).", "", received, commune, officer)
        )  # fmt: skip
        for form in {pick_form() for _ in range(rng.choice((1, 1, 1, 2)))}:
            form_id += 1
            form_rows.append((form_id, form, report_id))
        days = age / 86400
        for child in siblings:
            taken.add(child)
            case_id += 1
            roll = rng.random()
            if days > 180:
                reached = 7 if roll < 0.86 else (4 if roll < 0.93 else 5)
                side = "not_child_protection" if 0.93 <= roll < 0.97 else None
            elif days > 30:
                reached = [4, 4, 4, 5, 5, 6, 7, 2, 3, 3][int(roll * 10)]
                side = None
            else:
                reached = [0, 0, 1, 1, 2, 2, 3, 3, 4, 0][int(roll * 10)]
                side = "not_child_protection" if roll > 0.97 else None
            state = side or PATH[reached]
            risk = rng.choice(("high", "medium", "low", "low")) if reached >= 1 else ""
            closed_at = (
                received + datetime.timedelta(days=min(days - 1, 60 + rng.randrange(200)))
                if state == "closed"
                else None
            )
            updated = closed_at or received + datetime.timedelta(days=min(days, rng.randrange(1, 60)))
            case_rows.append(
                (case_id, f"HS-{received:%Y}-{case_id:06d}", state, risk, False if reached >= 1 else None, "",
                 "safe_and_stable" if state == "closed" else "", "", received, closed_at, 1 + reached, updated, commune,
                 officer, None, child, report_id, False, "legal_duty", "", None)
            )  # fmt: skip
            moments = sorted(
                received + datetime.timedelta(hours=rng.randrange(1, max(2, int(days * 24)))) for _ in range(reached)
            )
            event_id += 1
            event_rows.append((event_id, "received", "", "received", {}, received, officer, case_id))
            for step in range(1, reached + 1):
                event_id += 1
                event_rows.append(
                    (event_id, ACTION_INTO[PATH[step]], PATH[step - 1], PATH[step], {}, moments[step - 1],
                     chairman if PATH[step] == "in_intervention" else officer, case_id)
                )  # fmt: skip
            if side:
                event_id += 1
                event_rows.append(
                    (event_id, ACTION_INTO[side], PATH[reached], side, {"reason": "—"}, updated, officer, case_id)
                )
            if reached >= 1:
                assessment_rows.append(
                    (case_id, risk, risk, "low", "low", risk, False, "", moments[0], officer, case_id)
                )
            if reached >= 3:
                plan_id += 1
                approved = reached >= 4
                plan_rows.append(
                    (plan_id, 1, "Bảo đảm an toàn cho trẻ.", "approved" if approved else "submitted", moments[2],
                     moments[3] if approved else None, f"{plan_id}/QĐ-UBND" if approved else "", "", case_id,
                     chairman if approved else None, officer)
                )  # fmt: skip
                for code in rng.sample(("police", "health", "education"), rng.choice((1, 2, 2, 3))):
                    measure_id += 1
                    focal, agency = staff[commune][code]
                    due = (moments[3 if approved else 2] + datetime.timedelta(days=rng.randrange(10, 60))).date()
                    measure_rows.append((measure_id, SERVICES[code], "Hỗ trợ trẻ.", due, agency, plan_id))
                    if approved:
                        assignment_id += 1
                        if state in ("closed", "closure_proposed"):
                            status = "done"
                        else:
                            status = rng.choice(("proposed", "accepted", "in_progress", "in_progress", "done"))
                        answered = (
                            moments[3] + datetime.timedelta(hours=rng.randrange(2, 72))
                            if status != "proposed"
                            else None
                        )
                        assignment_rows.append(
                            (assignment_id, SERVICES[code], "Hỗ trợ trẻ.", due, status, "", "", answered,
                             updated if status == "done" else None, 1, moments[3], agency,
                             focal if answered else None, case_id, measure_id)
                        )  # fmt: skip
                        if status in ("in_progress", "done"):
                            progress_id += 1
                            progress_rows.append((progress_id, "Đã thực hiện.", answered, assignment_id, focal))
                        if status in ("proposed", "accepted", "in_progress"):
                            open_assignments.append((assignment_id, status, moments[3], due, commune))
            if state not in ("closed", "not_child_protection"):
                open_cases.append((case_id, state, received, commune))
    copy_rows(
        "cases_report",
        ["id", "received_at", "receiving_point", "source", "reporter_is_anonymous", "reporter_name", "reporter_phone",
         "reporter_relation", "place_of_occurrence", "occurred_on", "setting", "perpetrator_relation",
         "perpetrator_age_group", "narrative", "external_reference", "created_at", "commune_id", "received_by_id"],
        report_rows,
        written,
    )  # fmt: skip
    copy_rows("cases_reportabuseform", ["id", "form", "report_id"], form_rows, written)
    copy_rows(
        "cases_casefile",
        ["id", "reference", "state", "risk_level", "is_emergency", "state_before_transfer", "closure_reason",
         "closure_note", "opened_at", "closed_at", "version", "updated_at", "commune_id", "officer_id",
         "transfer_to_id", "child_id", "report_id", "is_restricted", "lawful_basis", "lawful_basis_note",
         "pseudonymised_at"],
        case_rows,
        written,
    )  # fmt: skip
    del report_rows, form_rows, case_rows
    copy_rows(
        "cases_caseevent",
        ["id", "kind", "from_state", "to_state", "data", "at", "actor_id", "case_id"],
        ((i, k, f, t, json.dumps(d), a, u, c) for i, k, f, t, d, a, u, c in event_rows),
        written,
    )
    del event_rows
    copy_rows(
        "cases_initialassessment",
        ["id", "severity", "perpetrator_access", "care_environment", "child_capacity", "risk_level", "is_emergency",
         "notes", "assessed_at", "assessed_by_id", "case_id"],
        assessment_rows,
        written,
    )  # fmt: skip
    copy_rows(
        "cases_interventionplan",
        ["id", "number", "objectives", "status", "submitted_at", "decided_at", "decision_number", "decision_note",
         "case_id", "decided_by_id", "drafted_by_id"],
        plan_rows,
        written,
    )  # fmt: skip
    copy_rows(
        "cases_planmeasure",
        ["id", "service_type", "description", "due_date", "agency_id", "plan_id"],
        measure_rows,
        written,
    )
    copy_rows(
        "cases_assignment",
        ["id", "service_type", "request", "due_date", "status", "decline_reason", "outcome", "answered_at", "closed_at",
         "version", "created_at", "agency_id", "answered_by_id", "case_id", "measure_id"],
        assignment_rows,
        written,
    )  # fmt: skip
    copy_rows(
        "cases_assignmentprogress", ["id", "text", "created_at", "assignment_id", "author_id"], progress_rows, written
    )
    del assessment_rows, plan_rows, measure_rows, assignment_rows, progress_rows
    log(
        f"case files: {cases}, reports: {written.rows['cases_report']}, events: {event_id} ({time.perf_counter() - started:.0f} s)"
    )

    # ------------------------------------------------------------------ deadlines, plan tasks, notifications
    from cases.models import Assignment, CaseFile
    from plans.models import TaskOccurrence

    ladders = {ladder.kind: ladder.pk for ladder in EscalationLadder.objects.filter(province=None)}
    case_type = ContentType.objects.get_for_model(CaseFile).pk
    assignment_type = ContentType.objects.get_for_model(Assignment).pk
    occurrence_type = ContentType.objects.get_for_model(TaskOccurrence).pk
    kinds_for_state = {
        "received": ("emergency_decision", "plan_submission"),
        "assessed": ("plan_submission",),
        "investigated": ("plan_submission",),
        "plan_submitted": ("plan_approval",),
        "in_intervention": ("review",),
        "reviewed": ("review",),
        "closure_proposed": ("review",),
    }
    deadline_rows = []

    def deadline(target_type, target, kind, start, due, province):
        # Past due: its ladder has run out (cursor NULL); ahead: the next step waits at the due time.
        ahead = due > now
        deadline_rows.append(
            (len(deadline_rows) + 1, target, kind, start, due, "open", None, None, now, province, target_type,
             0 if ahead else 9, due if ahead else None, ladders.get(kind))
        )  # fmt: skip

    for case, state, opened, commune in open_cases:
        for kind in kinds_for_state.get(state, ()):
            hours = {"emergency_decision": 12, "plan_submission": 7 * 24, "plan_approval": 9 * 24, "review": 90 * 24}[
                kind
            ]
            deadline(case_type, case, kind, opened, opened + datetime.timedelta(hours=hours), province_of[commune])
    for assignment, status, created, due, commune in open_assignments:
        if status == "proposed":
            deadline(
                assignment_type,
                assignment,
                "assignment_acceptance",
                created,
                created + datetime.timedelta(days=2),
                province_of[commune],
            )
        else:
            due_at = timezone.make_aware(datetime.datetime.combine(due, datetime.time(23, 59, 59)))
            deadline(assignment_type, assignment, "assignment_due", created, due_at, province_of[commune])
    remaining = max(0, deadlines - len(deadline_rows))
    tasks_per_plan = 10
    per_task = math.ceil(remaining / (len(communes) * tasks_per_plan)) if remaining else 0
    plan_rows, section_rows, task_rows, occurrence_rows = [], [], [], []
    occurrence_id = task_id = 0
    year_start = datetime.date(today.year, 1, 1)
    for number, commune in enumerate(communes, start=1):
        pk = commune["pk"]
        plan_rows.append(
            (number, f"{number}/KH-UBND", f"Kế hoạch thực hiện công tác trẻ em năm {today.year}", f"UBND {commune['name']}",
             year_start, "", "[]", year_start, year_start.replace(year=year_start.year + 5), "", "", "[]", "issued", "",
             now, staff[pk]["chairman"][0], pk)
        )  # fmt: skip
        section_rows.append((number, "I", "Nhiệm vụ", "", 1, None, number))
        for position in range(1, tasks_per_plan + 1):
            task_id += 1
            agency = staff[pk][("police", "health", "education")[position % 3]][1]
            task_rows.append(
                (task_id, position, f"Nhiệm vụ {position}: rà soát, hỗ trợ trẻ em có hoàn cảnh đặc biệt.", "issuing_unit", "recurring",
                 None, None, None, "monthly", year_start, "", "", "", agency, number, number)
            )  # fmt: skip
            for month in range(per_task):
                if len(deadline_rows) >= deadlines:
                    break
                occurrence_id += 1
                due = today + datetime.timedelta(days=30 * month + position)
                occurrence_rows.append((occurrence_id, None, due, "not_started", None, 1, task_id))
                due_at = timezone.make_aware(datetime.datetime.combine(due, datetime.time(23, 59, 59)))
                deadline(occurrence_type, occurrence_id, "plan_task", now, due_at, province_of[pk])
    copy_rows(
        "plans_plan",
        ["id", "number", "title", "issuing_body", "issued_on", "signer", "legal_bases", "period_start", "period_end",
         "purpose", "budget_source", "recipients", "status", "original_document", "created_at", "leader_id", "unit_id"],
        plan_rows,
        written,
    )  # fmt: skip
    copy_rows(
        "plans_plansection",
        ["id", "number", "title", "text", "position", "parent_id", "plan_id"],
        section_rows,
        written,
    )
    copy_rows(
        "plans_plantask",
        ["id", "position", "content", "applies_to", "schedule_kind", "due_date", "window_start", "window_end",
         "recurrence", "first_date", "expected_output", "note", "statistic", "lead_agency_id", "plan_id", "section_id"],
        task_rows,
        written,
    )  # fmt: skip
    copy_rows(
        "plans_taskoccurrence",
        ["id", "starts_on", "due_date", "status", "closed_at", "version", "task_id"],
        occurrence_rows,
        written,
    )
    copy_rows(
        "notifications_deadline",
        ["id", "target_id", "kind", "starts_at", "due_at", "state", "met_at", "closed_at", "created_at", "province_id",
         "target_type_id", "next_step", "next_step_at", "ladder_id"],
        deadline_rows,
        written,
    )  # fmt: skip

    def notifications():
        number = 0
        for case, _state, opened, commune in open_cases:
            for _ in range(2):
                number += 1
                yield (number, f"[HS-{opened:%Y}-{case:06d}] Thời hạn sắp đến", "", f"/cases/{case}/", None, False, opened,
                       None, None, None, staff[commune]["officer"][0], "", "{}")  # fmt: skip

    copy_rows(
        "notifications_notification",
        ["id", "title", "body", "url", "step", "is_urgent", "created_at", "read_at", "digested_at", "deadline_id", "user_id",
         "key", "translations"],
        notifications(),
        written,
    )  # fmt: skip
    _set_sequences(
        ["auth_user", "agencies_agency", "agencies_staffmembership", "cases_child", "cases_report",
         "cases_reportabuseform", "cases_casefile", "cases_caseevent", "cases_initialassessment",
         "cases_interventionplan", "cases_planmeasure", "cases_assignment", "cases_assignmentprogress",
         "notifications_deadline", "notifications_notification", "plans_plan", "plans_plansection", "plans_plantask",
         "plans_taskoccurrence"]
    )  # fmt: skip
    log(f"deadlines: {len(deadline_rows)} open; analysing ({time.perf_counter() - started:.0f} s)")
    contact_rules()


def contact_rules() -> int:
    """The no-contact rule of every open case file (issue 18): its last contact is the latest initial
    assessment, needs meeting or review on its timeline, else its opening; its deadline falls due 30 days
    after that day (the national default), on the default ladder. By SQL: a few seconds for 150,000 files."""
    from notifications.services import ladders_ensure_defaults

    ladders_ensure_defaults()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_contactrule (case_id, last_contact_at, last_contact_kind, updated_at) "
            "SELECT c.id, COALESCE(e.at, c.opened_at), CASE e.kind WHEN 'assess' THEN 'assessment' "
            "WHEN 'investigate' THEN 'needs_meeting' WHEN 'review' THEN 'review' ELSE 'opened' END, now() "
            "FROM cases_casefile c LEFT JOIN LATERAL (SELECT e.at, e.kind FROM cases_caseevent e WHERE e.case_id = c.id "
            "AND e.kind IN ('assess', 'investigate', 'review') ORDER BY e.at DESC LIMIT 1) e ON true "
            "WHERE c.state NOT IN ('closed', 'not_child_protection') "
            "AND NOT EXISTS (SELECT 1 FROM cases_contactrule r WHERE r.case_id = c.id)"
        )
        added = cursor.rowcount
        cursor.execute(
            "INSERT INTO notifications_deadline (target_type_id, target_id, kind, province_id, starts_at, due_at, "
            "state, created_at, next_step, next_step_at, ladder_id) "
            "SELECT (SELECT id FROM django_content_type WHERE app_label = 'cases' AND model = 'contactrule'), r.id, "
            "'no_contact', split_part(u.path, '/', 2)::bigint, d.day, d.day + interval '30 days', 'open', now(), 0, "
            "d.day + interval '30 days', (SELECT id FROM notifications_escalationladder WHERE kind = 'no_contact' "
            "AND province_id IS NULL) FROM cases_contactrule r JOIN cases_casefile c ON c.id = r.case_id "
            "JOIN agencies_administrativeunit u ON u.id = c.commune_id "
            "CROSS JOIN LATERAL (SELECT date_trunc('day', r.last_contact_at AT TIME ZONE 'Asia/Ho_Chi_Minh') "
            "AT TIME ZONE 'Asia/Ho_Chi_Minh' AS day) d "
            "WHERE NOT EXISTS (SELECT 1 FROM notifications_deadline x WHERE x.kind = 'no_contact' "
            "AND x.target_id = r.id AND x.state = 'open')"
        )
    return added
