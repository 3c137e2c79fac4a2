"""A person recorded as the alleged perpetrator on a case file is never told about that case, by any path
(a new report, a hand-off, an escalation, a notice about one of its assignments), and no SMS or Zalo message
carries the child's name. The rule lives in one place: notifications.recipients."""

import datetime

import pytest

from cases.models import Assignment, Caregiver
from cases.services import privacy
from cases.services.intake import CaregiverInput
from notifications.models import ChannelAccount, Deadline, Delivery, Notification, Preference
from notifications.services import notify
from notifications.tasks import deliver
from tests.factories import MembershipFactory, UserFactory, child_input, walk_to_approved
from tests.notifications.gateway import start_gateway

pytestmark = pytest.mark.django_db

CHILD = "Lò Thị Mai Anh"
VERIFIED = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)


@pytest.fixture
def gateway():
    server, gateway = start_gateway()
    gateway.answer((200, {"CodeResult": "100", "SMSID": "s-1"}))
    yield gateway
    server.shutdown()
    server.server_close()


@pytest.fixture
def officers(cast, tree):
    """Two more officers of C1: one shares the alleged perpetrator's phone (a relative on staff), one does not."""
    agency = cast.officer.memberships.get().agency

    def officer(username, phone):
        user = UserFactory(username=username)
        MembershipFactory(user=user, role="commune_officer", agency=agency, unit=tree.commune_c1)
        Preference.objects.create(user=user, phone=phone, phone_verified_at=VERIFIED, sms_enabled=True)
        return user

    return officer("officer_related", "84912345678"), officer("officer_other", "84987654321")


def _perpetrator_case(receive, tree):
    caregiver = CaregiverInput(
        full_name="Lò Văn Tư", relation="cha dượng", phone="0912 345 678", is_alleged_perpetrator=True
    )
    child = child_input(tree.commune_c1, name=CHILD, caregivers=[caregiver])
    return receive(children=[child]).case_files.get()


def test_a_new_report_is_not_announced_to_the_alleged_perpetrator(cast, tree, receive, officers):
    related, other = officers
    case = _perpetrator_case(receive, tree)
    told = set(Notification.objects.filter(about_id=case.pk).values_list("user__username", flat=True))
    assert told == {"officer_other"}
    assert not Notification.objects.filter(user=related).exists()
    assert Notification.objects.get(user=other).about_type.model == "casefile"


def test_no_hand_off_escalation_or_assignment_notice_reaches_them(cast, tree, receive, officers):
    related, other = officers
    case = _perpetrator_case(receive, tree)
    deadline = Deadline.objects.filter(target_id=case.pk, target_type__model="casefile").first()
    assert notify(user=related, title=f"[{case.reference}] Việc", about=case) is None
    assert notify(user=related, title=f"[{case.reference}] Quá hạn", deadline=deadline, step=0) is None
    assert notify(user=other, title=f"[{case.reference}] Quá hạn", deadline=deadline, step=0) is not None
    police = cast.police.memberships.get().agency
    walk_to_approved(case, cast.officer, cast.chairman, [(police, "police", "Bảo vệ", datetime.date(2030, 1, 1))])
    assignment = Assignment.objects.get(case=case)
    assert notify(user=related, title=f"[{case.reference}] Phân công", about=assignment) is None
    data_request = privacy.request_record(
        actor=cast.officer, case=case, kind="access", requester_name="Mẹ em", requester_relation="mẹ"
    )
    assert notify(user=related, title=f"[{case.reference}] Yêu cầu", about=data_request) is None
    assert notify(user=other, title=f"[{case.reference}] Yêu cầu", about=data_request) is not None
    assert not Notification.objects.filter(user=related).exists()
    # Hand-offs went out to the others (the chairman was told the plan was submitted).
    assert Notification.objects.filter(user=cast.chairman, about_id=case.pk).exists()


def test_a_caregiver_marked_after_the_notice_still_gets_no_sms(cast, tree, receive, officers, gateway):
    related, _other = officers
    ChannelAccount.objects.create(channel="sms", province=tree.province_p, name="P", url=gateway.url, api_key="k")
    case = receive(children=[child_input(tree.commune_c1, name=CHILD)]).case_files.get()
    delivery = Delivery.objects.get(notification__user=related, channel="sms")
    Caregiver.objects.create(
        child=case.child,
        full_name="Lò Văn Tư",
        relation="cha dượng",
        phone="+84 912 345 678",
        is_alleged_perpetrator=True,
    )
    deliver.apply(args=[delivery.pk])
    delivery.refresh_from_db()
    assert (delivery.state, delivery.last_error) == (
        "failed",
        "the recipient is recorded as the alleged perpetrator on this case",
    )
    assert gateway.requests == []  # nothing left the building
    sent_to_other = Delivery.objects.get(notification__user__username="officer_other", channel="sms")
    deliver.apply(args=[sent_to_other.pk])
    sent_to_other.refresh_from_db()
    assert sent_to_other.state == "sent"
    assert CHILD not in str(gateway.requests[0].body)
    assert case.reference in gateway.requests[0].body["Content"]


def test_a_message_that_names_the_child_is_not_sent(cast, tree, receive, officers, gateway):
    _related, other = officers
    ChannelAccount.objects.create(channel="sms", province=tree.province_p, name="P", url=gateway.url, api_key="k")
    case = receive(children=[child_input(tree.commune_c1, name=CHILD)]).case_files.get()
    notification = notify(
        user=other,
        title=f"[{case.reference}] Em Lo Thi Mai Anh",
        about=case,
        is_urgent=True,
        province_id=tree.province_p.pk,
    )
    delivery = Delivery.objects.get(notification=notification, channel="sms")
    deliver.apply(args=[delivery.pk])
    delivery.refresh_from_db()
    assert (delivery.state, delivery.last_error) == ("failed", "the message names the child")
    assert gateway.requests == []
