"""Siblings on a phone (390×844): a report for two siblings, then the initial assessment recorded once
for both, by tapping what a person taps; then a new report about one of them shows the history snapshot."""

import re

from playwright.sync_api import expect

from cases.models import CaseFile, InitialAssessment
from tests.e2e.conftest import login
from tests.e2e.test_main_pages import AXE, RUN_AXE
from tests.factories import TEST_PASSWORD


def test_two_siblings_reported_together_are_assessed_once(page, tree, cast):
    login(page, "officer", TEST_PASSWORD)

    # 1. One report (Mẫu 01) naming two siblings.
    page.goto(f"{page.base_url}/cases/new/")
    page.fill("#id_reporter_name", "Cô giáo Hoa")
    page.select_option("#id_source", "school")
    page.get_by_role("group", name="Hình thức xâm hại").get_by_text("Bỏ mặc", exact=True).click()
    page.fill("#id_narrative", "Hai anh em thường bị bỏ đói, không ai chăm sóc.")
    page.fill("#id_children-0-full_name", "Đinh Văn Khoa")
    page.fill("#id_children-0-birth_date", "2014-02-03")
    page.get_by_test_id("add-child").click()
    expect(page.locator("[data-child-form]")).to_have_count(2)
    page.fill("#id_children-1-full_name", "Đinh Thị Lan")
    page.fill("#id_children-1-birth_date", "2017-09-10")
    page.get_by_test_id("save-report").click()
    expect(page.get_by_text(re.compile("mở 2 hồ sơ"))).to_be_visible()
    first, second = CaseFile.objects.order_by("pk")
    assert first.child.household_id == second.child.household_id

    # 2. The first child's page shows the sister's file in the family group.
    page.goto(f"{page.base_url}/cases/{first.pk}/")
    family = page.get_by_test_id("family")
    expect(family.get_by_test_id("family-file")).to_have_count(1)
    expect(family).to_contain_text(second.reference)
    expect(family).to_contain_text("Đinh Thị Lan")

    # 3. The initial assessment (Mẫu 02), once: the sister's file is offered, ticked beforehand.
    page.get_by_test_id("action-assess").click()
    for question, answer in (
        ("Mức độ nghiêm trọng của tổn hại", "Trung bình"),
        ("Khả năng tiếp cận trẻ em của đối tượng xâm hại", "Thấp"),
        ("Cản trở đối với sự an toàn trong môi trường chăm sóc", "Trung bình"),
        ("Khả năng tự bảo vệ và phục hồi của trẻ em", "Thấp"),
    ):
        page.get_by_role("group", name=question).get_by_text(answer, exact=True).click()
    page.get_by_role("group", name="Có cần áp dụng biện pháp can thiệp khẩn cấp không?").get_by_text(
        "Không", exact=True
    ).click()
    sibling = page.get_by_role("checkbox", name=re.compile(second.reference))
    expect(sibling).to_be_checked()
    label = page.get_by_test_id("siblings").locator("label.choice")
    assert label.bounding_box()["height"] >= 44
    page.evaluate(AXE.read_text(encoding="utf-8"))
    assert page.evaluate(RUN_AXE) == []
    page.get_by_test_id("action-submit").click()
    expect(page.get_by_text("Đã lưu cho 2 hồ sơ", exact=False)).to_be_visible()
    expect(page.get_by_test_id("case-state")).to_have_text("Đã đánh giá nguy cơ ban đầu")

    # 4. The sister's own file moved too, with its own record and its own timeline.
    page.get_by_test_id("family").get_by_role("link", name=second.reference).click()
    expect(page.get_by_test_id("case-child")).to_have_text("Đinh Thị Lan")
    expect(page.get_by_test_id("case-state")).to_have_text("Đã đánh giá nguy cơ ban đầu")
    expect(page.get_by_test_id("timeline")).to_contain_text("Đã đánh giá nguy cơ ban đầu (Mẫu 02)")
    assert sorted(InitialAssessment.objects.values_list("case_id", flat=True)) == [first.pk, second.pk]

    # 5. A new report about the brother: choosing him shows his and his family's history at once.
    page.goto(f"{page.base_url}/cases/new/")
    page.fill("#id_children-0-full_name", "Dinh Van Khoa")
    page.get_by_test_id("similar-child").first.click()
    history = page.get_by_test_id("history-snapshot")
    expect(history).to_be_visible()
    expect(history.get_by_test_id("history-case")).to_have_count(2)
    expect(history).to_contain_text(first.reference)
    expect(history).to_contain_text(second.reference)
