"""The audit trail, moved here from the cases app: the table is renamed, its rows and its
append-only triggers kept (recreated under the new name)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

POSTGRES_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION baove_refuse_audit_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '%% is append-only: %% refused', TG_TABLE_NAME, TG_OP;
    END;
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS cases_auditevent_append_only ON audit_auditevent",
    """
    CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION baove_refuse_audit_change()
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent",
    """
    CREATE TRIGGER cases_auditevent_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION baove_refuse_audit_change()
    """,
]
SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS cases_auditevent_no_update",
    "DROP TRIGGER IF EXISTS cases_auditevent_no_delete",
    """CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only: DELETE refused'); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
    # The table is renamed back next (the rename carries the triggers with it).
    """CREATE TRIGGER cases_auditevent_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'cases_auditevent is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER cases_auditevent_no_delete BEFORE DELETE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'cases_auditevent is append-only: DELETE refused'); END""",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("cases", "0010_audit_moves_to_its_own_app"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("at", models.DateTimeField(db_index=True)),
                        (
                            "action",
                            models.CharField(
                                choices=[
                                    ("view", "Viewed"),
                                    ("create", "Created"),
                                    ("change", "Changed"),
                                    ("export", "Exported"),
                                    ("print", "Printed"),
                                    ("download", "Downloaded"),
                                    ("denied", "Refused"),
                                    ("login", "Logged in"),
                                    ("logout", "Logged out"),
                                    ("login_failed", "Failed login"),
                                    ("locked_out", "Locked out"),
                                    ("2fa_enabled", "Two-factor authentication turned on"),
                                    ("2fa_verified", "Two-factor code accepted"),
                                    ("2fa_failed", "Wrong two-factor code"),
                                    ("2fa_recovery", "Recovery code used"),
                                    ("2fa_codes", "New recovery codes"),
                                    ("2fa_reset", "Two-factor authentication reset"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("object_type", models.CharField(max_length=30)),
                        ("object_id", models.CharField(blank=True, max_length=40)),
                        ("case_id", models.BigIntegerField(blank=True, null=True)),
                        ("fields", models.JSONField(blank=True, default=dict)),
                        ("ip", models.GenericIPAddressField(null=True)),
                        ("channel", models.CharField(blank=True, max_length=10)),
                        ("path", models.CharField(blank=True, max_length=300)),
                        (
                            "user",
                            models.ForeignKey(
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "audit event",
                        "verbose_name_plural": "audit trail",
                        "db_table": "cases_auditevent",
                        "indexes": [
                            models.Index(fields=["case_id", "at"], name="audit_case_idx"),
                            models.Index(fields=["user", "at"], name="audit_user_idx"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="auditevent", table=None),
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
