import datetime
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Attachment, CaseFile, Child
from config.uploads import MAX_UPLOAD_BYTES
from tests.factories import child_input

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _report_post(commune, children):
    data = {
        "received_at": (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "receiving_point": "commune",
        "commune": commune.pk,
        "source": "walk_in",
        "reporter_name": "Bà Tư",
        "setting": "family",
        "abuse_forms": ["violence", "neglect"],
        "narrative": "Hàng xóm thấy trẻ bị đánh.",
        "children-TOTAL_FORMS": len(children),
        "children-INITIAL_FORMS": 0,
        "children-MIN_NUM_FORMS": 1,
        "children-MAX_NUM_FORMS": 20,
    }
    for index, child in enumerate(children):
        for key, value in child.items():
            data[f"children-{index}-{key}"] = value
    return data


def test_officer_records_a_report_with_three_children(tree, cast):
    children = [{"full_name": name, "birth_date": "2015-06-01", "sex": "female"} for name in ("Hà", "Hương", "Hạnh")]
    response = _client(cast.officer).post("/cases/new/", _report_post(tree.commune_c1, children))
    assert response.status_code == 302
    assert response["Location"] == "/cases/?saved=report"
    assert (
        f'data-clear-report-draft="{cast.officer.pk}"'
        in _client(cast.officer).get(response["Location"]).content.decode()
    )
    cases = CaseFile.objects.select_related("child").order_by("pk")
    assert [case.child.full_name for case in cases] == ["Hà", "Hương", "Hạnh"]
    assert len({case.report_id for case in cases}) == 1


def test_a_child_added_by_mistake_and_left_empty_does_not_stop_the_save(tree, cast):
    children = [{"full_name": "Hà", "birth_date": "2015-06-01", "sex": "female"}, {"sex": "unknown"}]
    response = _client(cast.officer).post("/cases/new/", _report_post(tree.commune_c1, children))
    assert response.status_code == 302
    assert [case.child.full_name for case in CaseFile.objects.select_related("child")] == ["Hà"]


def test_a_service_refusal_lands_on_the_child_it_concerns_when_an_empty_one_was_skipped(tree, cast):
    children = [
        {"full_name": "Hà", "birth_date": "2015-06-01", "sex": "female"},
        {"sex": "unknown"},  # added by mistake, left empty: skipped
        {"full_name": "Hương", "birth_date": "2015-06-01", "sex": "female", "personal_id": "123"},
    ]
    body = _client(cast.officer).post("/cases/new/", _report_post(tree.commune_c1, children)).content.decode()
    assert 'data-testid="error-children-2-personal_id"' in body
    assert 'data-testid="error-children-1-personal_id"' not in body
    assert not CaseFile.objects.exists()


def test_a_failed_save_lists_every_gap_at_the_top_with_a_link_to_each_field(tree, cast):
    data = _report_post(tree.commune_c1, [{"sex": "unknown"}])
    del data["abuse_forms"]
    data["reporter_name"] = ""
    body = _client(cast.officer).post("/cases/new/", data).content.decode()
    summary = body[body.index('data-testid="error-summary"') : body.index("</ul>", body.index("error-summary"))]
    assert "Có 4 lỗi cần sửa" in summary
    assert 'href="#id_reporter_name"' in summary
    assert 'href="#id_abuse_forms_0"' in summary  # the first checkbox of the group
    assert 'href="#id_children-0-full_name"' in summary
    assert 'href="#id_children-0-birth_date"' in summary
    assert "Trẻ em 1 – Họ và tên trẻ em" in summary
    assert "Please submit" not in body
    assert "Hãy thêm ít nhất một trẻ em" not in summary
    assert 'aria-invalid="true"' in body
    assert 'aria-describedby="id_narrative' not in body
    assert body.index('data-testid="error-summary"') < body.index('id="report-form"')


def test_every_required_field_is_marked(tree, cast):
    body = _client(cast.officer).get("/cases/new/").content.decode()
    for name in ("received_at", "commune", "abuse_forms", "narrative", "reporter_name", "children-0-full_name"):
        field = body[body.index(f'data-field="{name}"') :][:600]
        assert "data-required" in field.split(">")[0], name
        assert 'class="required-mark"' in field, name
    optional = body[body.index('data-field="place_of_occurrence"') :][:400]
    assert "required-mark" not in optional
    # The anonymous box lifts the reporter's name.
    assert 'data-required-unless="id_reporter_is_anonymous"' in body


def test_the_emergency_question_is_a_pair_of_radios_with_nothing_chosen(tree, cast, receive):
    case = receive().case_files.get()
    body = _client(cast.officer).get(f"/cases/{case.pk}/act/assess/").content.decode()
    radios = [line for line in body.split("<input") if 'name="is_emergency"' in line]
    assert len(radios) == 2
    assert all('type="radio"' in radio and 'class="form-check-input"' in radio for radio in radios)
    assert not any("checked" in radio.split(">")[0] for radio in radios)
    assert "form-control" not in "".join(radio.split(">")[0] for radio in radios)


def test_bad_input_shows_field_messages_and_keeps_what_was_typed(tree, cast):
    children = [
        {
            "full_name": "Đinh Văn Tú",
            "birth_date": "2004-01-01",
            "sex": "male",
            "personal_id": "123",
            "school": "THCS Tân Biên",
        },
    ]
    data = _report_post(tree.commune_c1, children)
    data["narrative"] = "Một câu chuyện dài đã gõ."
    response = _client(cast.officer).post("/cases/new/", data, HTTP_ACCEPT_LANGUAGE="vi")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="error-children-0-birth_date"' in body
    assert "dưới 16 tuổi" in body
    assert 'data-testid="error-children-0-personal_id"' in body
    assert 'value="Đinh Văn Tú"' in body
    assert 'value="THCS Tân Biên"' in body
    assert "Một câu chuyện dài đã gõ." in body
    assert not Child.objects.exists()


def test_the_case_page_shows_deadlines_actions_and_timeline(tree, cast, receive):
    case = receive().case_files.get()
    body = _client(cast.officer).get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="deadline-emergency_decision" data-status="due"' in body
    assert 'data-testid="action-assess"' in body
    assert 'data-testid="action-approve_plan"' not in body
    assert "Nguyễn Văn An" in body
    chairman_body = _client(cast.chairman).get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="action-assess"' not in chairman_body


def test_an_action_through_the_page_and_a_stale_page_refused(tree, cast, receive):
    case = receive().case_files.get()
    client = _client(cast.officer)
    form = {
        "version": 1,
        "severity": "high",
        "perpetrator_access": "high",
        "care_environment": "medium",
        "child_capacity": "low",
        "is_emergency": "yes",
        "notes": "",
    }
    response = client.post(f"/cases/{case.pk}/act/assess/", form)
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.risk_level, case.is_emergency, case.version) == ("assessed", "high", True, 2)
    timeline = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="event-change">Mức độ nguy cơ: — → Cao<' in timeline

    stale = {"version": 1, "reason": "Không phải vụ việc"}
    response = client.post(f"/cases/{case.pk}/act/mark_not_child_protection/", stale)
    assert response.status_code == 409
    assert "Tải lại trang" in response.content.decode() or "Reload the page" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "assessed"


