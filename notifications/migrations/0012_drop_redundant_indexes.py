import django.db.models.deletion
from django.db import migrations, models

from config.index_migrations import drop_index


class Migration(migrations.Migration):
    # Each foreign key keeps its constraint; only its own index goes (a composite index leads with the column).
    atomic = False  # DROP INDEX CONCURRENTLY

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0011_no_contact_rule"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="deadline",
                    name="target_type",
                    field=models.ForeignKey(
                        db_index=False, on_delete=django.db.models.deletion.CASCADE, to="contenttypes.contenttype"
                    ),
                ),
            ],
            database_operations=[
                drop_index(
                    "notifications_deadline", "notifications_deadline_target_type_id_0e2d737a", "target_type_id"
                ),
            ],
        ),
    ]
