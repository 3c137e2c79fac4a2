import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.models import Attachment, CaseFile
from tests.factories import AgencyFactory, MembershipFactory, walk_to_investigated

pytestmark = pytest.mark.django_db


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def hotline_token(tree):
    hotline = AgencyFactory(agency_type__code="hotline_111", name="Tổng đài 111", unit=None)
    user = MembershipFactory(role="focal_point", agency=hotline, unit=None).user
    return Token.objects.create(user=user).key


def _report_body(code, children=None, **extra):
    body = {
        "received_at": (timezone.now() - datetime.timedelta(minutes=30)).isoformat(),
        "receiving_point": "hotline_111",
        "commune_code": code,
        "source": "hotline_111",
        "setting": "family",
        "narrative": "Cuộc gọi báo trẻ bị bạo lực.",
        "abuse_forms": ["violence"],
        "reporter_is_anonymous": True,
        "external_reference": "111-2026-000123",
        "children": children
        or [{"full_name": "Lò Văn Páo", "birth_date": "2013-09-09", "sex": "male", "ethnicity": "03"}],
    }
    body.update(extra)
    return body


def test_hotline_posts_a_report_with_its_token(tree, cast, hotline_token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {hotline_token}")
    children = [
        {"full_name": "Lò Văn Páo", "birth_date": "2013-09-09"},
        {"full_name": "Lò Thị Mai", "birth_date": "2015-01-01", "sex": "female"},
    ]
    response = client.post("/api/v1/reports/", _report_body("90001", children), format="json")
    assert response.status_code == 201, response.json()
    cases = CaseFile.objects.filter(pk__in=response.json()["case_ids"]).select_related("child", "commune")
    assert {case.child.full_name for case in cases} == {"Lò Văn Páo", "Lò Thị Mai"}
    assert {case.commune.code for case in cases} == {"90001"}
    assert {case.officer for case in cases} == {cast.officer}  # the commune's officer, never the machine
    assert cases[0].report.external_reference == "111-2026-000123"


def test_bad_report_input_gives_field_errors(tree, hotline_token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {hotline_token}")
    response = client.post("/api/v1/reports/", _report_body("99999"), format="json")
    assert response.status_code == 400
    assert "commune_code" in response.json()
    old = [{"full_name": "Người lớn", "birth_date": "2000-01-01"}]
    response = client.post("/api/v1/reports/", _report_body("90001", old), format="json")
    assert response.status_code == 400
    assert "children-0-birth_date" in response.json()
    future = _report_body("90001", received_at=(timezone.now() + datetime.timedelta(days=2)).isoformat())
    response = client.post("/api/v1/reports/", future, format="json")
    assert response.status_code == 400
    assert "received_at" in response.json()
    assert not CaseFile.objects.exists()


def test_anonymous_and_a_bad_token_are_refused(tree):
    assert APIClient().get("/api/v1/cases/").status_code == 401
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get("/api/v1/cases/").status_code == 401


def test_case_list_and_detail_are_scoped(tree, cast, receive):
    case = receive().case_files.get()
    listed = _api(cast.officer).get("/api/v1/cases/").json()
    assert [row["id"] for row in listed["results"]] == [case.pk]
    detail = _api(cast.officer).get(f"/api/v1/cases/{case.pk}/").json()
    assert detail["child"]["full_name"] == "Nguyễn Văn An"
    assert "assess" in detail["allowed_actions"]
    assert {d["kind"] for d in detail["deadlines"]} == {"emergency_decision", "plan_submission", "plan_approval"}
    for user in (cast.officer_elsewhere, cast.police, cast.leader, cast.outsider):
        assert _api(user).get("/api/v1/cases/").json()["results"] == []
        response = _api(user).get(f"/api/v1/cases/{case.pk}/")
        assert response.status_code == 404
        assert "Nguyễn" not in response.content.decode()


def test_transitions_through_the_api_with_versions(tree, cast, receive):
    case = receive().case_files.get()
    body = {
        "version": 1,
        "severity": "low",
        "perpetrator_access": "low",
        "care_environment": "low",
        "child_capacity": "low",
        "is_emergency": False,
    }
    assert _api(cast.chairman).post(f"/api/v1/cases/{case.pk}/assess/", body, format="json").status_code == 403
    response = _api(cast.officer).post(f"/api/v1/cases/{case.pk}/assess/", body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "assessed"
    assert response.json()["version"] == 2
    again = _api(cast.officer).post(f"/api/v1/cases/{case.pk}/assess/", {**body, "version": 2}, format="json")
    assert again.status_code == 400
    stale = _api(cast.officer).post(
        f"/api/v1/cases/{case.pk}/mark-not-child-protection/", {"version": 1, "reason": "x"}, format="json"
    )
    assert stale.status_code == 409
    case.refresh_from_db()
    assert case.state == "assessed"


def test_submit_plan_through_the_api(tree, cast, receive):

    case = receive().case_files.get()
    walk_to_investigated(case, cast.officer)
    school = AgencyFactory(agency_type__code="education", name="Trường Xã Một", unit=tree.commune_c1)
    outside = AgencyFactory(agency_type__code="health", name="Trạm Y tế Xã Bốn", unit=tree.commune_c4)
    due = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    bad = {
        "objectives": "An toàn",
        "measures": [{"agency": outside.pk, "service_type": "medical", "description": "Khám", "due_date": due}],
    }
    response = _api(cast.officer).post(f"/api/v1/cases/{case.pk}/submit-plan/", bad, format="json")
    assert response.status_code == 400
    assert "measures-0-agency" in response.json()
    good = {
        "objectives": "An toàn",
        "measures": [
            {"agency": school.pk, "service_type": "education", "description": "Hỗ trợ học tập", "due_date": due}
        ],
    }
    response = _api(cast.officer).post(f"/api/v1/cases/{case.pk}/submit-plan/", good, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "plan_submitted"


def test_notes_and_attachments_through_the_api(tree, cast, receive, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = receive().case_files.get()
    client = _api(cast.officer)
    assert client.post(f"/api/v1/cases/{case.pk}/notes/", {"text": "Đã gọi cho mẹ."}, format="json").status_code == 201
    assert [n["text"] for n in client.get(f"/api/v1/cases/{case.pk}/notes/").json()] == ["Đã gọi cho mẹ."]
    disguised = SimpleUploadedFile("anh.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    response = client.post(f"/api/v1/cases/{case.pk}/attachments/", {"file": disguised}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()
    broken = SimpleUploadedFile("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")
    response = client.post(f"/api/v1/cases/{case.pk}/attachments/", {"file": broken}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, format="PNG")
    png = SimpleUploadedFile("anh.png", buffer.getvalue(), content_type="text/plain")
    response = client.post(f"/api/v1/cases/{case.pk}/attachments/", {"file": png}, format="multipart")
    assert response.status_code == 201
    assert response.json()["content_type"] == "image/png"
    attachment = Attachment.objects.get()
    assert _api(cast.officer_elsewhere).get(f"/api/v1/cases/{case.pk}/attachments/{attachment.pk}/").status_code == 404
    assert (
        _api(cast.coordinator_district)
        .post(f"/api/v1/cases/{case.pk}/notes/", {"text": "x"}, format="json")
        .status_code
        == 403
    )


def test_child_search_api(tree, cast, receive):
    receive()
    response = _api(cast.officer).post("/api/v1/children/search/", {"name": "nguyen van an"}, format="json")
    assert [row["full_name"] for row in response.json()] == ["Nguyễn Văn An"]
    assert _api(cast.officer).post("/api/v1/children/search/", {}, format="json").status_code == 400
    assert (
        _api(cast.officer_elsewhere).post("/api/v1/children/search/", {"name": "nguyen van an"}, format="json").json()
        == []
    )


def test_the_openapi_schema_is_valid(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    schema = (tmp_path / "schema.yml").read_text()
    assert "/api/v1/reports/" in schema
    assert "/api/v1/cases/{id}/approve-plan/" in schema
