import django.db.models.deletion
from django.db import migrations, models

from config.index_migrations import drop_index


class Migration(migrations.Migration):
    # Each foreign key keeps its constraint; only its own index goes (a composite index leads with the column).
    atomic = False  # DROP INDEX CONCURRENTLY

    dependencies = [
        ("agencies", "0007_agency_names"),
        ("cases", "0029_child_search_names_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="casefile",
                    name="commune",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="agencies.administrativeunit",
                        verbose_name="responsible commune",
                    ),
                ),
                migrations.AlterField(
                    model_name="casefile",
                    name="report",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="case_files",
                        to="cases.report",
                    ),
                ),
                migrations.AlterField(
                    model_name="child",
                    name="residence_commune",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="agencies.administrativeunit",
                        verbose_name="commune of residence",
                    ),
                ),
            ],
            database_operations=[
                drop_index("cases_casefile", "cases_casefile_commune_id_f3393009", "commune_id"),
                drop_index("cases_casefile", "cases_casefile_report_id_0e89b1ea", "report_id"),
                drop_index("cases_child", "cases_child_residence_commune_id_1cf20f8f", "residence_commune_id"),
            ],
        ),
    ]
