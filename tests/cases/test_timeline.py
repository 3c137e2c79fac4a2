"""The typed timeline: every kind has a writer and a label in both languages, the database refuses any
other kind, and no page or document that shows events lets a code word through."""

import ast
import datetime
import re
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import AuditAction, AuditChannel, AuditObject
from cases import events, handoffs, services
from cases.choices import CaseEventKind, CaseState
from cases.models import CaseEvent
from cases.services import privacy
from notifications.models import Notification
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    UserFactory,
    child_input,
    walk_to_approved,
    walk_to_investigated,
)

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# A word with an underscore, as a code (snake_case) shows itself in a text.
SNAKE_CASE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


def test_every_event_kind_has_a_label_in_vietnamese_and_english():
    for kind in CaseEventKind:
        with translation.override("en"):
            english = str(kind.label)
        with translation.override("vi"):
            vietnamese = str(CaseEventKind(kind.value).label)
        assert english != kind.name.replace("_", " ").title(), f"{kind.value} has no label of its own"
        assert vietnamese != english, f"{kind.value} has no Vietnamese label"
        assert "_" not in english + vietnamese


def test_each_kind_is_written_by_its_own_function_of_the_events_module():
    """One keyword-only function per kind: no kind left without a writer, none written twice."""
    tree = ast.parse(Path(events.__file__).read_text(encoding="utf-8"))
    written = []
    for function in (node for node in tree.body if isinstance(node, ast.FunctionDef)):
        if function.name.startswith("_"):
            continue
        assert function.args.args == [], f"{function.name} must be keyword-only"
        assert function.args.kwonlyargs, function.name
        kinds = [
            node.attr
            for node in ast.walk(function)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "K"
        ]
        assert len(kinds) == 1, function.name
        written += kinds
    assert sorted(written) == sorted(kind.name for kind in CaseEventKind)


def test_the_database_refuses_a_kind_that_is_not_typed(receive):
    case = receive().case_files.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseEvent.objects.create(case=case, kind="assignment_maybe", at=timezone.now())


