"""Bad text never reaches the database: NUL and other control characters in a query parameter, a form
field or a JSON string get a 400 naming the field, on pages and in the API (config/middleware.py).
Before, PostgreSQL's refusal of NUL was a 500."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.models import Attachment, CaseFile, Child, Report
from tests.cases.test_pages import _report_post
from tests.factories import AgencyFactory, MembershipFactory

pytestmark = pytest.mark.django_db
REFUSED_VI = "ký tự điều khiển"


def _page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def hotline(tree, cast):  # the cast: Xã Một (90001) has its officer, who answers for the reports
    agency = AgencyFactory(agency_type__code="hotline_111", name="Tổng đài 111", unit=None)
    user = MembershipFactory(role="focal_point", agency=agency, unit=None).user
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def _report_body(full_name="Lò Văn Páo", **extra):
    body = {
        "received_at": (timezone.now() - datetime.timedelta(minutes=30)).isoformat(),
        "receiving_point": "hotline_111",
        "commune_code": "90001",
        "source": "hotline_111",
        "setting": "family",
        "narrative": "Cuộc gọi báo trẻ bị bạo lực.",
        "abuse_forms": ["violence"],
        "reporter_is_anonymous": True,
        "children": [{"full_name": full_name, "birth_date": "2013-09-09", "sex": "male"}],
    }
    body.update(extra)
    return body


@pytest.mark.parametrize(
    ("path", "field"),
    [("/api/v1/indicators/?unit=%00&period=2026", "unit"), ("/api/v1/cases/?state=&q=An%00", "q")],
)
def test_a_nul_in_an_api_query_parameter_gives_a_json_400_naming_it(cast, path, field):
    response = _api(cast.leader).get(path)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()) == [field]
    assert REFUSED_VI in response.json()[field][0]


@pytest.mark.parametrize(
    ("path", "field"),
    [("/reports/?unit=%00", "unit"), ("/reports/submissions/?unit=%00", "unit"), ("/cases/?q=%00", "q")],
)
def test_a_nul_in_a_page_query_parameter_gives_a_400_page_naming_it(cast, path, field):
    response = _page(cast.leader if path.startswith("/reports") else cast.officer).get(path)
    assert response.status_code == 400
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert REFUSED_VI in body
    assert f"“{field}”" in body
    assert "Traceback" not in body


def test_a_nul_in_a_form_field_gives_a_400_and_nothing_is_stored(tree, cast):
    data = _report_post(tree.commune_c1, [{"full_name": "Mùa A Chứ", "birth_date": "2014-02-02", "sex": "male"}])
    data["narrative"] = "Hàng xóm\x00 thấy trẻ bị đánh."
    response = _page(cast.officer).post("/cases/new/", data)
    assert response.status_code == 400
    assert "“narrative”" in response.content.decode()
    assert Report.objects.count() == 0
    assert Child.objects.count() == 0


def test_a_control_character_in_a_child_form_field_is_named(tree, cast):
    data = _report_post(tree.commune_c1, [{"full_name": "Mùa\x0b A Chứ", "birth_date": "2014-02-02", "sex": "male"}])
    response = _page(cast.officer).post("/cases/new/", data)
    assert response.status_code == 400
    assert "“children-0-full_name”" in response.content.decode()
    assert CaseFile.objects.count() == 0


@pytest.mark.parametrize("bad", ["Lò\x00 Văn Páo", "Lò \ud800Páo", "Lò\x1b[31m Páo", "Lò\x85Páo"])
def test_a_control_character_in_a_json_string_gives_a_400_naming_the_member(hotline, bad):
    response = hotline.post(
        "/api/v1/reports/", json.dumps(_report_body(full_name=bad)), content_type="application/json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["children[0].full_name"]
    assert Report.objects.count() == 0


def test_a_nul_in_a_json_key_is_refused(hotline):
    body = _report_body()
    body["narr\x00ative"] = "x"
    response = hotline.post("/api/v1/reports/", json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()) == ["narr\\x00ative"]


def test_tabs_and_line_breaks_are_text_and_accepted(hotline):
    response = hotline.post(
        "/api/v1/reports/",
        json.dumps(_report_body(narrative="Dòng một.\r\nDòng hai,\tcó tab.")),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert Report.objects.get().narrative == "Dòng một.\r\nDòng hai,\tcó tab."


def test_a_nul_in_the_similar_children_search_gives_a_json_400(tree, cast, receive):
    receive()
    client = _page(cast.officer)
    response = client.post(
        "/cases/children/similar/",
        {"name": "Nguyễn\x00 An", "commune": tree.commune_c1.pk},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["name"]
    ok = client.post("/cases/children/similar/", {"name": "Nguyễn An"}, HTTP_ACCEPT="application/json")
    assert ok.status_code == 200


def test_a_nul_in_an_uploaded_file_name_never_reaches_the_database(cast, receive, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = receive().case_files.get()
    upload = SimpleUploadedFile("bien\x00ban\x1f.pdf", b"%PDF-1.4\n%%EOF\n")
    response = _api(cast.officer).post(f"/api/v1/cases/{case.pk}/attachments/", {"file": upload}, format="multipart")
    assert response.status_code == 201  # Django's multipart parser drops non-printable characters from names
    assert Attachment.objects.get().original_name == "bienban.pdf"


def test_the_message_is_in_english_for_an_english_page(cast):
    client = _page(cast.officer)
    client.cookies["django_language"] = "en"
    response = client.get("/cases/?q=%01")
    assert response.status_code == 400
    assert "invisible control character" in response.content.decode()
