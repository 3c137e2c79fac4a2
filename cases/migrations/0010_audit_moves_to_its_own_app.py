"""The audit trail moves to the `audit` app (the bottom layer): its table is kept, renamed by audit 0001.

The foreign key's own index goes (the (case, at) index serves every query by case), then the
model leaves this app's state without touching the table.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_case_list_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="case",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="cases.casefile",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEvent")],
            database_operations=[],
        ),
    ]
