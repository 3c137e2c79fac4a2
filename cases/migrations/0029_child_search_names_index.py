"""The whole names of the children (not merged away) by given name and family name, on PostgreSQL only:
the child search ranks the names in use close to the query from this index alone (an index-only scan,
no visit to the table however many children carry a name), then reads the children of the best names
(cases.name_search.closest_names)."""

from django.db import migrations

GIVEN = "(reverse(split_part(reverse(name_key), ' ', 1)))"
FAMILY = "(split_part(name_key, ' ', 1))"
CREATE = (
    f"CREATE INDEX IF NOT EXISTS child_search_names_idx ON cases_child ({GIVEN}, {FAMILY}, name_key) "
    "WHERE merged_into_id IS NULL"
)
DROP = "DROP INDEX IF EXISTS child_search_names_idx"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("cases", "0028_visit_idempotency")]

    operations = [migrations.RunPython(forwards, backwards)]
