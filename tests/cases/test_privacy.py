"""Personal-data duties: lawful basis, consents before disclosure, data-subject requests within
2 working days (escalating), the export of everything held about a child, retention."""

import datetime
import json
import shutil
import subprocess
import zoneinfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from cases import services
from cases.access import children_visible_to
from cases.models import (
    Attachment,
    CaseFile,
    Child,
    Consent,
    DataSubjectRequest,
    Disclosure,
    Report,
)
from cases.services import privacy, retention
from cases.services.intake import CaregiverInput
from notifications import engine
from notifications.models import Deadline, Notification
from reports.indicators import compute
from reports.periods import parse
from tests.factories import child_input

pytestmark = pytest.mark.django_db
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
CHILD = "Lò Thị Mỷ"


@pytest.fixture
def case(tree, receive):
    caregivers = [
        CaregiverInput(
            full_name="Lò Văn Páo", relation="bố", is_legal_representative=True, is_alleged_perpetrator=True
        ),
        CaregiverInput(full_name="Lường Thị Xuân", relation="mẹ", is_legal_representative=True),
    ]
    child = child_input(
        tree.commune_c1, name=CHILD, birth=datetime.date(2016, 5, 20), sex="female", caregivers=caregivers
    )
    return receive(children=[child], narrative="Em bị bố đánh nhiều lần.").case_files.get()


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_lawful_basis_is_the_legal_duty_until_changed_with_its_grounds(cast, case):
    assert case.lawful_basis == "legal_duty"
    client = _client(cast.officer)
    url = reverse("cases:privacy_basis", args=[case.pk])
    refused = client.post(url, {"version": case.version, "lawful_basis": "authority", "lawful_basis_note": ""})
    assert refused.status_code == 400
    assert "Hãy ghi rõ căn cứ" in refused.content.decode()
    assert refused.context["basis_form"]["lawful_basis"].value() == "authority"  # kept
    ok = client.post(
        url, {"version": case.version, "lawful_basis": "authority", "lawful_basis_note": "Công văn 12/CAX"}
    )
    assert ok.status_code == 302
    case.refresh_from_db()
    assert (case.lawful_basis, case.lawful_basis_note) == ("authority", "Công văn 12/CAX")
    stale = client.post(url, {"version": case.version - 1, "lawful_basis": "legal_duty", "lawful_basis_note": ""})
    assert stale.status_code == 400
    assert "Người khác đã thay đổi" in stale.content.decode()
    case.refresh_from_db()
    assert case.lawful_basis == "authority"
    assert _client(cast.chairman).post(url, {"version": case.version, "lawful_basis": "legal_duty"}).status_code == 403


def test_consent_rules_and_a_disclosure_resting_on_them(cast, case):
    father, mother = case.child.caregivers.order_by("pk")
    today = timezone.localdate()
    common = {"recipient": "Tổ chức XYZ", "purpose": "Hỗ trợ học bổng", "given_on": today, "evidence": "Biên bản ký"}
    with pytest.raises(privacy.ValidationError) as refused:
        privacy.consent_record(actor=cast.officer, case=case, giver="representative", representative=father, **common)
    assert "đối tượng xâm hại" in str(refused.value.message_dict["representative"])
    with pytest.raises(privacy.ValidationError) as young:
        privacy.consent_record(
            actor=cast.officer, case=case, giver="child", **{**common, "given_on": datetime.date(2022, 1, 1)}
        )
    assert "dưới 7 tuổi" in str(young.value.message_dict["giver"])
    assert Consent.objects.count() == 0

    mother_says = privacy.consent_record(
        actor=cast.officer, case=case, giver="representative", representative=mother, **common
    )
    with pytest.raises(privacy.ValidationError) as missing_child:
        privacy.disclosure_record(
            actor=cast.officer,
            case=case,
            recipient="Tổ chức XYZ",
            purpose="Hỗ trợ học bổng",
            disclosed_on=today,
            consents=[mother_says],
        )
    assert "ý kiến đồng ý của chính trẻ" in " ".join(missing_child.value.messages)
    child_says = privacy.consent_record(actor=cast.officer, case=case, giver="child", **common)
    disclosure = privacy.disclosure_record(
        actor=cast.officer,
        case=case,
        recipient="Tổ chức XYZ",
        purpose="Hỗ trợ học bổng",
        disclosed_on=today,
        consents=[mother_says, child_says],
    )
    assert set(disclosure.consents.all()) == {mother_says, child_says}
    # Once withdrawn, a consent no longer carries a new disclosure.
    privacy.consent_withdraw(actor=cast.officer, consent=child_says, on=today)
    with pytest.raises(privacy.ValidationError):
        privacy.disclosure_record(
            actor=cast.officer,
            case=case,
            recipient="Báo chí",
            purpose="Bài viết",
            disclosed_on=today,
            consents=[mother_says, child_says],
        )
    assert Disclosure.objects.count() == 1
    assert case.events.filter(kind__in=["consent", "disclosed", "consent_withdrawn"]).count() == 4
    page = _client(cast.officer).get(reverse("cases:privacy", args=[case.pk])).content.decode()
    assert "Tổ chức XYZ" in page
    assert "đã rút lại" in page


