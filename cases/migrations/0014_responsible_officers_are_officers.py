"""Before responsibility landed on a person, whoever recorded a report became the officer of its case files
(the hotline's integration account, a chairman, the police). For the files still open, a responsible
"officer" who is not a child-protection officer of the file's commune is cleared: the commune's officers
are told by reminders, and the first to act takes the file (recorded on the timeline)."""

from django.db import migrations
from django.db.models import Exists, OuterRef

OPEN = ["closed", "not_child_protection"]


def clear(apps, schema_editor):
    case_file = apps.get_model("cases", "CaseFile")
    membership = apps.get_model("agencies", "StaffMembership")
    officer_there = membership.objects.filter(
        user_id=OuterRef("officer_id"), unit_id=OuterRef("commune_id"), role="commune_officer", is_active=True
    )
    case_file.objects.filter(officer__isnull=False).exclude(state__in=OPEN).exclude(Exists(officer_there)).update(
        officer=None
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0013_responsibility_events"),
        ("agencies", "0002_default_agency_types"),
    ]

    operations = [migrations.RunPython(clear, migrations.RunPython.noop)]