def test_wrong_role_gets_403_and_outsider_404(tree, cast, receive):
    case = receive().case_files.get()
    assert _client(cast.chairman).get(f"/cases/{case.pk}/act/assess/").status_code == 403
    for user in (cast.officer_elsewhere, cast.police, cast.leader, cast.outsider):
        response = _client(user).get(f"/cases/{case.pk}/")
        assert response.status_code == 404
        assert "Nguyễn Văn An" not in response.content.decode()
        assert _client(user).get(f"/cases/{case.pk}/act/assess/").status_code == 404
    assert _client(cast.coordinator_district).get(f"/cases/{case.pk}/").status_code == 200


def test_list_page_query_count_does_not_grow_with_cases(tree, cast, receive):
    client = _client(cast.officer)
    receive(children=[child_input(tree.commune_c1, name=f"Trẻ {i}") for i in range(3)])
    client.get("/")  # the menu's count of waiting work, kept a minute (counted in the home's own test)
    client.get("/cases/")  # the area's flags, kept with the memberships
    receive(children=[child_input(tree.commune_c1, name="Trẻ 4")])  # the list changed: read afresh
    with CaptureQueriesContext(connection) as few:
        assert client.get("/cases/").status_code == 200
    receive(children=[child_input(tree.commune_c1, name=f"Em {i}") for i in range(30)])
    with CaptureQueriesContext(connection) as many:
        body = client.get("/cases/").content.decode()
    assert body.count('data-testid="case-row"') == 34
    assert len(many) == len(few)
    # session, user, 2FA device, stamps, count, rows with their deadlines, audit row…: fixed
    assert len(many) <= 10
    with CaptureQueriesContext(connection) as kept:  # unchanged since: kept, no count and no rows read
        assert client.get("/cases/").content.decode().count('data-testid="case-row"') == 34
    assert len(kept) == len(many) - 2


