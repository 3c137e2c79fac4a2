"""The audit trail partitioned by month on PostgreSQL (config.partitions): rows copied, indexes kept,
the append-only trigger created on the partitioned table so every partition, now or later, has it.
SQLite keeps its plain table (a no-op there); the model state is unchanged."""

from django.db import migrations

from config.partitions import partition_table, unpartition_table

TABLE = "audit_auditevent"
TRIGGERS = [
    f"""CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION baove_refuse_audit_change()"""
]


def forward(apps, schema_editor):
    partition_table(schema_editor, TABLE, "at", triggers=TRIGGERS)


def backward(apps, schema_editor):
    unpartition_table(schema_editor, TABLE, "at", triggers=TRIGGERS)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_community_and_hotline_labels")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
