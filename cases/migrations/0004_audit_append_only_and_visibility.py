from django.db import migrations

POSTGRES_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION baove_refuse_audit_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'cases_auditevent is append-only: %% refused', TG_OP;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER cases_auditevent_append_only BEFORE UPDATE OR DELETE ON cases_auditevent
    FOR EACH ROW EXECUTE FUNCTION baove_refuse_audit_change()
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS cases_auditevent_append_only ON cases_auditevent",
    "DROP FUNCTION IF EXISTS baove_refuse_audit_change()",
]
SQLITE_FORWARD = [
    """CREATE TRIGGER cases_auditevent_no_update BEFORE UPDATE ON cases_auditevent
       BEGIN SELECT RAISE(ABORT, 'cases_auditevent is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER cases_auditevent_no_delete BEFORE DELETE ON cases_auditevent
       BEGIN SELECT RAISE(ABORT, 'cases_auditevent is append-only: DELETE refused'); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS cases_auditevent_no_update",
    "DROP TRIGGER IF EXISTS cases_auditevent_no_delete",
]

# service type: narrative, abuse forms, perpetrator, address and caregivers, birth date and sex
VISIBILITY = {
    "police": (True, True, True, True, True),
    "medical": (True, True, False, False, True),
    "psychological": (True, True, False, False, True),
    "legal_aid": (True, True, True, True, True),
    "education": (False, False, False, False, True),
    "shelter": (False, True, True, True, True),
    "social_assistance": (False, False, False, True, True),
    "civil_status": (False, False, False, True, True),
    "family_counselling": (True, False, False, True, True),
    "other": (False, False, False, False, True),
}


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in POSTGRES_FORWARD if vendor == "postgresql" else SQLITE_FORWARD if vendor == "sqlite" else []:
        schema_editor.execute(statement)
    visibility = apps.get_model("cases", "ServiceVisibility")
    for service, (narrative, forms, perpetrator, address, birth) in VISIBILITY.items():
        visibility.objects.get_or_create(
            service_type=service,
            defaults={
                "sees_narrative": narrative, "sees_abuse_forms": forms, "sees_perpetrator": perpetrator,
                "sees_address": address, "sees_birth_date": birth,
            },
        )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in POSTGRES_BACKWARD if vendor == "postgresql" else SQLITE_BACKWARD if vendor == "sqlite" else []:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_assignments_access_audit")]

    operations = [migrations.RunPython(forwards, backwards)]
