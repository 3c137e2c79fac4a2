"""Adding a check constraint to a large table without a long lock: on PostgreSQL it is added NOT VALID
(new rows are checked at once) and then validated, which lets writes go on meanwhile."""

from django.db import migrations


def add_check_not_valid(app_label: str, model_name: str, constraint):
    def forwards(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        if schema_editor.connection.vendor != "postgresql":
            schema_editor.add_constraint(model, constraint)
            return
        schema_editor.execute(str(constraint.create_sql(model, schema_editor)) + " NOT VALID")
        schema_editor.execute(f"ALTER TABLE {model._meta.db_table} VALIDATE CONSTRAINT {constraint.name}")

    def backwards(apps, schema_editor):
        schema_editor.remove_constraint(apps.get_model(app_label, model_name), constraint)

    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AddConstraint(model_name=model_name.lower(), constraint=constraint)],
        database_operations=[migrations.RunPython(forwards, backwards)],
    )
