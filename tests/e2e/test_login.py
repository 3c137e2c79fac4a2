import re

from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.factories import TEST_PASSWORD


def test_officer_logs_in_on_a_phone_and_sees_the_home_page(page, cast):
    login(page, "officer", TEST_PASSWORD)

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Việc cần làm")
    expect(page.locator("main")).to_contain_text("Người làm công tác bảo vệ trẻ em cấp xã – Xã Một")
    expect(page.get_by_test_id("work-empty")).to_be_visible()
    # The navigation collapses on a phone; the menu button opens it.
    page.get_by_role("button", name="Trình đơn").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()


def test_wrong_password_keeps_the_user_on_the_login_page(page, cast):
    login(page, "officer", "not-the-password")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator(".alert-danger")).to_contain_text("mật khẩu")
    expect(page.locator("#id_username")).to_have_value("officer")