def test_case_page_query_count_does_not_grow_with_the_timeline(tree, cast, receive):
    from cases import services

    case = receive().case_files.get()
    services.note_add(actor=cast.officer, case=case, text="Ghi chú đầu tiên")
    client = _client(cast.officer)
    client.get("/")  # the menu's count of waiting work, kept a minute
    with CaptureQueriesContext(connection) as short:
        client.get(f"/cases/{case.pk}/")
    for index in range(15):
        services.note_add(actor=cast.officer, case=case, text=f"Ghi chú {index}")
    with CaptureQueriesContext(connection) as long:
        client.get(f"/cases/{case.pk}/")
    assert len(long) == len(short)


def test_disguised_attachment_is_refused_and_real_pdf_accepted(tree, cast, receive, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = receive().case_files.get()
    client = _client(cast.officer)
    fake = SimpleUploadedFile("ket-qua-kham.pdf", b"MZ\x90\x00 this is an executable", content_type="application/pdf")
    client.post(f"/cases/{case.pk}/attachments/", {"file": fake})
    assert not Attachment.objects.exists()
    real = SimpleUploadedFile("giay-kham.pdf", PDF_BYTES, content_type="application/octet-stream")
    client.post(f"/cases/{case.pk}/attachments/", {"file": real, "description": "Giấy khám"})
    attachment = Attachment.objects.get()
    assert attachment.content_type == "application/pdf"
    assert attachment.original_name == "giay-kham.pdf"
    assert "giay-kham" not in attachment.file.name  # stored under a random name
    response = client.get(f"/cases/{case.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response.content == PDF_BYTES
    assert response["Content-Disposition"].startswith("attachment")
    assert _client(cast.officer_elsewhere).get(f"/cases/{case.pk}/attachments/{attachment.pk}/").status_code == 404


def test_oversize_attachment_is_refused(tree, cast, receive, settings, tmp_path):

    settings.MEDIA_ROOT = tmp_path
    case = receive().case_files.get()
    big = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * (MAX_UPLOAD_BYTES + 1))
    response = _client(cast.officer).post(f"/cases/{case.pk}/attachments/", {"file": big}, follow=True)
    assert "20 MB" in response.content.decode()
    assert not Attachment.objects.exists()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed (CI installs it)")
def test_printed_form_01_is_filled_from_the_case(tree, cast, receive):
    case = receive().case_files.get()
    response = _client(cast.officer).get(f"/cases/{case.pk}/forms/1.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=response.content,
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "TIẾP NHẬN THÔNG TIN, THÔNG BÁO, TỐ GIÁC" in text
    assert "Nguyễn Văn An" in text
    assert case.reference in text
    assert _client(cast.officer_elsewhere).get(f"/cases/{case.pk}/forms/1.pdf").status_code == 404


def test_similar_children_json_is_scoped(tree, cast, receive):
    receive()
    data = _client(cast.officer).post("/cases/children/similar/", {"name": "nguyen van an"}).json()
    assert [item["full_name"] for item in data["results"]] == ["Nguyễn Văn An"]
    assert _client(cast.officer_elsewhere).post("/cases/children/similar/", {"name": "nguyen van an"}).json() == {
        "results": []
    }


def test_filter_with_end_before_start_is_refused_with_a_message_and_lists_nothing(cast, receive):
    case = receive().case_files.get()
    client = _client(cast.officer)
    assert case.reference in client.get("/cases/").content.decode()
    for wrong in ({"opened_from": "2026-05-01", "opened_to": "2026-04-01"}, {"opened_from": "2026-13-45"}):
        response = client.get("/cases/", wrong)
        body = response.content.decode()
        assert 'data-testid="error-summary"' in body
        assert case.reference not in body  # not every file, as if it were the filter's result
        assert response.context["page_obj"].paginator.count == 0
    assert (
        "error-opened_to"
        in client.get("/cases/", {"opened_from": "2026-05-01", "opened_to": "2026-04-01"}).content.decode()
    )


def test_the_list_shows_a_case_file_without_reference(tree, cast, receive):
    """A row imported or migrated without a reference still lists (by its number), escaped."""
    case = receive(children=[child_input(tree.commune_c1, name="<b>Bé</b> Na")]).case_files.get()
    CaseFile.objects.filter(pk=case.pk).update(reference=None)
    body = _client(cast.officer).get("/cases/").content.decode()
    assert f"#{case.pk}" in body
    assert "&lt;b&gt;Bé&lt;/b&gt; Na" in body
    assert "<b>Bé</b>" not in body


def test_the_timeline_shows_system_events_without_an_actor(tree, cast, receive):
    """Events written by tasks (escalation, retention) have no actor; the page says "system"."""
    from django.utils import timezone

    from cases.models import CaseEvent

    case = receive().case_files.get()
    CaseEvent.objects.create(case=case, kind="note", from_state=case.state, to_state=case.state, at=timezone.now())
    response = _client(cast.officer).get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    assert "hệ thống" in response.content.decode()


@pytest.mark.parametrize(
    ("field", "typed"),
    [("reporter_phone", "09abc12345"), ("reporter_phone", "không có"), ("children-0-caregiver_phone", "09x")],
)
def test_a_phone_number_with_letters_is_refused_in_words_and_kept(tree, cast, field, typed):
    child = {"full_name": "Hà", "birth_date": "2015-06-01", "sex": "female", "caregiver_name": "Lò Thị Mai"}
    data = {**_report_post(tree.commune_c1, [child]), field: typed}
    response = _client(cast.officer).post("/cases/new/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Hãy nhập số điện thoại bằng chữ số" in page
    assert f'value="{typed}"' in page
    assert not CaseFile.objects.exists()


def test_a_phone_number_typed_the_usual_ways_is_taken(tree, cast):
    child = {"full_name": "Hà", "birth_date": "2015-06-01", "sex": "female", "caregiver_name": "Lò Thị Mai",
             "caregiver_phone": "(0290) 3.825.111"}  # fmt: skip
    data = {**_report_post(tree.commune_c1, [child]), "reporter_phone": "+84 912-345-678"}
    assert _client(cast.officer).post("/cases/new/", data).status_code == 302
    assert CaseFile.objects.get().report.reporter_phone == "+84 912-345-678"


def test_a_high_risk_without_emergency_is_confirmed_not_slipped_in(tree, cast, receive):
    case = receive().case_files.get()
    client = _client(cast.officer)
    form = {
        "version": 1,
        "severity": "high",
        "perpetrator_access": "high",
        "care_environment": "high",
        "child_capacity": "high",
        "is_emergency": "no",
        "notes": "Cha dượng bị nghi xâm hại.",
    }
    page = client.get(f"/cases/{case.pk}/act/assess/").content.decode()
    assert 'type="hidden" name="confirm_no_emergency"' in page  # nothing to confirm before answering
    asked = client.post(f"/cases/{case.pk}/act/assess/", form)
    body = asked.content.decode()
    assert asked.status_code == 400
    assert "Nguy cơ ở mức cao" in body
    assert 'type="checkbox" name="confirm_no_emergency"' in body
    assert "Cha dượng bị nghi xâm hại." in body  # what was typed stays
    case.refresh_from_db()
    assert (case.state, case.version) == ("received", 1)
    confirmed = client.post(f"/cases/{case.pk}/act/assess/", {**form, "confirm_no_emergency": "on"})
    assert confirmed.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.risk_level, case.is_emergency) == ("assessed", "high", False)
    # Medium risk and no emergency: nothing to confirm.
    other = receive().case_files.get()
    medium = {**form, "version": 1, "severity": "medium", "perpetrator_access": "medium", "care_environment": "low",
              "child_capacity": "low"}  # fmt: skip
    assert client.post(f"/cases/{other.pk}/act/assess/", medium).status_code == 302


def test_a_caregivers_phone_without_a_name_is_not_dropped_in_silence(tree, cast):
    child = {"full_name": "Hà", "birth_date": "2015-06-01", "sex": "female", "caregiver_phone": "0912345678"}
    response = _client(cast.officer).post("/cases/new/", _report_post(tree.commune_c1, [child]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Hãy nhập tên người chăm sóc" in page
    assert 'value="0912345678"' in page
    assert not CaseFile.objects.exists()
