"""Indexes on the family name (first word) and the given name (last word) of the folded name, on
PostgreSQL only: the fuzzy child search narrows a million children to those whose family and given
names are close to the query's before ranking them by trigram similarity (cases.selectors)."""

from django.db import migrations

CREATE = [
    "CREATE INDEX IF NOT EXISTS child_given_name_idx ON cases_child ((reverse(split_part(reverse(name_key), ' ', 1))))",
    "CREATE INDEX IF NOT EXISTS child_family_name_idx ON cases_child ((split_part(name_key, ' ', 1)))",
]
DROP = ["DROP INDEX IF EXISTS child_given_name_idx", "DROP INDEX IF EXISTS child_family_name_idx"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_privacy_duties")]

    operations = [migrations.RunPython(forwards, backwards)]
