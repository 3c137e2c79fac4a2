"""The timeline's kinds become typed (choices, and a check constraint the database enforces).

Timelines written by the benchmark's data generator before this release used two codes the
application never wrote; they are renamed to the events they stood for before the constraint.
"""

from django.conf import settings
from django.db import migrations, models

RENAMED = {"propose_closure": "review", "close": "approve_closure"}


def rename_generated_kinds(apps, schema_editor):
    events = apps.get_model("cases", "CaseEvent")
    for old, new in RENAMED.items():
        events.objects.filter(kind=old).update(kind=new)


KIND_KNOWN = models.CheckConstraint(condition=models.Q(('kind__in', ['received', 'assess', 'record_emergency', 'investigate', 'submit_plan', 'approve_plan', 'return_plan', 'review', 'approve_closure', 'reject_closure', 'transfer', 'accept_transfer', 'decline_transfer', 'mark_not_child_protection', 'reopen', 'note', 'attachment', 'restrict', 'unrestrict', 'assignment_proposed', 'assignment_accepted', 'assignment_declined', 'assignment_progress', 'assignment_closed', 'assignment_cancelled', 'plan_implemented', 'lawful_basis', 'consent', 'consent_withdrawn', 'disclosed', 'data_request', 'data_request_answered'])), name='case_event_kind_known')


def add_kind_constraint(apps, schema_editor):
    model = apps.get_model("cases", "CaseEvent")
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.add_constraint(model, KIND_KNOWN)
        return
    statement = str(KIND_KNOWN.create_sql(model, schema_editor))
    schema_editor.execute(statement + " NOT VALID")
    schema_editor.execute(f"ALTER TABLE {model._meta.db_table} VALIDATE CONSTRAINT {KIND_KNOWN.name}")


def drop_kind_constraint(apps, schema_editor):
    schema_editor.remove_constraint(apps.get_model("cases", "CaseEvent"), KIND_KNOWN)


class Migration(migrations.Migration):
    # Each statement commits on its own: the constraint added NOT VALID is validated without holding
    # the table's exclusive lock through the scan.
    atomic = False

    dependencies = [
        ('cases', '0010_audit_moves_to_its_own_app'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(rename_generated_kinds, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='caseevent',
            name='from_state',
            field=models.CharField(blank=True, choices=[('received', 'Received'), ('assessed', 'Initial assessment done'), ('emergency_handled', 'Emergency measures taken'), ('investigated', 'Information collected and assessed'), ('plan_submitted', 'Plan submitted for approval'), ('plan_returned', 'Plan returned for revision'), ('in_intervention', 'Under intervention'), ('reviewed', 'Reviewed'), ('closure_proposed', 'Closure proposed'), ('closed', 'Closed'), ('transfer_pending', 'Transfer to another commune pending'), ('not_child_protection', 'Not a child-protection matter')], max_length=30),
        ),
        migrations.AlterField(
            model_name='caseevent',
            name='kind',
            field=models.CharField(choices=[('received', 'Report received, case file opened'), ('assess', 'Initial risk assessment recorded (Form 02)'), ('record_emergency', 'Emergency measures recorded'), ('investigate', 'Information collected, needs meeting held (Form 03)'), ('submit_plan', 'Intervention plan submitted to the chairman (Form 04)'), ('approve_plan', 'Intervention plan approved (Form 05)'), ('return_plan', 'Intervention plan returned for revision'), ('review', 'Plan reviewed (Form 06)'), ('approve_closure', 'Ending the plan approved, case file closed'), ('reject_closure', 'Ending the plan refused'), ('transfer', 'Transfer to another commune requested'), ('accept_transfer', 'Transfer accepted by the receiving commune'), ('decline_transfer', 'Transfer declined by the receiving commune'), ('mark_not_child_protection', 'Found not to be a child-protection matter'), ('reopen', 'Case file reopened'), ('note', 'Note added'), ('attachment', 'File attached'), ('restrict', 'Restricted to named users'), ('unrestrict', 'Restriction lifted'), ('assignment_proposed', 'Measure assigned to an agency'), ('assignment_accepted', 'Assignment accepted by the agency'), ('assignment_declined', 'Assignment declined by the agency'), ('assignment_progress', 'Progress reported by the agency'), ('assignment_closed', 'Assignment closed by the agency'), ('assignment_cancelled', 'Assignment cancelled'), ('plan_implemented', 'Every measure of the plan carried out'), ('lawful_basis', 'Lawful basis for processing recorded'), ('consent', 'Consent recorded'), ('consent_withdrawn', 'Consent withdrawn'), ('disclosed', 'Disclosure of information recorded'), ('data_request', 'Data-subject request registered'), ('data_request_answered', 'Data-subject request answered')], max_length=40, verbose_name='event'),
        ),
        migrations.AlterField(
            model_name='caseevent',
            name='to_state',
            field=models.CharField(blank=True, choices=[('received', 'Received'), ('assessed', 'Initial assessment done'), ('emergency_handled', 'Emergency measures taken'), ('investigated', 'Information collected and assessed'), ('plan_submitted', 'Plan submitted for approval'), ('plan_returned', 'Plan returned for revision'), ('in_intervention', 'Under intervention'), ('reviewed', 'Reviewed'), ('closure_proposed', 'Closure proposed'), ('closed', 'Closed'), ('transfer_pending', 'Transfer to another commune pending'), ('not_child_protection', 'Not a child-protection matter')], max_length=30),
        ),
        # On PostgreSQL the constraint is added NOT VALID (no long lock on a large timeline), then
        # validated (which lets writes go on meanwhile).
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddConstraint(model_name="caseevent", constraint=KIND_KNOWN)],
            database_operations=[migrations.RunPython(add_kind_constraint, drop_kind_constraint)],
        ),
    ]
