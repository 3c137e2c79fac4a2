"""Monthly partitions of the history tables (the audit trail and the case timeline) on PostgreSQL.

Both tables only grow; partitioned by month (RANGE on `at`) an old month can be detached, dumped to
archive storage and dropped without touching the rest (`manage.py archive_partitions`), and queries by
case or by user still probe one index per month. A default partition takes any row whose month has no
partition yet, so an insert is never refused. SQLite (`make run`) keeps plain tables: everything here
is a no-op there.

The conversion (`partition_table`) is used by the migrations; `ensure_partitions` by the beat task.
"""

import datetime
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction

from . import backup

logger = logging.getLogger(__name__)

# Table -> the column it is partitioned on.
PARTITIONED_TABLES = {"audit_auditevent": "at", "cases_caseevent": "at"}
# Months created ahead of today by the beat task (and by the migration).
MONTHS_AHEAD = 3
# The oldest month the migration gives its own partition; older rows go to the default partition.
OLDEST_MONTHS = 120


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def partition_name(table: str, month: datetime.date) -> str:
    return f"{table}_p{month:%Y%m}"


def default_partition_name(table: str) -> str:
    return f"{table}_default"


@dataclass(frozen=True)
class Partition:
    name: str
    month: datetime.date | None  # None for the default partition


def is_partitioned(cursor, table: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)", [table])
    return cursor.fetchone() is not None


def partitions(cursor, table: str) -> list[Partition]:
    """The partitions attached to `table`, oldest month first, the default partition last."""
    cursor.execute(
        """
        SELECT child.relname, pg_get_expr(child.relpartbound, child.oid)
        FROM pg_inherits JOIN pg_class child ON child.oid = pg_inherits.inhrelid
        WHERE pg_inherits.inhparent = to_regclass(%s)
        """,
        [table],
    )
    found = []
    for name, bound in cursor.fetchall():
        month = None
        if bound != "DEFAULT":
            month = datetime.date.fromisoformat(name.rsplit("_p", 1)[1][:4] + "-" + name[-2:] + "-01")
        found.append(Partition(name=name, month=month))
    return sorted(found, key=lambda partition: (partition.month is None, partition.month or datetime.date.min))


