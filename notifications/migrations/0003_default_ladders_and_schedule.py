from django.db import migrations


def create(apps, schema_editor):
    from notifications.defaults import DEFAULT_LADDERS

    ladder_model = apps.get_model("notifications", "EscalationLadder")
    step_model = apps.get_model("notifications", "EscalationStep")
    for kind, (name, steps) in DEFAULT_LADDERS.items():
        ladder, created = ladder_model.objects.get_or_create(kind=kind, province=None, defaults={"name": name})
        if created:
            for position, (timing, amount, recipient, is_urgent) in enumerate(steps):
                step_model.objects.create(
                    ladder=ladder, position=position, timing=timing, amount=amount, recipient=recipient,
                    is_urgent=is_urgent,
                )

    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = interval_model.objects.get_or_create(every=1, period="minutes")
    task_model.objects.get_or_create(
        name="Escalation scan (every minute)",
        defaults={"task": "notifications.tasks.scan_deadlines", "interval": every_minute},
    )
    morning, _ = crontab_model.objects.get_or_create(
        minute="0", hour="7", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Ho_Chi_Minh"
    )
    task_model.objects.get_or_create(
        name="Daily digest of due-soon and overdue items",
        defaults={"task": "notifications.tasks.daily_digest", "crontab": morning},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_escalation"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