@pytest.fixture
def every_kind(tree, cast, receive, settings, tmp_path):
    """Two case files whose timelines hold every kind of event between them."""
    settings.MEDIA_ROOT = tmp_path
    officer, chairman, police = cast.officer, cast.chairman, cast.police
    police_agency = police.memberships.get().agency
    officer_c2 = UserFactory(username="officer_c2")
    social_c2 = AgencyFactory(agency_type__code="social_affairs", name="VH-XH Xã Hai", unit=tree.commune_c2)
    MembershipFactory(user=officer_c2, role="commune_officer", agency=social_c2, unit=tree.commune_c2)
    due = timezone.localdate() + datetime.timedelta(days=10)

    first = receive().case_files.get()
    services.case_assess(
        actor=officer,
        case=first,
        severity="high",
        perpetrator_access="high",
        care_environment="medium",
        child_capacity="medium",
        is_emergency=True,
    )
    services.case_record_emergency(
        actor=officer, case=first, description="Đưa em đến nơi an toàn.", taken_by="Công an xã", taken_at=timezone.now()
    )
    services.case_investigate(
        actor=officer,
        case=first,
        information="Đã gặp gia đình.",
        risk_level="high",
        needs="Khám, tư vấn.",
        meeting_at=timezone.now(),
        participants="Cán bộ, gia đình.",
        minutes="Thống nhất.",
    )
    measure = services.MeasureInput(police_agency, "police", "Xác minh, bảo vệ trẻ.", due)
    services.case_submit_plan(actor=officer, case=first, objectives="An toàn.", measures=[measure])
    services.case_return_plan(actor=chairman, case=first, note="Bổ sung mục tiêu.")
    services.case_submit_plan(actor=officer, case=first, objectives="An toàn, ổn định.", measures=[measure])
    services.case_approve_plan(actor=chairman, case=first, decision_number="12/QĐ-UBND")
    proposed = first.assignments.get()
    services.assignment_decline(actor=police, assignment=proposed, reason="Chưa đủ người.")
    again = services.assignment_reassign(actor=officer, assignment=proposed, agency=police_agency)
    services.assignment_accept(actor=police, assignment=again)
    services.assignment_report_progress(actor=police, assignment=again, text="Đã làm việc với gia đình.")
    services.assignment_close(actor=police, assignment=again, is_done=True, outcome="Trẻ an toàn.")
    services.note_add(actor=officer, case=first, text="Gặp mẹ em.")
    services.attachment_add(actor=officer, case=first, upload=SimpleUploadedFile("bien-ban.pdf", PDF_BYTES))
    services.case_restrict(actor=officer, case=first, named_users=[chairman], reason="Người thân là cán bộ.")
    services.case_unrestrict(actor=officer, case=first, reason="Đã rõ.")
    first.refresh_from_db()
    privacy.lawful_basis_set(actor=officer, case=first, basis="authority", note="Công văn 5/CA")
    mother = services.CaregiverInput("Lường Thị Xuân", "mẹ", is_legal_representative=True)
    first.child.caregivers.create(**mother.__dict__)
    representative = first.child.caregivers.get()
    consent = privacy.consent_record(
        actor=officer,
        case=first,
        giver="representative",
        representative=representative,
        recipient="Trường học",
        purpose="Hỗ trợ học tập",
        given_on=timezone.localdate(),
        evidence="Đơn có chữ ký",
    )
    child_consent = privacy.consent_record(
        actor=officer,
        case=first,
        giver="child",
        recipient="Trường học",
        purpose="Hỗ trợ học tập",
        given_on=timezone.localdate(),
        evidence="Em đồng ý",
    )
    privacy.disclosure_record(
        actor=officer,
        case=first,
        recipient="Trường học",
        purpose="Hỗ trợ học tập",
        disclosed_on=timezone.localdate(),
        consents=[consent, child_consent],
    )
    privacy.consent_withdraw(actor=officer, consent=child_consent)
    answered = privacy.request_record(
        actor=officer, case=first, kind="correction", requester_name="Lường Thị Xuân", requester_relation="mẹ"
    )
    privacy.request_answer(actor=officer, request=answered, status="answered", answer="Đã sửa.")
    access_request = privacy.request_record(
        actor=officer, case=first, kind="access", requester_name="Lường Thị Xuân", requester_relation="mẹ"
    )
    close = {
        "findings": "Ổn định.",
        "child_is_safe": True,
        "recommendation": "close",
        "closure_reason": "safe_and_stable",
    }
    services.case_review(actor=officer, case=first, **close)
    services.case_reject_closure(actor=chairman, case=first, note="Theo dõi thêm.")
    services.case_review(actor=officer, case=first, **close)
    services.case_approve_closure(actor=chairman, case=first)
    services.case_reopen(actor=officer, case=first, reason="Thông tin mới.")
    services.case_transfer(actor=officer, case=first, to_commune=tree.commune_c2, reason="Chuyển nhà.")
    services.case_decline_transfer(actor=officer_c2, case=first, reason="Chưa chuyển đến.")
    services.case_transfer(actor=officer, case=first, to_commune=tree.commune_c2, reason="Đã chuyển nhà.")
    services.case_accept_transfer(actor=officer_c2, case=first)
    services.case_mark_not_child_protection(actor=officer_c2, case=first, reason="Tranh chấp dân sự.")

    # A second officer in the commune: a report the chairman records goes to the officer with fewer open files.
    officer_two = UserFactory(username="officer_two")
    MembershipFactory(user=officer_two, role="commune_officer", agency=police_agency, unit=tree.commune_c1)
    second = receive(actor=chairman, children=[services.ChildInput(existing_id=first.child_id)]).case_files.get()
    assert second.officer == officer  # no open file each: the first appointed
    events.responsibility_taken_event(case=second, actor=officer)  # a kind only older timelines hold
    walk_to_approved(second, officer, chairman, [(police_agency, "police", "Bảo vệ trẻ.", due)])
    second.refresh_from_db()
    sister = receive(children=[child_input(tree.commune_c1, name="Lường Thị Em")]).case_files.get()
    services.household_link(actor=officer, case=second, other=sister)
    services.household_leave(actor=officer, case=second)
    merge = services.child_merge(actor=officer, kept=second.child, merged=sister.child, reason="Trùng bản ghi.")
    services.child_merge_undo(actor=officer, merge=merge, reason="Nhầm.")
    soon = timezone.localdate() + datetime.timedelta(days=3)
    planned = services.visit_schedule(actor=officer, case=second, kind="home", planned_for=soon)
    services.visit_cancel(actor=officer, case=second, visit=planned)
    services.visit_record(
        actor=officer,
        case=second,
        data=services.VisitRecord(
            kind="school", done_on=timezone.localdate(), child_seen=True, observations="Ổn.", visitors=[officer]
        ),
    )
    services.flag_raise(actor=chairman, case=second, reason="Theo dõi sát.", until=soon)
    services.flag_lift(actor=chairman, case=second)
    services.case_assign_officer(actor=chairman, case=second, officer=officer_two, reason="Nghỉ phép.")
    contact = services.SafetyItemInput(kind="contact", text="Tổng đài 111", phone="111")
    action = services.SafetyItemInput(kind="action", text="Mẹ đón em sau giờ học.", is_hidden_from_perpetrator=True)
    for note in ("", "Đã ổn hơn."):
        services.safety_plan_record(
            actor=officer_two, case=second, items=[action, contact], review_date=due, review_note=note
        )
    services.case_review(actor=officer, case=second, **close)
    services.case_approve_closure(actor=chairman, case=second)
    walk_to_investigated(receive().case_files.get(), officer)  # an unrelated file, for the lists
    # The event a register import writes (the import itself is tested in test_register_import).
    events.cases_imported_events(cases=[second], actor=officer, register_import_id=1, positions={second.pk: 7})
    return first, second, access_request, officer_c2


