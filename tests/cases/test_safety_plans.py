"""The safety plan of a child at high risk: recorded and reviewed in versions, its review date on the
officer's work list (a reminder, met and set again by each review), and the family's printed copy without
anything the alleged perpetrator must not see. The alleged perpetrator is never told about it."""

import datetime
import shutil
import subprocess

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import ServiceProvider
from cases import services
from cases.choices import SAFETY_PLAN_REVIEW_DEADLINE
from cases.models import CaseEvent, SafetyPlan
from cases.safety import family_copy
from cases.services import CaregiverInput, SafetyItemInput
from notifications.engine import scan
from notifications.models import Deadline, Notification, Preference
from tests.factories import MembershipFactory, UserFactory, child_input
from work.selectors import work_for

pytestmark = pytest.mark.django_db

CHILD = "Lò Thị Mai Anh"
ABUSER = "Lò Văn Tư"
ABUSER_PHONE = "0912 345 678"
HIDDEN_ACTION = "Mẹ đưa em sang nhà bà ngoại ở ấp Ba khi ông ấy say rượu"
HIDDEN_CONTACT = "Cô giáo chủ nhiệm Trần Thị Lan"
UNMARKED_NAMING = "Không để em ở một mình với Lo Van Tu"  # names him without the mark, diacritics dropped
SHOWN = "Gọi Tổng đài 111 khi có người đánh em"
VERIFIED = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def case(tree, receive):
    mother = CaregiverInput(
        full_name="Lường Thị Hoa", relation="mẹ", phone="0987 111 222", is_legal_representative=True
    )
    abuser = CaregiverInput(full_name=ABUSER, relation="cha dượng", phone=ABUSER_PHONE, is_alleged_perpetrator=True)
    child = child_input(tree.commune_c1, name=CHILD, caregivers=[mother, abuser])
    return receive(children=[child]).case_files.get()


def _items(provider=None):
    return [
        SafetyItemInput(kind="risk", text="Cha dượng uống rượu và đánh em vào buổi tối"),
        SafetyItemInput(kind="action", text=HIDDEN_ACTION, who="Mẹ", is_hidden_from_perpetrator=True),
        SafetyItemInput(kind="action", text=UNMARKED_NAMING, who="Mẹ"),
        SafetyItemInput(kind="action", text="Công an xã đến nhà khi được báo", who="Công an xã", phone="0276 3888 113"),
        SafetyItemInput(kind="warning_sign", text="Em nghỉ học không lý do"),
        SafetyItemInput(kind="contact", text=HIDDEN_CONTACT, phone="0911 222 333", is_hidden_from_perpetrator=True),
        SafetyItemInput(kind="contact", text=SHOWN, who="Tổng đài 111", phone="111", provider=provider),
    ]


def _record(case, actor, *, review_date=None, items=None, review_note=""):
    case.refresh_from_db()
    return services.safety_plan_record(
        actor=actor,
        case=case,
        items=items if items is not None else _items(),
        review_date=review_date or timezone.localdate() + datetime.timedelta(days=30),
        review_note=review_note,
        expected_version=case.version,
    )


needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is not installed (CI installs it)"
)


def _pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    return subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()