def _create_month(cursor, table: str, column: str, month: datetime.date) -> bool:
    """Create the partition of `month` unless it exists, taking its rows out of the default partition."""
    name = partition_name(table, month)
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
    if cursor.fetchone()[0]:
        return False
    low, high = month.isoformat(), add_months(month, 1).isoformat()
    default = default_partition_name(table)
    cursor.execute(
        f'SELECT EXISTS (SELECT 1 FROM "{default}" WHERE "{column}" >= %s AND "{column}" < %s)',  # noqa: S608 (constant names)
        [low, high],
    )
    rows_waiting = cursor.fetchone()[0]
    if rows_waiting:
        # Rows of that month were written before its partition existed. They are not deleted from the
        # default (the append-only trigger refuses it, rightly): the default is swapped for an empty one
        # and its rows copied back through the table, each into its partition; nothing is lost.
        staged = f"{default}_moving"
        cursor.execute(f'ALTER TABLE "{table}" DETACH PARTITION "{default}"')
        cursor.execute(f'ALTER TABLE "{default}" RENAME TO "{staged}"')
        cursor.execute(f'CREATE TABLE "{default}" PARTITION OF "{table}" DEFAULT')
    cursor.execute(
        f'CREATE TABLE "{name}" PARTITION OF "{table}" FOR VALUES FROM (%s) TO (%s)',
        [f"{low} 00:00:00+00", f"{high} 00:00:00+00"],
    )
    if rows_waiting:
        columns = _columns(cursor, table)
        cursor.execute(f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM "{staged}"')  # noqa: S608 (constant names)
        cursor.execute(f'DROP TABLE "{staged}"')
        logger.warning("partitions: rows of %s moved from %s into it", name, default)
    return True


def _columns(cursor, table: str) -> str:
    cursor.execute(
        "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        [table],
    )
    return cursor.fetchone()[0]


def ensure_partitions(*, today: datetime.date | None = None, months_ahead: int = MONTHS_AHEAD) -> list[str]:
    """Create this month's partition and `months_ahead` more of every partitioned table; idempotent."""
    if connection.vendor != "postgresql":
        return []
    today = today or datetime.datetime.now(datetime.UTC).date()
    created = []
    with transaction.atomic(), connection.cursor() as cursor:
        for table, column in PARTITIONED_TABLES.items():
            if not is_partitioned(cursor, table):
                continue
            for step in range(months_ahead + 1):
                month = add_months(month_start(today), step)
                if _create_month(cursor, table, column, month):
                    created.append(partition_name(table, month))
    if created:
        logger.info("partitions: created %s", ", ".join(created))
    return created


def _archivable(cursor, table: str, before: datetime.date) -> list[tuple[str, datetime.date]]:
    """Month partitions of `table` ending on or before `before`, attached or left detached by an
    archive run that stopped half-way (their rows are still there: they are archived too)."""
    cursor.execute(
        "SELECT relname FROM pg_class WHERE relkind = 'r' AND relname ~ %s",
        [f"^{re.escape(table)}_p[0-9]{{6}}$"],
    )
    found = []
    for (name,) in cursor.fetchall():
        digits = name.rsplit("_p", 1)[1]
        month = datetime.date(int(digits[:4]), int(digits[4:]), 1)
        if add_months(month, 1) <= before:
            found.append((name, month))
    return sorted(found, key=lambda item: item[1])


def archive(*, table: str, before: datetime.date, folder: Path) -> list[Path]:
    """Move the month partitions of `table` older than `before` to `folder`: detach, dump (encrypted to
    the backup recipients, with a manifest of rows and checksum), then drop. Idempotent; a run that
    fails after the detach leaves the rows in place for the next run."""
    if table not in PARTITIONED_TABLES:
        raise ValueError(f"{table} is not a partitioned history table ({', '.join(PARTITIONED_TABLES)})")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with connection.cursor() as cursor:
        candidates = _archivable(cursor, table, before)
    for name, month in candidates:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT relispartition FROM pg_class WHERE relname = %s", [name])
            if cursor.fetchone()[0]:
                cursor.execute(f'ALTER TABLE "{table}" DETACH PARTITION "{name}"')
            cursor.execute(f'SELECT count(*) FROM "{name}"')  # noqa: S608 (names from the catalog or constants)
            rows = cursor.fetchone()[0]
        target = folder / f"{name}.dump.age"
        checksum = backup.tables_dump(target, tables=(name,))
        manifest = {
            "table": table,
            "partition": name,
            "from": month.isoformat(),
            "to": add_months(month, 1).isoformat(),
            "rows": rows,
            "sha256": checksum,
            "archived_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        }
        (folder / f"{name}.json").write_text(json.dumps(manifest, indent=2) + "\n")
        with connection.cursor() as cursor:
            cursor.execute(f'DROP TABLE "{name}"')
        logger.info("partitions: %s archived (%s rows) to %s", name, rows, target)
        written.append(target)
    return written


def restore_archive(source: Path) -> str:
    """Bring an archived month back: its checksum checked, restored, attached to its table again."""
    manifest = json.loads(source.with_name(source.name.removesuffix(".dump.age") + ".json").read_text())
    if backup.sha256_of(source) != manifest["sha256"]:
        raise backup.BackupError(f"{source.name} does not match its manifest: it was changed")
    name, table = manifest["partition"], manifest["table"]
    backup.tables_restore(source)
    with transaction.atomic(), connection.cursor() as cursor:
        # The dump brings back the month as it left (its checks may have changed since): its rows are
        # copied into a new partition made by the table as it is now, checks and trigger included.
        staged = f"{name}_restored"
        cursor.execute(f'ALTER TABLE "{name}" RENAME TO "{staged}"')
        cursor.execute(
            f'CREATE TABLE "{name}" PARTITION OF "{table}" FOR VALUES FROM (%s) TO (%s)',
            [f"{manifest['from']} 00:00:00+00", f"{manifest['to']} 00:00:00+00"],
        )
        columns = _columns(cursor, staged)
        cursor.execute(f'INSERT INTO "{name}" ({columns}) SELECT {columns} FROM "{staged}"')  # noqa: S608 (names from the catalog or constants)
        cursor.execute(f'DROP TABLE "{staged}"')
    logger.info("partitions: %s restored from %s", name, source)
    return name


@dataclass(frozen=True)
class _Shape:
    """What a table keeps across its rebuild: foreign keys, indexes, primary key name, last id."""

    foreign_keys: list[tuple[str, str]]
    index_definitions: list[str]
    primary_key_name: str
    last_id: int | None


def _shape(cursor, table: str) -> _Shape:
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' AND conrelid = %s::regclass",
        [table],
    )
    foreign_keys = cursor.fetchall()
    cursor.execute("SELECT conname FROM pg_constraint WHERE contype = 'p' AND conrelid = %s::regclass", [table])
    primary_key_name = cursor.fetchone()[0]
    cursor.execute(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s AND indexname <> %s",
        [table, primary_key_name],
    )
    index_definitions = [row[0] for row in cursor.fetchall()]
    cursor.execute(f'SELECT max(id) FROM "{table}"')  # noqa: S608 (a constant name)
    return _Shape(foreign_keys, index_definitions, primary_key_name, cursor.fetchone()[0])


def _rebuild(schema_editor, table: str, old: str, shape: _Shape, triggers) -> None:
    """Copy `old`'s rows into the new `table`, drop `old`, then give `table` back its shape and triggers."""
    schema_editor.execute(f'INSERT INTO "{table}" SELECT * FROM "{old}"')  # noqa: S608 (constant names)
    schema_editor.execute(f'DROP TABLE "{old}" CASCADE')
    for definition in shape.index_definitions:
        schema_editor.execute(_on_table(schema_editor, definition, table))
    for name, definition in shape.foreign_keys:
        schema_editor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
    if shape.last_id is not None:
        schema_editor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), {int(shape.last_id)})")
    for trigger in triggers:
        schema_editor.execute(trigger)
    schema_editor.execute(f'ANALYZE "{table}"')


