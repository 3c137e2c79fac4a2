"""A safety plan recorded on a phone (390×844), tapping what an officer taps: an action the alleged
perpetrator must not see, a warning sign and who the child can call; then the directory of services
searched by area and type."""

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from agencies.models import ServiceProvider
from cases.models import SafetyPlan
from cases.services import CaregiverInput
from tests.e2e.conftest import login
from tests.e2e.test_main_pages import AXE, RUN_AXE
from tests.factories import TEST_PASSWORD, child_input


def test_an_officer_records_a_safety_plan_on_a_phone(page, tree, cast, receive):
    abuser = CaregiverInput(full_name="Lò Văn Tư", relation="cha dượng", is_alleged_perpetrator=True)
    case = receive(children=[child_input(tree.commune_c1, name="Lò Thị Mai Anh", caregivers=[abuser])]).case_files.get()
    shelter = ServiceProvider.objects.create(
        name="Nhà tạm lánh Xã Một",
        kind="shelter",
        services="Chỗ ở an toàn",
        phone="0276 111 222",
        created_by=cast.admin,
    )
    shelter.areas.set([tree.commune_c1])
    login(page, "officer", TEST_PASSWORD)

    page.goto(f"{page.base_url}/cases/{case.pk}/")
    page.get_by_test_id("safety-open").click()
    review = timezone.localdate() + datetime.timedelta(days=30)
    page.fill("#id_review_date", review.isoformat())
    first = page.locator("#form-items-0")
    first.get_by_text("Việc người lớn và cơ quan sẽ làm", exact=True).click()
    page.fill("#id_items-0-text", "Mẹ đưa em sang nhà bà ngoại khi ông ấy say rượu")
    page.fill("#id_items-0-who", "Mẹ")
    hidden = first.get_by_text("Không để đối tượng bị nghi xâm hại biết", exact=False)
    assert hidden.bounding_box()["height"] >= 20
    hidden.click()
    expect(page.locator("#id_items-0-is_hidden_from_perpetrator")).to_be_checked()

    page.get_by_test_id("add-safety-item").click()
    second = page.locator("#form-items-1")
    second.get_by_text("Dấu hiệu cảnh báo", exact=True).click()
    page.fill("#id_items-1-text", "Em nghỉ học không lý do")

    page.get_by_test_id("add-safety-item").click()
    third = page.locator("#form-items-2")
    third.get_by_text("Người trẻ có thể gọi", exact=True).click()
    page.fill("#id_items-2-text", "Nhà tạm lánh khi không về nhà được")
    page.select_option("#id_items-2-provider", label="Nhà tạm lánh Xã Một")
    page.fill("#id_items-2-phone", "0276 111 222")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    assert page.evaluate(RUN_AXE) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    page.get_by_test_id("safety-submit").click()

    expect(page.get_by_text("Đã lưu kế hoạch an toàn")).to_be_visible()
    expect(page.get_by_test_id("safety-review-date")).to_contain_text(review.strftime("%d/%m/%Y"))
    expect(page.get_by_test_id("safety-left-out")).to_contain_text("1 mục")
    expect(page.get_by_test_id("safety-print")).to_be_visible()
    plan = SafetyPlan.objects.get(case=case)
    assert [(item.kind, item.is_hidden_from_perpetrator) for item in plan.items.all()] == [
        ("action", True),
        ("warning_sign", False),
        ("contact", False),
    ]
    assert plan.items.get(kind="contact").provider == shelter

    # The directory on the same phone: by area and type.
    page.goto(f"{page.base_url}/services/")
    page.select_option("#id_area", label=tree.commune_c1.name)
    page.select_option("#id_kind", "shelter")
    page.get_by_test_id("services-search-submit").click()
    expect(page.get_by_test_id("service-row")).to_have_count(1)
    expect(page.get_by_test_id("service-row")).to_contain_text("Nhà tạm lánh Xã Một")
    expect(page.get_by_test_id("services-print")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
