from django.db import migrations


def create(apps, schema_editor):
    from notifications.defaults import DEFAULT_LADDERS

    ladder_model = apps.get_model("notifications", "EscalationLadder")
    step_model = apps.get_model("notifications", "EscalationStep")
    name, steps = DEFAULT_LADDERS["no_contact"]
    ladder, created = ladder_model.objects.get_or_create(kind="no_contact", province=None, defaults={"name": name})
    if created:
        for position, (timing, amount, recipient, is_urgent) in enumerate(steps):
            step_model.objects.create(
                ladder=ladder, position=position, timing=timing, amount=amount, recipient=recipient, is_urgent=is_urgent
            )
    crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    night, _ = crontab_model.objects.get_or_create(
        minute="15", hour="3", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Ho_Chi_Minh"
    )
    task_model.objects.get_or_create(
        name="Keep the no-contact rule of every open case file running (and none on closed ones)",
        defaults={"task": "cases.tasks.contact_rules_ensure", "crontab": night},
    )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0010_webhook_endpoint_for_one_account")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
