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


def test_on_a_desktop_the_menu_is_a_bar_with_the_rest_under_more_and_the_account_under_the_name(page, cast):
    """At 1280 px (and up from 1200) the menu is open as one bar, no wider than the screen; the entries used
    less often open from "Thêm", the account's actions from the person's name. On a phone the same entries are
    in the menu with the others, once each."""
    login(page, "coordinator_district", TEST_PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{page.base_url}/cases/")
    expect(page.get_by_role("button", name="Trình đơn")).to_be_hidden()
    expect(page.get_by_role("link", name="Hồ sơ trường hợp")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.evaluate("document.querySelector('nav.navbar').getBoundingClientRect().height") < 80  # one line
    services = page.get_by_test_id("nav-services")
    expect(services).to_be_hidden()
    page.get_by_test_id("nav-more").click()
    expect(services).to_be_visible()
    services.click()
    expect(page).to_have_url(re.compile(r"/services/$"))
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_hidden()
    page.get_by_test_id("nav-account").click()
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.locator("#id_username")).to_be_visible(timeout=15_000)

    login(page, "coordinator_district", TEST_PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name="Trình đơn").click()
    expect(page.get_by_test_id("nav-more")).to_be_hidden()
    expect(page.get_by_test_id("nav-account")).to_be_hidden()
    expect(page.get_by_test_id("nav-services")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_be_visible()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    assert page.locator('[data-testid="nav-services"]').count() == 1
