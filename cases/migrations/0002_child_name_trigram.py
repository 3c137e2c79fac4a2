"""Trigram index for the fuzzy child search, on PostgreSQL only (SQLite uses the portable fallback)."""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS child_name_key_trgm_idx ON cases_child USING gin (name_key gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS child_name_key_trgm_idx"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