def partition_table(schema_editor, table: str, column: str, *, triggers: list[str] = ()) -> None:
    """Turn the plain `table` into one partitioned by month on `column`, its rows, indexes, checks,
    foreign keys and identity kept; `triggers` are created on the new parent (and so on every partition).

    Rows are copied with one INSERT ... SELECT into partitions without indexes; indexes are built after.
    Refused when a foreign key points into the table (a partitioned table can only be referenced through
    a unique key including the partition key).
    """
    if schema_editor.connection.vendor != "postgresql":
        return
    old = f"{table}_unpartitioned"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, conrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'f' AND confrelid = %s::regclass",
            [table],
        )
        if referencing := cursor.fetchall():
            raise RuntimeError(f"{table} is referenced by foreign keys {referencing}: cannot partition it")
        shape = _shape(cursor, table)
        cursor.execute(f'SELECT min("{column}") FROM "{table}"')  # noqa: S608 (constant names)
        oldest = cursor.fetchone()[0]
    statements = [
        f'ALTER TABLE "{table}" RENAME TO "{old}"',
        f'ALTER TABLE "{old}" RENAME CONSTRAINT "{shape.primary_key_name}" TO "{old}_pkey"',
        f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY, '
        f'CONSTRAINT "{shape.primary_key_name}" PRIMARY KEY (id, "{column}")) PARTITION BY RANGE ("{column}")',
        f'CREATE TABLE "{default_partition_name(table)}" PARTITION OF "{table}" DEFAULT',
    ]
    for statement in statements:
        schema_editor.execute(statement)
    this_month = month_start(datetime.datetime.now(datetime.UTC).date())
    month = this_month
    if oldest is not None:
        month = min(month, max(month_start(oldest.date()), add_months(this_month, -OLDEST_MONTHS)))
    with schema_editor.connection.cursor() as cursor:
        while month <= add_months(this_month, MONTHS_AHEAD):
            _create_month(cursor, table, column, month)
            month = add_months(month, 1)
    _rebuild(schema_editor, table, old, shape, triggers)


def unpartition_table(schema_editor, table: str, column: str, *, triggers: list[str] = ()) -> None:
    """The way back: one plain table again, with every row of every partition (the default's too)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    old = f"{table}_partitioned"
    with schema_editor.connection.cursor() as cursor:
        shape = _shape(cursor, table)
    schema_editor.execute(f'ALTER TABLE "{table}" RENAME TO "{old}"')
    schema_editor.execute(f'ALTER TABLE "{old}" RENAME CONSTRAINT "{shape.primary_key_name}" TO "{old}_pkey"')
    for definition in shape.index_definitions:
        index_name = definition.split(" INDEX ", 1)[1].split(" ON ", 1)[0]
        schema_editor.execute(f"ALTER INDEX {index_name} RENAME TO {index_name.strip(chr(34))}_old")
    schema_editor.execute(
        f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY, '
        f'CONSTRAINT "{shape.primary_key_name}" PRIMARY KEY (id))'
    )
    _rebuild(schema_editor, table, old, shape, triggers)


def _on_table(schema_editor, definition: str, table: str) -> str:
    """An index definition from pg_indexes (schema-qualified, `ON ONLY` on a partitioned table) made to
    build the index on the new `table` and all its partitions."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
    for spelling in (f" ON ONLY {schema}.{table} ", f" ON {schema}.{table} "):
        definition = definition.replace(spelling, f' ON "{table}" ')
    return definition
