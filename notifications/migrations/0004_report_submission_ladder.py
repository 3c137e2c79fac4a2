from django.db import migrations


def create(apps, schema_editor):
    from notifications.defaults import DEFAULT_LADDERS

    ladder_model = apps.get_model("notifications", "EscalationLadder")
    step_model = apps.get_model("notifications", "EscalationStep")
    for kind, (name, steps) in DEFAULT_LADDERS.items():
        ladder, created = ladder_model.objects.get_or_create(kind=kind, province=None, defaults={"name": name})
        if created:
            for position, (timing, amount, recipient, is_urgent) in enumerate(steps):
                step_model.objects.create(ladder=ladder, position=position, timing=timing, amount=amount,
                                          recipient=recipient, is_urgent=is_urgent)
    crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    night, _ = crontab_model.objects.get_or_create(
        minute="30", hour="1", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Ho_Chi_Minh"
    )
    task_model.objects.get_or_create(
        name="Open the periodic reports of a period that just ended",
        defaults={"task": "reports.tasks.open_period_reports", "crontab": night},
    )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_default_ladders_and_schedule")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
