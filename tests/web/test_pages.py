import pytest
from django.test import Client

from tests.factories import TEST_PASSWORD, AgencyFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_the_login_page():
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_login_page_is_vietnamese_by_default():
    body = Client().get("/accounts/login/").content.decode()
    assert '<html lang="vi">' in body
    assert "Đăng nhập" in body


def test_wrong_password_gets_a_clear_message_and_keeps_the_username(cast):
    response = Client().post("/accounts/login/", {"username": "officer", "password": "wrong"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "mật khẩu chính xác" in body
    assert 'value="officer"' in body


def test_officer_logs_in_and_sees_role_and_unit(cast):
    client = Client()
    response = client.post("/accounts/login/", {"username": "officer", "password": TEST_PASSWORD}, follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == "/"
    assert "Người làm công tác bảo vệ trẻ em cấp xã" in body
    assert "Xã Một" in body
    assert "Việc cần làm" in body
    assert 'data-testid="work-empty"' in body  # nothing received yet


def test_user_without_membership_is_told_so(cast):
    client = Client()
    client.force_login(cast.outsider)
    body = client.get("/").content.decode()
    assert 'data-testid="no-membership"' in body
    assert 'data-testid="work-item"' not in body


def test_language_switch_to_english(cast):
    client = Client()
    client.force_login(cast.officer)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert '<html lang="en">' in body
    assert "Commune child-protection officer" in body
    assert "Log out" in body


def test_directory_lists_only_agencies_in_the_jurisdiction(tree, cast):
    AgencyFactory(name="Trạm Y tế Xã Hai", unit=tree.commune_c2)
    client = Client()
    client.force_login(cast.officer)
    body = client.get("/agencies/").content.decode()
    assert "Công an Xã Một" in body
    assert "Trạm Y tế Xã Hai" not in body
    assert "VH-XH Xã Bốn" not in body

    client.force_login(cast.coordinator_district)
    body = client.get("/agencies/").content.decode()
    assert "Trạm Y tế Xã Hai" in body
    assert "Công an Xã Một" in body
    assert "VH-XH Xã Bốn" not in body


def test_logout_is_a_post_and_ends_the_session(cast):
    client = Client()
    client.force_login(cast.officer)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_admin_is_for_administrators_only(cast):
    client = Client()
    client.force_login(cast.officer)
    assert client.get("/admin/agencies/administrativeunit/").status_code == 302
    client.force_login(cast.admin)
    body = client.get("/admin/agencies/administrativeunit/?q=Xã+Một").content.decode()
    assert "Xã Một" in body


def test_admin_can_add_a_hamlet_and_its_path_is_maintained(tree, cast):
    client = Client()
    client.force_login(cast.admin)
    response = client.post(
        "/admin/agencies/administrativeunit/add/",
        {
            "code": "H2",
            "name": "Ấp Hai",
            "division_type": "ấp",
            "level": "hamlet",
            "parent": tree.commune_c2.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    from agencies.models import AdministrativeUnit

    hamlet = AdministrativeUnit.objects.get(code="H2", parent=tree.commune_c2)
    assert hamlet.path == f"{tree.commune_c2.path}{hamlet.pk}/"
