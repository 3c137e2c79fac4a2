"""Benchmark: the escalation scan over N open deadlines of which D are due, beside its SQL floor.

Runs against its own PostgreSQL database (named by BENCH_DATABASE_PREFIX, default baove_bench), seeded
with COPY. Each repetition puts the due deadlines back to "due" and empties what the previous scan
wrote, then times notifications.engine.scan(); the floor is the bare SQL that finds the due rows. Usage:

    python benchmarks/escalation_scan.py [--open 1000000] [--due 10000] [--repeat 3] [--output FILE]
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks import databases  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DATABASE_URL", databases.url(databases.escalation_database()))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks.machine import LoadWatch, busy_warning  # noqa: E402
from benchmarks.seed import copy_rows  # noqa: E402

TARGET_SECONDS = 5.0


def ensure_database() -> None:
    import psycopg

    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{settings["NAME"]}"')
    call_command("migrate", verbosity=0)


def seed(open_count: int, due_count: int, *, force: bool = False) -> dict:
    """Idempotent: reseeds only when the counts differ from what is there (or when FORCE)."""
    from django.contrib.contenttypes.models import ContentType

    from agencies.models import AdministrativeUnit
    from cases.models import CaseFile
    from notifications.models import Deadline, EscalationLadder
    from notifications.services import ladders_ensure_defaults
    from tests.factories import AgencyFactory, MembershipFactory, UnitFactory, UserFactory

    if not force and Deadline.objects.count() == open_count and CaseFile.objects.count() == due_count:
        return {"seeded": False}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE notifications_delivery, notifications_notification, notifications_escalationfire, "
            "notifications_deadline, cases_caseevent, cases_casefile, cases_reportabuseform, cases_report, "
            "cases_child RESTART IDENTITY CASCADE"
        )
    ladders_ensure_defaults()
    province = AdministrativeUnit.objects.filter(level="province", code="B1").first() or UnitFactory(
        level="province", code="B1", name="Tỉnh Bench"
    )
    commune = AdministrativeUnit.objects.filter(level="commune", code="B0001").first() or UnitFactory(
        level="commune", code="B0001", name="Xã Bench", parent=province
    )
    if not AdministrativeUnit.objects.filter(memberships__role="chairman", pk=commune.pk).exists():
        agency = AgencyFactory(name="UBND Xã Bench", unit=commune)
        MembershipFactory(user=UserFactory(username="bench-officer"), role="commune_officer", agency=agency)
        MembershipFactory(user=UserFactory(username="bench-chairman"), role="chairman", agency=agency)
    officer = UserFactory(username="bench-officer")
    now = timezone.now()
    ids = range(1, due_count + 1)
    copy_rows(
        "cases_child",
        [
            "id",
            "full_name",
            "name_key",
            "birth_date",
            "birth_year_only",
            "sex",
            "ethnicity",
            "personal_id",
            "residence_commune_id",
            "address",
            "school",
            "disability",
            "created_by_id",
            "created_at",
            "updated_at",
        ],
        (
            (
                i,
                f"Trẻ {i}",
                f"tre {i}",
                "2015-01-01",
                "f",
                "male",
                "01",
                "",
                commune.pk,
                "",
                "",
                "",
                officer.pk,
                now.isoformat(),
                now.isoformat(),
            )
            for i in ids
        ),
    )
    copy_rows(
        "cases_report",
        [
            "id",
            "received_at",
            "receiving_point",
            "commune_id",
            "source",
            "reporter_is_anonymous",
            "reporter_name",
            "reporter_phone",
            "reporter_relation",
            "place_of_occurrence",
            "setting",
            "perpetrator_relation",
            "perpetrator_age_group",
            "narrative",
            "external_reference",
            "received_by_id",
            "created_at",
        ],
        (
            (
                i,
                now.isoformat(),
                "commune",
                commune.pk,
                "school",
                "t",
                "",
                "",
                "",
                "",
                "family",
                "",
                "",
                "x",
                "",
                officer.pk,
                now.isoformat(),
            )
            for i in ids
        ),
    )
    copy_rows(
        "cases_casefile",
        [
            "id",
            "reference",
            "report_id",
            "child_id",
            "commune_id",
            "state",
            "risk_level",
            "officer_id",
            "state_before_transfer",
            "closure_reason",
            "closure_note",
            "opened_at",
            "version",
            "updated_at",
            "is_restricted",
            "lawful_basis",
            "lawful_basis_note",
        ],
        (
            (
                i,
                f"HS-B-{i:07d}",
                i,
                i,
                commune.pk,
                "received",
                "",
                officer.pk,
                "",
                "",
                "",
                now.isoformat(),
                1,
                now.isoformat(),
                "f",
                "legal_duty",
                "",
            )
            for i in ids
        ),
    )
    case_type = ContentType.objects.get_for_model(CaseFile).pk
    ladder = EscalationLadder.objects.get(kind="emergency_decision", province=None).pk
    far = now + datetime.timedelta(days=30)

    def deadlines():
        for i in range(1, open_count + 1):
            if i <= due_count:  # received 7 hours ago: the first step (half of 12 hours) fell due an hour ago
                start, due = now - datetime.timedelta(hours=7), now + datetime.timedelta(hours=5)
                next_at = now - datetime.timedelta(hours=1)
                target = i
            else:
                start, due, next_at = now, far, now + datetime.timedelta(days=15)
                target = due_count + i
            yield (
                case_type,
                target,
                "emergency_decision",
                province.pk,
                start.isoformat(),
                due.isoformat(),
                "open",
                ladder,
                0,
                next_at.isoformat(),
                now.isoformat(),
            )

    copy_rows(
        "notifications_deadline",
        [
            "target_type_id",
            "target_id",
            "kind",
            "province_id",
            "starts_at",
            "due_at",
            "state",
            "ladder_id",
            "next_step",
            "next_step_at",
            "created_at",
        ],
        deadlines(),
    )
    with connection.cursor() as cursor:
        for table in ("cases_child", "cases_report", "cases_casefile"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {due_count})")
        cursor.execute("ANALYZE")
    return {"seeded": True, "seconds": round(time.perf_counter() - started, 1)}


def reset_due(due_count: int) -> None:
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE notifications_delivery, notifications_notification, notifications_escalationfire")
        cursor.execute(
            "UPDATE notifications_deadline SET next_step = 0, next_step_at = %s WHERE id <= %s",
            [now - datetime.timedelta(hours=1), due_count],
        )


def floor_seconds(due_count: int) -> float:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM notifications_deadline WHERE state = 'open' AND next_step_at <= now() "
            "ORDER BY next_step_at LIMIT %s FOR UPDATE SKIP LOCKED",
            [due_count],
        )
        cursor.fetchall()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--open", type=int, default=1_000_000, dest="open_count")
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reseed", action="store_true", help="seed again even when the counts match")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results.json")
    args = parser.parse_args()

    from notifications.engine import scan

    ensure_database()
    seeding = seed(args.open_count, args.due, force=args.reseed)
    timings, floors, fired = [], [], []
    load = LoadWatch({connection.settings_dict["NAME"]})  # the machine's load while the scans ran
    for _ in range(args.repeat):
        reset_due(args.due)
        started = time.perf_counter()
        result = scan()
        timings.append(time.perf_counter() - started)
        fired.append(result.deadlines)
        reset_due(args.due)
        floors.append(floor_seconds(args.due))
    if any(count != args.due for count in fired):
        raise SystemExit(f"the scan fired {fired} deadlines, expected {args.due} each time")
    median, floor = statistics.median(timings), statistics.median(floors)
    entry = {
        "name": "escalation_scan",
        "description": (
            f"escalation scan: {args.open_count:,} open deadlines, {args.due:,} with a step due; "
            "claims, fires, recipients and notifications included"
        ),
        "value": round(median, 3),
        "p95": round(max(timings), 3),
        "unit": "s",
        "floor": round(floor, 4),
        "ratio": round(median / floor, 1) if floor else None,
        "target": TARGET_SECONDS,
        "meets_target": median < TARGET_SECONDS,
        "machine_load": load.take(),
    }
    report = {
        "date": timezone.now().isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "scale": {"open_deadlines": args.open_count, "due": args.due},
        "seeding": seeding,
        "results": [entry],
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"{'measure':<18} {'median':>9} {'p95':>9} {'floor':>9} {'ratio':>7} {'target':>8}  ok")
    print(
        f"{entry['name']:<18} {median:>8.3f}s {max(timings):>8.3f}s {floor:>8.4f}s {entry['ratio']:>7} "
        f"{TARGET_SECONDS:>7}s  {'yes' if entry['meets_target'] else 'NO'}"
    )
    if warning := busy_warning([entry]):
        print(warning)


if __name__ == "__main__":
    main()