@needs_pdftotext
def test_the_family_print_carries_nothing_marked_for_the_alleged_perpetrator(cast, case):
    _record(case, cast.officer)
    response = _client(cast.officer).get(reverse("cases:safety_family_pdf", args=[case.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(_pdf_text(response.content).split())
    assert SHOWN in text
    assert "Em nghỉ học không lý do" in text  # a warning sign the family needs
    assert "Lường Thị Hoa" in text  # the copy is for the mother
    for withheld in (HIDDEN_ACTION, HIDDEN_CONTACT, "0911 222 333", UNMARKED_NAMING, ABUSER, "Lo Van Tu",
                     "Cha dượng uống rượu"):  # fmt: skip
        assert withheld not in text, withheld
    assert "Tư" not in text.replace("Tư pháp", "")  # not even his given name
    # The print is a read of the case file, recorded.
    from audit.models import AuditEvent

    assert AuditEvent.objects.filter(case_id=case.pk, action="print", user=cast.officer).exists()


def test_an_item_naming_the_perpetrator_is_left_out_even_unmarked_and_the_officer_is_told(cast, case):
    plan = _record(case, cast.officer)
    copy = family_copy(case, plan)
    risk = "Cha dượng uống rượu và đánh em vào buổi tối"  # a risk is never printed for the family
    assert {item.text for item in copy.left_out} == {risk, HIDDEN_ACTION, HIDDEN_CONTACT, UNMARKED_NAMING}
    assert [item.text for item in copy.named_perpetrator] == [UNMARKED_NAMING]
    assert [caregiver.full_name for caregiver in copy.addressees] == ["Lường Thị Hoa"]
    page = _client(cast.officer).get(reverse("cases:safety", args=[case.pk])).content.decode()
    assert "không in trong bản gửi gia đình" in page
    assert HIDDEN_ACTION in page  # the officer's own page shows the whole plan


def test_a_review_makes_a_new_version_and_keeps_the_earlier_one_readable(cast, case):
    first = _record(case, cast.officer)
    with pytest.raises(ValidationError) as refused:
        _record(case, cast.officer)  # a review must say what it found
    assert "review_note" in refused.value.message_dict
    second = _record(
        case,
        cast.officer,
        items=[SafetyItemInput(kind="action", text="Mẹ và em chuyển về ở với bà ngoại"), _items()[-1]],
        review_note="Cha dượng đã chuyển đi nơi khác.",
    )
    first.refresh_from_db()
    assert (first.is_current, second.is_current, second.number) == (False, True, 2)
    assert first.items.count() == 7  # unchanged
    client = _client(cast.officer)
    old = client.get(reverse("cases:safety", args=[case.pk]) + "?version=1").content.decode()
    assert HIDDEN_ACTION in old
    assert 'data-testid="safety-old-version"' in old
    current = client.get(reverse("cases:safety", args=[case.pk])).content.decode()
    assert "Mẹ và em chuyển về ở với bà ngoại" in current
    assert list(CaseEvent.objects.filter(case=case, kind__startswith="safety_plan").values_list("kind", flat=True)) == [
        "safety_plan",
        "safety_plan_reviewed",
    ]


def test_the_review_date_is_a_reminder_on_the_work_list_and_a_review_sets_it_again(cast, case, default_ladders):
    today = timezone.localdate()
    _record(case, cast.officer, review_date=today + datetime.timedelta(days=40))
    deadline = Deadline.objects.get(target_id=case.pk, kind=SAFETY_PLAN_REVIEW_DEADLINE, state="open")
    assert timezone.localtime(deadline.due_at).date() == today + datetime.timedelta(days=40)
    assert deadline.ladder is not None
    keys = lambda: {section.key for section in work_for(cast.officer).sections}  # noqa: E731
    assert "safety_reviews" not in keys()  # six weeks away: not yet
    with time_machine.travel(timezone.now() + datetime.timedelta(days=37)):  # past 90 % of the time: the reminder
        sections = {section.key: section for section in work_for(cast.officer).sections}
        item = sections["safety_reviews"].items[0]
        assert item.url == reverse("cases:safety_edit", args=[case.pk])
        # The reminder reaches the responsible officer.
        scan()
        assert Notification.objects.filter(user=cast.officer, deadline=deadline).exists()
        _record(case, cast.officer, review_date=timezone.localdate() + datetime.timedelta(days=60), review_note="Ổn.")
    deadline.refresh_from_db()
    assert deadline.state == "met"
    renewed = Deadline.objects.get(target_id=case.pk, kind=SAFETY_PLAN_REVIEW_DEADLINE, state="open")
    assert renewed.pk != deadline.pk
    assert "safety_reviews" not in keys()


def test_the_alleged_perpetrator_receives_no_message_about_the_safety_plan(cast, tree, case, default_ladders):
    """A member of staff sharing the alleged perpetrator's phone number (a relative on staff) is responsible
    for the case file: the review reminder and its escalation never reach them; others are told."""
    agency = cast.officer.memberships.get().agency
    related = UserFactory(username="officer_related")
    MembershipFactory(user=related, role="commune_officer", agency=agency, unit=tree.commune_c1)
    Preference.objects.create(user=related, phone="84912345678", phone_verified_at=VERIFIED, sms_enabled=True)
    _record(case, cast.officer, review_date=timezone.localdate() + datetime.timedelta(days=3))
    type(case).objects.filter(pk=case.pk).update(officer=related)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=12)):
        scan()
    deadline = Deadline.objects.get(target_id=case.pk, kind=SAFETY_PLAN_REVIEW_DEADLINE)
    told = set(Notification.objects.filter(deadline=deadline).values_list("user__username", flat=True))
    assert "officer_related" not in told
    assert not Notification.objects.filter(user=related).exists()
    assert "chairman" in told  # the escalation went on to the chairman
    for notice in Notification.objects.filter(deadline=deadline):
        assert CHILD not in notice.title
        assert CHILD not in notice.body


@needs_pdftotext
def test_the_family_print_is_for_the_caregivers_who_are_not_the_alleged_perpetrator(cast, case):
    _record(case, cast.officer)
    text = _pdf_text(_client(cast.officer).get(reverse("cases:safety_family_pdf", args=[case.pk])).content)
    assert "Bản này dành cho" in text
    assert "cha dượng" not in text


def test_bad_input_is_refused_with_messages_and_nothing_is_lost(cast, case):
    client = _client(cast.officer)
    url = reverse("cases:safety_edit", args=[case.pk])
    case.refresh_from_db()
    data = {
        "version": case.version,
        "review_date": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "1",
        "items-MAX_NUM_FORMS": "40",
        "items-0-kind": "warning_sign",
        "items-0-text": "Em sợ về nhà",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Em sợ về nhà" in page  # kept
    assert "error-summary" in page
    assert not SafetyPlan.objects.exists()
    # A stale version is refused, nothing overwritten.
    data.update(
        {
            "version": case.version - 1 if case.version > 1 else 999,
            "review_date": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
            "items-TOTAL_FORMS": "2",
            "items-0-kind": "action",
            "items-1-kind": "contact",
            "items-1-text": "Bà ngoại",
        }
    )
    assert client.post(url, data).status_code == 409
    assert not SafetyPlan.objects.exists()
    data["version"] = case.version
    assert client.post(url, data).status_code == 302
    assert SafetyPlan.objects.get().items.count() == 2


def test_a_measure_and_an_item_pick_a_service_from_the_directory(cast, tree, case):
    shelter = ServiceProvider.objects.create(
        name="Nhà tạm lánh Xã Một", kind="shelter", services="Chỗ ở an toàn", created_by=cast.admin
    )
    shelter.areas.set([tree.commune_c1])
    elsewhere = ServiceProvider.objects.create(
        name="Nhà tạm lánh Xã Bốn", kind="shelter", services="Chỗ ở", created_by=cast.admin
    )
    elsewhere.areas.set([tree.commune_c4])
    plan = _record(case, cast.officer, items=_items(provider=shelter))
    assert plan.items.get(provider=shelter).text == SHOWN
    with pytest.raises(ValidationError) as refused:
        _record(case, cast.officer, items=_items(provider=elsewhere), review_note="x")
    assert "items-6-provider" in refused.value.message_dict


def test_a_child_at_high_risk_without_a_safety_plan_is_on_the_officers_work_list(cast, case):
    type(case).objects.filter(pk=case.pk).update(risk_level="high", state="assessed")
    sections = {section.key: section for section in work_for(cast.officer).sections}
    item = sections["safety_needed"].items[0]
    assert item.url == reverse("cases:safety_edit", args=[case.pk])
    assert case.reference in item.title
    page = _client(cast.officer).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Nguy cơ cao: trẻ em này cần có kế hoạch an toàn." in page
    _record(case, cast.officer)
    assert "safety_needed" not in {section.key for section in work_for(cast.officer).sections}


def test_the_review_form_starts_from_the_current_version(cast, case):
    _record(case, cast.officer)
    client = _client(cast.officer)
    page = client.get(reverse("cases:safety_edit", args=[case.pk])).content.decode()
    assert HIDDEN_ACTION in page  # every item of version 1, ready to change
    assert 'name="items-TOTAL_FORMS" value="7"' in page
    assert 'id="id_review_note"' in page  # a review says what it found
    # The chairman reads the plan and prints the family's copy, but does not change it.
    chairman = _client(cast.chairman)
    assert chairman.get(reverse("cases:safety", args=[case.pk])).status_code == 200
    assert chairman.get(reverse("cases:safety_edit", args=[case.pk])).status_code == 403


def test_an_item_about_the_perpetrator_by_his_given_name_or_relation_is_left_out(cast, case):
    items = [
        SafetyItemInput(kind="action", text="Ông Tư đến trường đòi đón em thì cô giáo gọi ngay công an xã"),
        SafetyItemInput(kind="warning_sign", text="Cha dượng uống rượu từ chiều, đập phá đồ đạc"),
        SafetyItemInput(kind="contact", text=SHOWN, who="Tổng đài 111", phone="111"),
        # Folded, "dượng" would be "đường" and "Tư" would be "tự": compared with their diacritics, kept.
        SafetyItemInput(kind="action", text="Cán bộ xã tự đến nhà theo đường tắt khi được báo", who="Cán bộ xã"),
    ]
    copy = family_copy(case, _record(case, cast.officer, items=items))
    assert [item.text for item in copy.left_out] == [item.text for item in items[:2]]
    assert sorted(item.text for items_ in copy.shown.values() for item in items_) == sorted([SHOWN, items[3].text])
