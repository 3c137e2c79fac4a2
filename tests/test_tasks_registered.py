"""Every task the code sends through the outbox or the beat is one a worker knows: a message for a name no
worker registered is discarded ("Received unregistered task"), and the work it asked for never happens."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SENT = re.compile(r"""\benqueue(?:_later)?\(\s*["']([\w.]+)["']""")


def _sent_by_the_code() -> set[str]:
    names = set()
    for path in ROOT.glob("*/**/*.py"):
        if path.parts[len(ROOT.parts)] in {".venv", "tests", "node_modules", "static"}:
            continue
        names |= set(SENT.findall(path.read_text(encoding="utf-8")))
    return {name for name in names if (ROOT / name.split(".")[0]).is_dir()}  # not a docstring's example


def test_every_task_sent_through_the_outbox_or_the_beat_is_registered(db, settings):
    from django_celery_beat.models import PeriodicTask

    from config.celery import app

    app.loader.import_default_modules()  # what a worker does at start: autodiscovery of every app's tasks
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    scheduled |= set(PeriodicTask.objects.values_list("task", flat=True))  # the schedules migrations write
    sent = _sent_by_the_code() | scheduled
    # The register import's check and run (the resume view names them through an f-string).
    assert {"cases.tasks.register_import_check", "cases.tasks.register_import_run"} <= sent
    assert sorted(name for name in sent if name not in app.tasks) == []
