"""The demo (`make run`, DEBUG on) shows the pages a user sees in production, never Django's technical ones."""

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_client(cast):
    with override_settings(DEBUG=True):
        client = Client(raise_request_exception=False)
        client.force_login(cast.officer)
        yield client


def test_a_missing_page_is_the_friendly_404_not_the_url_patterns(demo_client):
    response = demo_client.get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "Không tìm thấy" in body
    assert "URLconf" not in body
    assert "cases/new/" not in body


def test_another_communes_case_file_is_the_friendly_404(demo_client, cast, receive, tree):
    case = receive(actor=cast.officer_elsewhere, commune=tree.commune_c4).case_files.get()
    response = demo_client.get(f"/cases/{case.pk}/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "Không tìm thấy" in body
    assert "Raised by" not in body
    assert case.child.full_name not in body


def test_a_missing_slash_still_redirects(demo_client):
    response = demo_client.get("/cases")
    assert response.status_code == 301
    assert response["Location"] == "/cases/"


def test_a_bug_is_the_friendly_500_and_is_logged(demo_client, monkeypatch, caplog):
    from cases.views import lists

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(lists.selectors, "case_list_page", broken)
    response = demo_client.get("/cases/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "Hệ thống tạm thời gián đoạn" in body
    assert "Traceback" not in body
    assert any(record.exc_info and "a bug" in str(record.exc_info[1]) for record in caplog.records)


def test_the_api_still_answers_json(demo_client):
    response = demo_client.get("/api/v1/cases/999999/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