def _text_of_pdf(content: bytes, tmp_path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _visible_text(html: str) -> str:
    """The text a reader sees: no markup, attributes, scripts or styles."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_no_code_word_on_the_pages_and_documents_that_show_events(every_kind, cast, tmp_path):
    first, second, access_request, officer_c2 = every_kind
    shown = {kind for case in (first, second) for kind in case.events.values_list("kind", flat=True)}
    assert shown == set(CaseEventKind.values), "the fixture must produce every kind"

    texts = {}
    for user, case in ((officer_c2, first), (cast.officer, second), (cast.coordinator_province, first)):
        client = Client()
        client.force_login(user)
        response = client.get(reverse("cases:detail", args=[case.pk]))
        assert response.status_code == 200
        texts[f"case page {case.pk} as {user.username}"] = _visible_text(response.content.decode())
    client = Client()
    client.force_login(cast.coordinator_province)
    export = client.get(reverse("cases:data_request_export", args=[first.pk, access_request.pk, "pdf"]))
    assert export.status_code == 200
    texts["personal data export"] = _text_of_pdf(export.content, tmp_path)

    client = Client()
    client.force_login(cast.admin)
    audit_page = _visible_text(client.get(reverse("cases:audit"), {"reference": first.reference}).content.decode())
    # Users' names are data, not code: the cast's usernames have underscores.
    texts["audit trail"] = re.sub(
        r"\b(officer_c2|officer_elsewhere|coordinator_province|coordinator_district)\b", "", audit_page
    )
    assert "Tình trạng: Đang chờ chuyển xã khác → Đã tiếp nhận" in texts["audit trail"]
    assert "Xã Một → Xã Hai" in texts["audit trail"]

    # Every hand-off the fixture went through told somebody: each rule's event has its notice.
    for kind in handoffs.RULES:
        announced = CaseEvent.objects.filter(case__in=[first, second], kind=kind)
        if kind == "review":
            announced = announced.filter(to_state="closure_proposed")
        if kind == "assess":
            announced = announced.filter(data__is_emergency=True)
        assert announced.exists(), kind
        keys = {f"case-event:{pk}" for pk in announced.values_list("pk", flat=True)}
        assert Notification.objects.filter(key__in=keys).exists(), f"nobody was told after {kind}"

    codes = {*CaseEventKind.values, *CaseState.values, *AuditAction.values, *AuditChannel.values, *AuditObject.values}
    for where, text in texts.items():
        shown_codes = sorted(code for code in codes if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text))
        assert shown_codes == [], f"codes shown on the {where}"
        assert SNAKE_CASE.findall(text) == [], f"code words on the {where}"
    timeline = texts[f"case page {first.pk} as {officer_c2.username}"]
    with translation.override("vi"):
        for kind in ("assignment_declined", "plan_implemented", "data_request_answered", "accept_transfer"):
            assert str(CaseEventKind(kind).label) in timeline


def test_the_case_page_shows_every_event_of_a_report_received_a_few_minutes_ahead(cast, receive):
    """The timeline is read from the file's opening on (cases.selectors.case_files.timeline_of): a report's time
    of receipt may lie a few minutes ahead of the server's clock, and its first events are still shown."""
    ahead = timezone.now() + datetime.timedelta(minutes=4)
    case = receive(received_at=ahead).case_files.get()
    assert case.opened_at == ahead
    services.note_add(actor=cast.officer, case=case, text="Đã gọi cho gia đình.")
    from django.test import Client

    from cases.selectors.case_files import timeline_of

    every_event = list(CaseEvent.objects.filter(case=case).order_by("at", "pk"))
    assert len(every_event) >= 2
    assert list(timeline_of(case)) == every_event
    client = Client()
    client.force_login(cast.officer)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    timeline = page.split('data-testid="timeline"', 1)[1].split("</ol>", 1)[0]
    assert timeline.count('<li class="border-start ps-2 mb-2">') == len(every_event)
