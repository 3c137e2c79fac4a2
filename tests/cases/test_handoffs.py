"""A notice at every hand-off, once; responsibility lands on a person, never on an integration account."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from cases import handoffs, services
from cases.models import CaseEvent
from notifications.engine import scan
from notifications.models import Notification
from tests.factories import AgencyFactory, MembershipFactory, UserFactory, walk_to

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
CHILD = "Nguyễn Văn An"


def _told(user) -> list[str]:
    return list(Notification.objects.filter(user=user, key__startswith="case-event:").values_list("title", flat=True))


def _measure(agency):
    return (agency, "police", "Xác minh, bảo vệ trẻ.", timezone.localdate() + datetime.timedelta(days=7))


def test_each_hand_off_tells_the_next_person_once_and_never_names_the_child(cast, receive):
    police = cast.police.memberships.get().agency
    case = walk_to(receive().case_files.get(), "plan_submitted", officer=cast.officer, chairman=cast.chairman,
                   measures=[_measure(police)])  # fmt: skip
    (notice,) = Notification.objects.filter(user=cast.chairman, key__startswith="case-event:")
    assert notice.title.startswith(f"[{case.reference}] Kế hoạch hỗ trợ, can thiệp chờ phê duyệt")
    assert notice.url == f"/cases/{case.pk}/act/approve_plan/"
    assert _told(cast.officer) == []  # the officer submitted: nobody tells them their own step

    services.case_approve_plan(actor=cast.chairman, case=case, decision_number="9/QĐ-UBND")
    assert any("đã được phê duyệt" in title for title in _told(cast.officer))
    (to_police,) = _told(cast.police)
    assert "Việc mới giao cho Công an Xã Một" in to_police

    assignment = case.assignments.get()
    services.assignment_accept(actor=cast.police, assignment=assignment)
    services.assignment_report_progress(actor=cast.police, assignment=assignment, text="Đã làm việc.")
    titles = _told(cast.officer)
    assert any("đã tiếp nhận việc được giao" in title for title in titles)
    assert any("Công an Xã Một đã báo cáo tiến độ" in title for title in titles)
    everything = " ".join(Notification.objects.values_list("title", flat=True)) + " ".join(
        Notification.objects.values_list("body", flat=True)
    )
    assert CHILD not in everything

    # The same hand-off announced again (a retried task, a second call) tells nobody twice.
    event = CaseEvent.objects.get(case=case, kind="assignment_accepted")
    before = Notification.objects.count()
    assert handoffs.announce(event, case=case, actor=cast.police) == 0
    assert Notification.objects.count() == before


def test_a_transfer_tells_the_receiving_commune_and_its_answer_the_sender(tree, cast, receive):
    officer_c2 = UserFactory(username="officer_c2")
    social_c2 = AgencyFactory(agency_type__code="social_affairs", name="VH-XH Xã Hai", unit=tree.commune_c2)
    MembershipFactory(user=officer_c2, role="commune_officer", agency=social_c2, unit=tree.commune_c2)
    case = receive().case_files.get()
    services.case_transfer(actor=cast.officer, case=case, to_commune=tree.commune_c2, reason="Chuyển nhà.")
    (asked,) = _told(officer_c2)
    assert "đề nghị xã của bạn tiếp nhận hồ sơ" in asked
    services.case_decline_transfer(actor=officer_c2, case=case, reason="Chưa chuyển đến.")
    assert any("từ chối tiếp nhận" in title for title in _told(cast.officer))


def test_a_report_from_the_hotline_makes_the_communes_officer_responsible(tree, cast, receive, default_ladders):
    hotline = AgencyFactory(agency_type__code="hotline_111", name="Tổng đài 111", unit=None)
    integration = MembershipFactory(
        user=UserFactory(username="hotline"), role="focal_point", agency=hotline, unit=None
    ).user
    at = datetime.datetime(2026, 3, 10, 8, 0, tzinfo=HCM)
    with time_machine.travel(at, tick=False):
        case = receive(actor=integration, received_at=at, receiving_point="hotline_111", source="hotline_111")
        case = case.case_files.get()
    assert case.officer == cast.officer  # the commune's only officer, not the machine account
    # The 50 % and 75 % reminders of the 12-hour limit reach the officer; the integration account nothing.
    with time_machine.travel(at + datetime.timedelta(hours=9, minutes=1), tick=False):
        scan()
    told = set(
        Notification.objects.filter(deadline__kind="emergency_decision").values_list("user__username", flat=True)
    )
    assert told == {"officer"}
    assert not Notification.objects.filter(user=integration).exists()


def test_with_several_officers_the_one_with_fewest_open_files_answers_at_once(tree, cast, receive):
    receive()  # the first officer already answers for an open file
    second = UserFactory(username="officer_two")
    MembershipFactory(user=second, role="commune_officer", agency=cast.officer.memberships.get().agency,
                      unit=tree.commune_c1)  # fmt: skip
    case = receive(actor=cast.chairman).case_files.get()
    assert case.officer == second  # never nobody: the officer with fewer open files
    told = set(Notification.objects.filter(title__contains=case.reference).values_list("user__username", flat=True))
    assert told == {"officer", "officer_two"}  # each is told of the new report
    services.note_add(actor=cast.officer, case=case, text="Tôi hỗ trợ hồ sơ này.")
    services.case_assess(actor=cast.officer, case=case, severity="low", perpetrator_access="low",
                         care_environment="low", child_capacity="low", is_emergency=False)  # fmt: skip
    case.refresh_from_db()
    assert case.officer == second  # acting on it does not take it
    assert not case.events.filter(kind="responsibility_taken").exists()

    client = Client()
    client.force_login(cast.chairman)
    response = client.post(
        f"/cases/{case.pk}/responsible/", {"version": case.version, "officer": cast.officer.pk, "reason": "Nghỉ phép."}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.officer == cast.officer
    assert case.events.filter(kind="responsibility_reassigned").exists()
    assert {n.user.username for n in Notification.objects.filter(title__contains="Thay đổi người phụ trách")} == {
        "officer",
        "officer_two",
    }
    outsider = Client()
    outsider.force_login(cast.officer_elsewhere)
    assert outsider.get(f"/cases/{case.pk}/responsible/").status_code == 404
    police = Client()
    police.force_login(cast.police)
    assert police.post(f"/cases/{case.pk}/responsible/", {"officer": cast.police.pk}).status_code in (403, 404)
    case.refresh_from_db()
    assert case.officer == cast.officer