def test_a_data_subject_request_is_due_in_2_working_days_and_escalates(cast, case, default_ladders):
    friday = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=HCM)
    with time_machine.travel(friday + datetime.timedelta(minutes=5), tick=False):
        client = _client(cast.officer)
        response = client.post(
            reverse("cases:data_request_add", args=[case.pk]),
            {
                "kind": "access",
                "requester_name": "Lường Thị Xuân",
                "requester_relation": "mẹ",
                "received_at": "2026-11-27T10:00",
            },
        )
        assert response.status_code == 302
    request = DataSubjectRequest.objects.get()
    # Friday → Monday, Tuesday: due at the end of Tuesday.
    assert timezone.localtime(request.due_at).replace(tzinfo=None) == datetime.datetime(2026, 12, 1, 23, 59, 59)
    deadline = Deadline.objects.get(kind="data_subject_request")
    assert deadline.due_at == request.due_at
    with time_machine.travel(datetime.datetime(2026, 12, 2, 9, 0, tzinfo=HCM), tick=False):
        engine.scan()
    told = Notification.objects.filter(deadline=deadline)
    assert {n.user.username for n in told} >= {"officer", "chairman"}
    assert all(reverse("cases:privacy", args=[case.pk]) in n.url for n in told)
    assert all(CHILD not in n.title + n.body for n in told)

    register = _client(cast.officer).get(reverse("cases:data_requests")).content.decode()
    assert case.reference in register
    assert (
        _client(cast.officer_elsewhere).get(reverse("cases:data_requests")).content.decode().count(case.reference) == 0
    )

    with time_machine.travel(datetime.datetime(2026, 12, 2, 10, 0, tzinfo=HCM), tick=False):
        answered = _client(cast.officer).post(
            reverse("cases:data_request_answer", args=[case.pk, request.pk]),
            {
                f"answer-{request.pk}-version": request.version,
                f"answer-{request.pk}-status": "answered",
                f"answer-{request.pk}-answer": "Đã giao bản sao cho mẹ em.",
            },
        )
    assert answered.status_code == 302
    deadline.refresh_from_db()
    request.refresh_from_db()
    assert (deadline.state, request.status, request.answered_by) == ("met", "answered", cast.officer)


