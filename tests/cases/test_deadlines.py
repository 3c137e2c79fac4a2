import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.models import DeadlineRule
from notifications.models import CalendarDay, Deadline
from notifications.selectors import deadline_status
from tests.factories import child_input

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def _due(case):
    return {
        kind: due.astimezone(HCM)
        for kind, due in Deadline.objects.filter(target_type__model="casefile", target_id=case.pk).values_list(
            "kind", "due_at"
        )
    }


def _at(*args):
    return datetime.datetime(*args, tzinfo=HCM)


@time_machine.travel(_at(2026, 3, 13, 16, 0), tick=False)
def test_deadlines_across_a_weekend(tree, receive):
    """Received Friday 13 March 2026, 15:00: the weekend does not count."""
    case = receive(received_at=_at(2026, 3, 13, 15, 0)).case_files.get()
    due = _due(case)
    assert due["emergency_decision"] == _at(2026, 3, 14, 3, 0)  # 12 hours, night and weekend included
    assert due["plan_submission"] == _at(2026, 3, 20, 23, 59, 59)  # Mon 16 … Fri 20 = 5 working days
    assert due["plan_approval"] == _at(2026, 3, 24, 23, 59, 59)  # … Mon 23, Tue 24 = 7 working days


@time_machine.travel(_at(2026, 2, 13, 9, 0), tick=False)
def test_deadlines_across_tet_2026(tree, receive):
    """Received Friday 13 February 2026: Tết holidays 16–20 February and two weekends are skipped."""
    case = receive(received_at=_at(2026, 2, 13, 8, 30)).case_files.get()
    due = _due(case)
    assert due["emergency_decision"] == _at(2026, 2, 13, 20, 30)
    assert due["plan_submission"] == _at(2026, 2, 27, 23, 59, 59)  # 23, 24, 25, 26, 27 February
    assert due["plan_approval"] == _at(2026, 3, 3, 23, 59, 59)  # … 2, 3 March


@time_machine.travel(_at(2026, 8, 20, 10, 0), tick=False)
def test_substituted_working_saturday_and_administrator_corrections_count(tree, receive):
    """22 August 2026 is a working Saturday (swapped for 31 August); an administrator adds a day off."""
    CalendarDay.objects.create(date=datetime.date(2026, 8, 25), is_working_day=False, name="Nghỉ bù theo quyết định")
    case = receive(received_at=_at(2026, 8, 20, 9, 0)).case_files.get()
    # 21 (Fri), 22 (working Sat), 24 (Mon), [25 off], 26, 27 → 5th working day is 27 August.
    assert _due(case)["plan_submission"] == _at(2026, 8, 27, 23, 59, 59)


@time_machine.travel(_at(2026, 3, 13, 16, 0), tick=False)
def test_a_province_can_shorten_a_limit(tree, receive):
    DeadlineRule.objects.create(province=tree.province_p, kind="emergency_decision", amount=8, unit="hours")
    case = receive(received_at=_at(2026, 3, 13, 15, 0)).case_files.get()
    assert _due(case)["emergency_decision"] == _at(2026, 3, 13, 23, 0)


@time_machine.travel(_at(2026, 3, 13, 16, 0), tick=False)
def test_another_province_keeps_the_legal_default(tree, cast, receive):
    DeadlineRule.objects.create(province=tree.province_p, kind="emergency_decision", amount=8, unit="hours")
    case = receive(actor=cast.officer_elsewhere, commune=tree.commune_c4, received_at=_at(2026, 3, 13, 15, 0))
    assert _due(case.case_files.get())["emergency_decision"] == _at(2026, 3, 14, 3, 0)


def test_deadline_status_due_soon_and_overdue(tree, receive):
    with time_machine.travel(_at(2026, 3, 13, 15, 0), tick=False):
        case = receive(received_at=_at(2026, 3, 13, 15, 0)).case_files.get()
    deadline = Deadline.objects.get(target_id=case.pk, kind="emergency_decision")
    assert deadline_status(deadline, _at(2026, 3, 13, 16, 0)) == "due"
    assert deadline_status(deadline, _at(2026, 3, 14, 0, 30)) == "due_soon"  # last quarter of 12 hours
    assert deadline_status(deadline, _at(2026, 3, 14, 3, 1)) == "overdue"


def test_child_under_16_is_judged_on_the_report_date(tree, receive):
    with time_machine.travel(_at(2026, 3, 13, 15, 0), tick=False):
        report = receive(
            received_at=_at(2026, 3, 1, 9, 0), children=[child_input(tree.commune_c1, birth=datetime.date(2010, 3, 2))]
        )
    assert report.case_files.count() == 1  # 15 on 1 March, although 16 by the time it is typed in
