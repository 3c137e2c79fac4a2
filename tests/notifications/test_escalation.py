import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from notifications.engine import scan
from notifications.models import Deadline, EscalationFire, Notification
from tests.factories import assess

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def _at(*args):
    return datetime.datetime(*args, tzinfo=HCM)


def _told(kind):
    """(username, step) of every notification about deadlines of KIND, in order."""
    return list(Notification.objects.filter(deadline__kind=kind).order_by("pk").values_list("user__username", "step"))


def _scan_at(moment):
    with time_machine.travel(moment, tick=False):
        return scan()


def test_emergency_ladder_fires_each_step_at_its_moment(cast, receive):
    with time_machine.travel(_at(2026, 3, 10, 8, 0), tick=False):
        receive(received_at=_at(2026, 3, 10, 8, 0))
    _scan_at(_at(2026, 3, 10, 13, 59))
    assert _told("emergency_decision") == []
    _scan_at(_at(2026, 3, 10, 14, 0))  # 50 % of 12 hours
    assert _told("emergency_decision") == [("officer", 0)]
    _scan_at(_at(2026, 3, 10, 17, 1))  # 75 %
    assert _told("emergency_decision")[-1] == ("officer", 1)
    _scan_at(_at(2026, 3, 10, 20, 0, 30))  # the deadline: the chairman
    assert _told("emergency_decision")[-1] == ("chairman", 2)
    _scan_at(_at(2026, 3, 11, 7, 59))
    assert len(_told("emergency_decision")) == 3
    _scan_at(_at(2026, 3, 11, 8, 0))  # 12 hours late: the province coordinator
    assert _told("emergency_decision") == [("officer", 0), ("officer", 1), ("chairman", 2), ("coordinator_province", 3)]
    _scan_at(_at(2026, 3, 20, 8, 0))
    assert len(_told("emergency_decision")) == 4  # nothing fires twice
    assert Notification.objects.get(deadline__kind="emergency_decision", step=2).is_urgent


def test_plan_ladder_counts_working_days_across_tet(cast, receive):
    """Received Friday 13 February 2026: due Friday 27 February (Tết skipped); +2 working days = 3 March."""
    with time_machine.travel(_at(2026, 2, 13, 8, 30), tick=False):
        receive(received_at=_at(2026, 2, 13, 8, 30))
    _scan_at(_at(2026, 2, 27, 23, 0))
    assert ("chairman", 2) not in _told("plan_submission")
    _scan_at(_at(2026, 2, 28, 0, 5))
    assert ("chairman", 2) in _told("plan_submission")
    _scan_at(_at(2026, 3, 3, 23, 0))
    assert ("coordinator_district", 3) not in _told("plan_submission")
    _scan_at(_at(2026, 3, 4, 0, 5))
    assert _told("plan_submission")[-1] == ("coordinator_district", 3)  # the intermediate level exists here


def test_without_an_intermediate_level_the_province_coordinator_is_told(tree, cast, receive):
    from tests.factories import AgencyFactory, MembershipFactory

    agency = AgencyFactory(name="VH-XH Phường Ba", unit=tree.commune_c3)
    officer = MembershipFactory(role="commune_officer", agency=agency, unit=tree.commune_c3).user
    with time_machine.travel(_at(2026, 2, 13, 8, 30), tick=False):
        receive(actor=officer, commune=tree.commune_c3, received_at=_at(2026, 2, 13, 8, 30))
    _scan_at(_at(2026, 3, 4, 0, 5))
    assert _told("plan_submission")[-1] == ("coordinator_province", 3)


def test_meeting_the_deadline_stops_the_ladder(cast, receive):
    with time_machine.travel(_at(2026, 3, 10, 8, 0), tick=False):
        case = receive(received_at=_at(2026, 3, 10, 8, 0)).case_files.get()
    _scan_at(_at(2026, 3, 10, 14, 30))
    with time_machine.travel(_at(2026, 3, 10, 15, 0), tick=False):
        assess(case, cast.officer)
    _scan_at(_at(2026, 3, 12, 8, 0))
    assert _told("emergency_decision") == [("officer", 0)]
    assert Deadline.objects.get(kind="emergency_decision").state == "met"


def test_a_30_hour_outage_gives_one_message_per_person_per_deadline(cast, receive):
    with time_machine.travel(_at(2026, 3, 10, 8, 0), tick=False):
        receive(received_at=_at(2026, 3, 10, 8, 0))
    result = _scan_at(_at(2026, 3, 11, 14, 0))
    assert sorted(_told("emergency_decision")) == [("chairman", 3), ("coordinator_province", 3), ("officer", 3)]
    fires = list(
        EscalationFire.objects.filter(deadline__kind="emergency_decision").values_list("position", "was_announced")
    )
    assert fires == [(0, False), (1, False), (2, False), (3, True)]
    assert result.steps_fired >= 4
    assert _scan_at(_at(2026, 3, 11, 14, 5)).notifications == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("default_ladders")
def test_two_concurrent_scans_fire_each_step_once(tree, cast, receive):
    from tests.factories import child_input

    with time_machine.travel(_at(2026, 3, 10, 8, 0), tick=False):
        receive(
            received_at=_at(2026, 3, 10, 8, 0),
            children=[child_input(tree.commune_c1, name=f"Trẻ {i}") for i in range(25)],
        )
    moment = _at(2026, 3, 11, 14, 0)
    barrier = threading.Barrier(2)
    errors, results = [], []

    def run():
        try:
            barrier.wait()
            results.append(scan(moment))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert EscalationFire.objects.filter(deadline__kind="emergency_decision").count() == 25 * 4
    notifications = list(
        Notification.objects.filter(deadline__kind="emergency_decision").values_list("user_id", "deadline_id")
    )
    assert len(notifications) == len(set(notifications)) == 25 * 3
    assert (
        sum(r.deadlines for r in results)
        == 25 + Deadline.objects.filter(fires__isnull=False).exclude(kind="emergency_decision").distinct().count()
    )
