"""A home visit recorded on a phone (390×844): from the case page, by tapping what an officer taps; the
case page then shows the contact of today and the next visit it scheduled."""

import datetime

from playwright.sync_api import expect

from cases.models import ContactRule, Visit
from tests.e2e.conftest import login
from tests.e2e.test_main_pages import AXE, RUN_AXE
from tests.factories import TEST_PASSWORD


def test_an_officer_records_a_home_visit_on_a_phone(page, cast, receive):
    case = receive().case_files.get()
    login(page, "officer", TEST_PASSWORD)
    page.goto(f"{page.base_url}/cases/{case.pk}/")
    contact = page.get_by_test_id("contact")
    expect(contact.get_by_test_id("last-contact")).to_contain_text("Chưa ghi nhận lần tiếp xúc nào")
    expect(contact.get_by_test_id("next-visit")).to_contain_text("chưa lên lịch")

    contact.get_by_test_id("visit-record").click()
    expect(page.get_by_role("heading", name="Ghi nhận chuyến thăm")).to_be_visible()
    # A mistake first: nothing chosen for "was the child seen"; what was typed stays.
    page.get_by_role("group", name="Hình thức thăm").get_by_text("Thăm gia đình", exact=True).click()
    page.fill("#id_observations", "Em An đi học đều; mẹ đã đi làm lại, nhà sạch sẽ.")
    page.get_by_test_id("visit-submit").click()
    expect(page.get_by_test_id("error-summary")).to_be_visible()
    expect(page.locator("#id_observations")).to_have_value("Em An đi học đều; mẹ đã đi làm lại, nhà sạch sẽ.")

    seen = page.get_by_role("group", name="Có gặp trực tiếp trẻ không?")
    seen.get_by_text("Có", exact=True).click()
    assert seen.locator("label.choice").first.bounding_box()["height"] >= 44
    expect(page.get_by_role("checkbox", name=cast.officer.get_full_name() or "officer")).to_be_checked()
    page.fill("#id_other_visitors", "Cô Lan, cộng tác viên ấp")
    page.fill("#id_people_seen", "mẹ, bà ngoại")
    next_visit = datetime.date.today() + datetime.timedelta(days=14)
    page.fill("#id_next_visit_on", next_visit.isoformat())
    page.evaluate(AXE.read_text(encoding="utf-8"))
    assert page.evaluate(RUN_AXE) == []
    page.get_by_test_id("visit-submit").click()

    expect(page.get_by_text("Đã ghi nhận chuyến thăm", exact=False).first).to_be_visible()
    contact = page.get_by_test_id("contact")
    expect(contact.get_by_test_id("last-contact")).to_contain_text(f"{datetime.date.today():%d/%m/%Y}")
    expect(contact.get_by_test_id("last-contact")).to_contain_text("Chuyến thăm")
    expect(contact.get_by_test_id("contact-days")).to_have_attribute("data-late", "false")
    expect(contact.get_by_test_id("next-visit")).to_contain_text(f"{next_visit:%d/%m/%Y}")
    expect(page.get_by_test_id("timeline")).to_contain_text("Đã ghi nhận chuyến thăm")
    assert list(Visit.objects.order_by("pk").values_list("status", flat=True)) == ["done", "planned"]
    assert ContactRule.objects.get(case=case).last_contact_kind == "visit"
