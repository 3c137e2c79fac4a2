"""Migration operations on indexes of large tables that take no long lock.

Django's AlterField(db_index=False) on a foreign key drops the foreign key's constraint, drops the index and
adds the constraint back, which checks every row under an exclusive lock: minutes on a national registry.
Only the index needs to go, and PostgreSQL drops it CONCURRENTLY (reads and writes go on meanwhile; the
migration must then be non-atomic). SQLite (the embedded demo) drops it plainly.
"""

from django.db import migrations


def drop_index(table: str, name: str, column: str) -> migrations.RunPython:
    """Drop the index NAME of TABLE (on COLUMN, to build it again on the way back)."""

    def forward(apps, schema_editor):
        quote = schema_editor.quote_name
        concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
        schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {quote(name)}")

    def backward(apps, schema_editor):
        quote = schema_editor.quote_name
        concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
        schema_editor.execute(
            f"CREATE INDEX{concurrently} IF NOT EXISTS {quote(name)} ON {quote(table)} ({quote(column)})"
        )

    return migrations.RunPython(forward, backward)
