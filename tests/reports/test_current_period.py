"""The period still running and the units that report: figures "at the end of the period" are taken
as of now, and a commune's hamlets are not sub-units expected to report."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from notifications.models import Deadline
from reports import services
from reports.indicators import compute
from reports.periods import parse

pytestmark = pytest.mark.django_db


def _current_half_year():
    today = timezone.localdate()
    return parse(f"{today.year}-H{1 if today.month <= 6 else 2}")


def test_a_deadline_still_to_come_is_not_counted_late_in_the_current_period(tree, receive):
    (case,) = receive().case_files.all()
    period = _current_half_year()
    deadlines = Deadline.objects.filter(target_id=case.pk, state="open")
    assert deadlines.exists()
    assert all(d.due_at > timezone.now() for d in deadlines)
    figures = compute(tree.commune_c1, period)["indicators"]["case_files"]
    assert (figures["open"], figures["overdue"]) == (1, 0)
    first = deadlines.order_by("due_at").first()
    with time_machine.travel(first.due_at + datetime.timedelta(minutes=1), tick=False):
        figures = compute(tree.commune_c1, period)["indicators"]["case_files"]
    assert (figures["open"], figures["overdue"]) == (1, 1)


def test_a_communes_rollup_lists_no_hamlet(cast, tree):
    report = services.report_draft(actor=cast.chairman, unit=tree.commune_c1, period=parse("2026-H1"))
    live = compute(tree.commune_c1, parse("2026-H1"))
    assert services.rollup(report, live) == []
    province = services.report_draft(actor=cast.leader, unit=tree.province_p, period=parse("2026-H1"))
    names = [row["name"] for row in services.rollup(province, compute(tree.province_p, parse("2026-H1")))]
    assert names == sorted([tree.district_d.name, tree.commune_c3.name])
