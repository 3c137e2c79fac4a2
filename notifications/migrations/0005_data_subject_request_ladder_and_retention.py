from django.db import migrations


def create(apps, schema_editor):
    from notifications.defaults import DEFAULT_LADDERS

    ladder_model = apps.get_model("notifications", "EscalationLadder")
    step_model = apps.get_model("notifications", "EscalationStep")
    name, steps = DEFAULT_LADDERS["data_subject_request"]
    ladder, created = ladder_model.objects.get_or_create(kind="data_subject_request", province=None,
                                                         defaults={"name": name})
    if created:
        for position, (timing, amount, recipient, is_urgent) in enumerate(steps):
            step_model.objects.create(ladder=ladder, position=position, timing=timing, amount=amount,
                                      recipient=recipient, is_urgent=is_urgent)
    crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    night, _ = crontab_model.objects.get_or_create(
        minute="45", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Ho_Chi_Minh"
    )
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    every_minute, _ = interval_model.objects.get_or_create(every=1, period="minutes")
    task_model.objects.get_or_create(
        name="Send the tasks kept in the outbox while the broker was down (every minute)",
        defaults={"task": "notifications.tasks.relay_outbox", "interval": every_minute},
    )
    task_model.objects.get_or_create(
        name="Pseudonymise case files past their retention period",
        defaults={"task": "cases.tasks.pseudonymise_expired", "crontab": night},
    )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0004_report_submission_ladder")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
