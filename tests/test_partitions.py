"""The audit trail and the case timeline, partitioned by month (config/partitions.py)."""

import datetime
import json
import logging
import re

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audit.models import AuditAction, AuditEvent, AuditObject
from cases.models import CaseEvent
from config import partitions, tasks

UTC = datetime.UTC


def _partition_of(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM audit_auditevent WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _names(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [partition.name for partition in partitions.partitions(cursor, table)]


def _audit_row(at: datetime.datetime, case_id: int = 7) -> AuditEvent:
    return AuditEvent.objects.create(
        at=at, action=AuditAction.VIEW, object_type=AuditObject.CASE, object_id=str(case_id), case_id=case_id
    )


def _assert_append_only(row: AuditEvent) -> None:
    with pytest.raises(DatabaseError, match="append-only: UPDATE refused"), transaction.atomic():
        AuditEvent.objects.filter(pk=row.pk).update(path="/changed")
    with pytest.raises(DatabaseError, match="append-only: DELETE refused"), transaction.atomic():
        AuditEvent.objects.filter(pk=row.pk).delete()
    assert AuditEvent.objects.get(pk=row.pk).path == ""


@pytest.mark.django_db
def test_both_tables_are_partitioned_by_month_with_a_default_and_the_trigger_on_every_partition():
    with connection.cursor() as cursor:
        for table in partitions.PARTITIONED_TABLES:
            assert partitions.is_partitioned(cursor, table)
            names = _names(table)
            assert names[-1] == f"{table}_default"
            assert len(names) >= partitions.MONTHS_AHEAD + 2  # this month, the months ahead, the default
        cursor.execute(
            """
            SELECT child.relname FROM pg_inherits JOIN pg_class child ON child.oid = pg_inherits.inhrelid
            WHERE inhparent = 'audit_auditevent'::regclass AND NOT EXISTS (
                SELECT 1 FROM pg_trigger WHERE tgrelid = child.oid AND tgname = 'audit_auditevent_append_only')
            """
        )
        assert cursor.fetchall() == []


@pytest.mark.django_db
def test_partitions_are_created_ahead_across_a_month_boundary_and_the_new_one_is_append_only():
    with time_machine.travel(datetime.datetime(2031, 1, 31, 23, 50, tzinfo=UTC), tick=False):
        created = tasks.partitions_ensure()
        assert created == [
            f"{table}_p{month}"
            for table in partitions.PARTITIONED_TABLES
            for month in ("203101", "203102", "203103", "203104")
        ]
        assert tasks.partitions_ensure() == []  # idempotent
        january = _audit_row(datetime.datetime(2031, 1, 31, 23, 59, 59, tzinfo=UTC))
    with time_machine.travel(datetime.datetime(2031, 2, 1, 0, 10, tzinfo=UTC), tick=False):
        assert tasks.partitions_ensure() == [f"{table}_p203105" for table in partitions.PARTITIONED_TABLES]
        february = _audit_row(datetime.datetime(2031, 2, 1, 0, 0, 1, tzinfo=UTC))
    assert _partition_of(january.pk) == "audit_auditevent_p203101"
    assert _partition_of(february.pk) == "audit_auditevent_p203102"
    _assert_append_only(february)
    # Found again by case through the parent, in order, from both months.
    assert list(AuditEvent.objects.filter(case_id=7).order_by("at").values_list("pk", flat=True)) == [
        january.pk,
        february.pk,
    ]


@pytest.mark.django_db
def test_rows_written_before_their_months_partition_are_kept_then_moved_into_it(caplog):
    before = _audit_row(datetime.datetime(2040, 6, 15, tzinfo=UTC))
    later = _audit_row(datetime.datetime(2040, 9, 1, tzinfo=UTC), case_id=8)
    assert _partition_of(before.pk) == _partition_of(later.pk) == "audit_auditevent_default"
    _assert_append_only(before)
    with caplog.at_level(logging.WARNING, logger="config.partitions"):
        created = partitions.ensure_partitions(today=datetime.date(2040, 6, 1), months_ahead=1)
    assert created == [
        "audit_auditevent_p204006",
        "audit_auditevent_p204007",
        "cases_caseevent_p204006",
        "cases_caseevent_p204007",
    ]
    assert "rows of audit_auditevent_p204006 moved from audit_auditevent_default" in caplog.text
    assert _partition_of(before.pk) == "audit_auditevent_p204006"
    assert _partition_of(later.pk) == "audit_auditevent_default"
    assert list(AuditEvent.objects.filter(at__year=2040).order_by("at").values_list("pk", "case_id")) == [
        (before.pk, 7),
        (later.pk, 8),
    ]
    _assert_append_only(before)
    _assert_append_only(later)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('audit_auditevent_default_moving')")
        assert cursor.fetchone()[0] is None


def _plan(queryset) -> str:
    with connection.cursor() as cursor:
        # Tiny test tables are read faster sequentially: refuse that, so the plan shows an index
        # exists on every partition the query touches.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _rows_this_month() -> str:
    """Rows for many cases and users in this month's partitions, analysed, as the planner sees in service
    (inserted in the test's transaction: the deferred foreign keys of the timeline are never checked)."""
    month = datetime.datetime.now(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO audit_auditevent (at, action, object_type, object_id, case_id, user_id, fields, channel, path)
            SELECT %s + n * interval '1 second', 'view', 'case', n::text, n %% 500, n %% 50, '{}', 'page', ''
            FROM generate_series(1, 5000) n
            """,
            [month],
        )
        cursor.execute(
            """
            INSERT INTO cases_caseevent (at, kind, from_state, to_state, data, case_id, actor_id)
            SELECT %s + n * interval '1 second', 'note', '', '', '{}', n %% 500, n %% 50
            FROM generate_series(1, 5000) n
            """,
            [month],
        )
        cursor.execute("ANALYZE audit_auditevent")
        cursor.execute("ANALYZE cases_caseevent")
    return f"p{month:%Y%m}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("queryset", "index"),
    [
        (lambda: AuditEvent.objects.filter(case_id=7).order_by("-at")[:50], "case_id_at_idx"),
        (lambda: AuditEvent.objects.filter(user_id=3).order_by("-at")[:50], "user_id_at_idx"),
        (lambda: CaseEvent.objects.filter(case_id=7).order_by("at", "pk"), "case_id_at_idx"),
        (lambda: CaseEvent.objects.filter(actor_id=3).order_by("-at")[:1], "actor_id_at_idx"),
    ],
    ids=["audit-by-case", "audit-by-user", "timeline-by-case", "timeline-by-actor"],
)
def test_queries_by_case_and_by_user_use_an_index_on_every_partition(queryset, index):
    with transaction.atomic():
        suffix = _rows_this_month()
        plan = _plan(queryset())
        transaction.set_rollback(True)  # the timeline's rows point to no case: never to be committed
    assert "Seq Scan" not in plan
    (line,) = [line for line in plan.splitlines() if f"_{suffix} " in line]
    assert f"{suffix}_{index}" in line, plan


@pytest.mark.django_db
def test_a_query_on_a_month_reads_only_that_months_partition():
    month = datetime.datetime.now(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    queryset = AuditEvent.objects.filter(case_id=7, at__gte=month, at__lt=month + datetime.timedelta(days=20))
    with transaction.atomic():
        plan = _plan(queryset)
    assert re.findall(r" on (audit_auditevent_\w+)", plan) == [f"audit_auditevent_p{month:%Y%m}"]
    assert "audit_auditevent_default" not in plan


@pytest.mark.django_db(transaction=True)
def test_an_old_month_is_archived_encrypted_then_restored_with_its_rows_and_its_trigger(tmp_path):
    partitions.ensure_partitions(today=datetime.date(2021, 1, 1), months_ahead=1)
    try:
        kept = _audit_row(datetime.datetime(2021, 2, 3, tzinfo=UTC))
        archived = [_audit_row(datetime.datetime(2021, 1, day, tzinfo=UTC), case_id=day) for day in (5, 6)]

        call_command("archive_partitions", before="2021-02", to=str(tmp_path), table=["audit_auditevent"])

        names = _names("audit_auditevent")
        assert "audit_auditevent_p202101" not in names
        assert "audit_auditevent_p202102" in names
        assert list(AuditEvent.objects.filter(at__year=2021).values_list("pk", flat=True)) == [kept.pk]
        manifest = json.loads((tmp_path / "audit_auditevent_p202101.json").read_text())
        assert manifest["rows"] == 2
        assert (manifest["from"], manifest["to"]) == ("2021-01-01", "2021-02-01")
        data = (tmp_path / "audit_auditevent_p202101.dump.age").read_bytes()
        assert data.startswith(b"age-encryption.org/v1\n")
        assert b"PGDMP" not in data
        # Again: nothing more to archive, nothing touched.
        call_command("archive_partitions", before="2021-02", to=str(tmp_path), table=["audit_auditevent"])
        assert AuditEvent.objects.filter(pk=kept.pk).exists()

        call_command("archive_partitions", restore=str(tmp_path / "audit_auditevent_p202101.dump.age"))

        assert sorted(AuditEvent.objects.filter(at__year=2021, at__month=1).values_list("pk", flat=True)) == sorted(
            row.pk for row in archived
        )
        assert _partition_of(archived[0].pk) == "audit_auditevent_p202101"
        _assert_append_only(archived[0])
    finally:
        with connection.cursor() as cursor:
            for name in ("audit_auditevent_p202101", "audit_auditevent_p202102"):
                cursor.execute(f'DROP TABLE IF EXISTS "{name}"')
            cursor.execute("DROP TABLE IF EXISTS cases_caseevent_p202101, cases_caseevent_p202102")


@pytest.mark.django_db
def test_a_changed_archive_is_refused(tmp_path):
    (tmp_path / "audit_auditevent_p202101.json").write_text(
        json.dumps({"table": "audit_auditevent", "partition": "audit_auditevent_p202101", "sha256": "0" * 64})
    )
    (tmp_path / "audit_auditevent_p202101.dump.age").write_bytes(b"age-encryption.org/v1\nchanged")
    with pytest.raises(CommandError, match="was changed"):
        call_command("archive_partitions", restore=str(tmp_path / "audit_auditevent_p202101.dump.age"))
    assert "audit_auditevent_p202101" not in _names("audit_auditevent")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"before": "2030-13", "to": "/tmp"}, "YYYY-MM"),
        ({"before": "2999-01", "to": "/tmp"}, "future month"),
        ({"before": "2030-01"}, "--to FOLDER"),
    ],
)
def test_archive_command_refuses_bad_input_with_a_clear_message(options, message):
    with pytest.raises(CommandError, match=message):
        call_command("archive_partitions", **options)