def test_everything_held_about_the_child_for_an_access_request_only(cast, case, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    services.note_add(actor=cast.officer, case=case, text="Đã gặp mẹ em tại nhà.")
    correction = privacy.request_record(
        actor=cast.officer, case=case, kind="correction", requester_name="Lường Thị Xuân", requester_relation="mẹ"
    )
    client = _client(cast.officer)
    denied = client.get(reverse("cases:data_request_export", args=[case.pk, correction.pk, "json"]))
    assert denied.status_code == 403
    assert CHILD not in denied.content.decode()
    access_request = privacy.request_record(
        actor=cast.officer, case=case, kind="access", requester_name="Lường Thị Xuân", requester_relation="mẹ"
    )
    response = client.get(reverse("cases:data_request_export", args=[case.pk, access_request.pk, "json"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["child"]["full_name"] == CHILD
    assert {c["full_name"] for c in data["caregivers"]} == {"Lò Văn Páo", "Lường Thị Xuân"}
    (record,) = data["case_files"]
    assert record["reference"] == case.reference
    assert record["report"]["narrative"] == "Em bị bố đánh nhiều lần."
    assert record["notes"][0]["text"] == "Đã gặp mẹ em tại nhà."
    assert len(record["data_requests"]) == 2
    assert record["access_log"], "who read the file is part of what is held"
    assert AuditEvent.objects.filter(action="export", object_type="child", object_id=str(case.child_id)).exists()
    # Police (an agency) and the chairman (no privacy duty) get nothing.
    for user in (cast.police, cast.chairman, cast.officer_elsewhere):
        other = _client(user).get(reverse("cases:data_request_export", args=[case.pk, access_request.pk, "json"]))
        assert other.status_code in (403, 404)
        assert CHILD not in other.content.decode()
    if shutil.which("pdftotext"):
        pdf = client.get(reverse("cases:data_request_export", args=[case.pk, access_request.pk, "pdf"]))
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=pdf.content, capture_output=True, check=True
        ).stdout.decode()
        assert CHILD in text
        assert case.reference in text


def test_retention_pseudonymises_old_closed_files_and_keeps_the_statistics(cast, tree, receive, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.RETENTION_YEARS = 5
    old_day = datetime.datetime(2020, 3, 10, 9, 0, tzinfo=HCM)
    with time_machine.travel(old_day, tick=False):
        old = receive(
            children=[
                child_input(
                    tree.commune_c1,
                    name=CHILD,
                    birth=datetime.date(2012, 3, 25),
                    sex="female",
                    personal_id="001212345678",
                    address="Bản Nà Hang",
                )
            ],
            received_at=old_day - datetime.timedelta(hours=1),
            narrative="Chuyện cũ của em Mỷ.",
        ).case_files.get()
        services.note_add(actor=cast.officer, case=old, text="Ghi chú cũ")
        services.attachment_add(
            actor=cast.officer, case=old, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n"), description="d"
        )
        kept = receive(
            children=[child_input(tree.commune_c1, name="Vàng A Dế", birth=datetime.date(2013, 1, 1))],
            received_at=old_day - datetime.timedelta(hours=1),
        ).case_files.get()
    CaseFile.objects.filter(pk__in=[old.pk, kept.pk]).update(
        state="closed", closed_at=datetime.datetime(2020, 9, 1, tzinfo=HCM), closure_reason="safe"
    )
    # Vàng A Dế has a newer case file still open: he keeps his name.
    receive(children=[child_input(tree.commune_c1, name="Vàng A Dế", existing_id=kept.child_id)])
    period = parse("2020-H1")
    before = compute(tree.province_p, period)

    done = retention.pseudonymise_expired(now=datetime.datetime(2026, 11, 23, tzinfo=HCM))
    assert done == {"case_files": 2, "children": 1, "reports": 2, "attachments": 1}
    assert compute(tree.province_p, period) == before
    child = Child.objects.get(pk=old.child_id)
    assert CHILD not in child.full_name
    assert (child.personal_id, child.address) == ("", "")
    assert child.birth_date.year == 2012
    assert Report.objects.get(pk=old.report_id).narrative == ""
    assert Report.objects.get(pk=old.report_id).reporter_name == ""
    assert not Attachment.objects.filter(case=old).exists()
    assert not list(tmp_path.rglob("*.enc"))
    assert old.notes.get().text == ""
    assert not children_visible_to(cast.officer).filter(full_name__icontains="Mỷ").exists()
    assert Child.objects.get(pk=kept.child_id).full_name == "Vàng A Dế"
    # Idempotent.
    assert retention.pseudonymise_expired(now=datetime.datetime(2026, 11, 23, tzinfo=HCM))["case_files"] == 0


def test_retention_task_is_scheduled():
    from django_celery_beat.models import PeriodicTask

    assert PeriodicTask.objects.filter(task="cases.tasks.pseudonymise_expired", enabled=True).exists()
