"""Both seed plans, transcribed in full as YAML, loaded for the embedded default, with the reports their
lead agencies' focal points made on some tasks (agencies.demo gives those agencies their accounts)."""

import dataclasses
import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from agencies.demo import clock

from .importer import parse
from .models import Plan, PlanStatus, TaskOccurrence
from .services import plan_close, plan_import, progress_report_add

SEEDS = sorted((Path(__file__).parent / "demo").glob("*.yaml"))

# (plan number, focal point of the lead agency, how many of its tasks' occurrences it reported: done, in progress)
REPORTS = (
    ("103/KH-UBND", "ldtbxh.tanbien", 6, 3),
    ("103/KH-UBND", "congan.huyentanbien", 2, 1),
    ("57/KH-UBND", "ldtbxh.thaibinh", 8, 4),
)


@transaction.atomic
def seed() -> dict[str, int]:
    created, closing = [], []
    for path in SEEDS:
        spec = parse(path.read_text(encoding="utf-8"))
        if not Plan.objects.filter(number=spec.number, issued_on=spec.issued_on).exists():
            # A plan closed since is loaded running, its agencies' reports made while it ran, then closed (a
            # closed plan takes no report).
            if spec.status == PlanStatus.CLOSED:
                spec = dataclasses.replace(spec, status=PlanStatus.ISSUED)
                closing.append(spec.number)
            created.append(plan_import(actor=None, spec=spec))
    users = get_user_model().objects.in_bulk(
        [username for _plan, username, _done, _going in REPORTS], field_name="username"
    )
    reports = 0
    for plan in created:
        for number, username, done, going in REPORTS:
            if plan.number == number and username in users:
                reports += _report(plan, users[username], done=done, going=going)
    for plan in created:
        if plan.number in closing:
            plan_close(actor=None, plan=plan)
    return {"plans": len(created), "plan task reports": reports}


def _report(plan: Plan, user, *, done: int, going: int) -> int:
    """The first DONE occurrences its agency leads reported done, the next GOING in progress, as of their due day."""
    occurrences = TaskOccurrence.objects.filter(task__plan=plan, task__lead_agency__memberships__user=user).order_by(
        "due_date", "pk"
    )[: done + going]
    with clock(_morning(plan.issued_on)) as time:
        for index, occurrence in enumerate(occurrences):
            time.move_to(_morning(occurrence.due_date - datetime.timedelta(days=3)))
            is_done = index < done
            progress_report_add(
                actor=user,
                occurrence=occurrence,
                status="done" if is_done else "in_progress",
                narrative=(
                    "Đã tổ chức thực hiện; kết quả được tổng hợp trong báo cáo của cơ quan."
                    if is_done
                    else "Đang triển khai tại các xã, dự kiến hoàn thành đúng hạn."
                ),
                figures={"Số lượt người tham dự": 120 + 15 * index} if is_done else {},
            )
    return len(occurrences)


def _morning(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
