"""The case timeline partitioned by month on PostgreSQL (config.partitions): rows copied, indexes,
the kind check and the foreign keys kept. SQLite keeps its plain table (a no-op there); the model
state is unchanged."""

from django.db import migrations

from config.partitions import partition_table, unpartition_table

TABLE = "cases_caseevent"


def forward(apps, schema_editor):
    partition_table(schema_editor, TABLE, "at")


def backward(apps, schema_editor):
    unpartition_table(schema_editor, TABLE, "at")


class Migration(migrations.Migration):
    dependencies = [("cases", "0025_admin_lists")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
