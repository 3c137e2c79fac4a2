"""On a phone: an officer adds a mobile number, types back the code the SMS gateway (a local server the test
starts) carried, chooses SMS and quiet hours; axe-core finds no serious violation in any state of the page."""

import datetime
from pathlib import Path

from playwright.sync_api import expect

from notifications.models import ChannelAccount, PhoneVerification, Preference
from notifications.tasks import send_phone_code
from tests.e2e.conftest import login
from tests.factories import TEST_PASSWORD
from tests.notifications.gateway import start_gateway

AXE = next((Path(__file__).parent / "vendor").glob("axe-core-*/axe.min.js")).read_text(encoding="utf-8")
RUN_AXE = """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
  .filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)"""


def _axe(page) -> list:
    page.evaluate(AXE)
    return page.evaluate(RUN_AXE)


def test_an_officer_verifies_a_number_and_chooses_sms_on_a_phone(page, tree, cast):
    server, gateway = start_gateway()
    gateway.answer((200, {"CodeResult": "100", "SMSID": "code-sms"}))
    ChannelAccount.objects.create(
        channel="sms", province=tree.province_p, name="P", url=gateway.url, api_key="k", sender="BAOVE"
    )
    try:
        login(page, "officer", TEST_PASSWORD)
        page.goto(f"{page.base_url}/notifications/preferences/")
        violations = _axe(page)
        page.locator("#id_phone").fill("0912 345 678")
        page.get_by_test_id("send-code").click()
        expect(page.get_by_test_id("code-form")).to_contain_text("0912 *** 678")
        verification = PhoneVerification.objects.get(user=cast.officer)
        send_phone_code.apply(args=[verification.pk])  # the worker's part
        assert gateway.requests[0].body["Phone"] == "0912345678"
        violations += _axe(page)
        page.locator("#id_code").fill("12345")  # one digit short
        page.get_by_test_id("confirm-phone").click()
        expect(page.get_by_test_id("error-summary")).to_be_visible()
        violations += _axe(page)
        page.locator("#id_code").fill(verification.code)
        page.get_by_test_id("confirm-phone").click()
        expect(page.locator("main")).to_contain_text("Đã xác minh: 0912 *** 678")
        page.get_by_text("Gửi tin nhắn SMS cho tôi").click()
        page.locator("#id_quiet_from").fill("21:30")
        page.locator("#id_quiet_until").fill("06:00")
        page.get_by_test_id("save-preferences").click()
        expect(page.locator(".alert-success")).to_contain_text("Đã lưu")
        violations += _axe(page)
    finally:
        server.shutdown()
        server.server_close()
    preference = Preference.objects.get(user=cast.officer)
    assert (preference.phone, preference.sms_enabled, preference.zalo_enabled) == ("84912345678", True, False)
    assert (preference.quiet_from, preference.quiet_until) == (datetime.time(21, 30), datetime.time(6, 0))
    assert violations == []
