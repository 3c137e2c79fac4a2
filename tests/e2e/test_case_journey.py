import re

from playwright.sync_api import expect

from cases.models import CaseFile
from tests.e2e.conftest import another_phone, login
from tests.factories import TEST_PASSWORD, AgencyFactory


def test_officer_takes_a_report_to_an_approved_plan(page, tree, cast):
    health = AgencyFactory(agency_type__code="health", name="Trạm Y tế Xã Một", unit=tree.commune_c1)
    login(page, "officer", TEST_PASSWORD)

    # 1. New report (Mẫu 01). A second child added by mistake is removed; a draft survives a reload.
    page.goto(f"{page.base_url}/cases/new/")
    page.get_by_test_id("add-child").click()
    expect(page.locator("[data-child-form]")).to_have_count(2)
    page.get_by_test_id("remove-child").nth(1).click()
    expect(page.locator("[data-child-form]")).to_have_count(1)
    expect(page.locator("#id_children-TOTAL_FORMS")).to_have_value("1")
    page.fill("#id_reporter_name", "Cô giáo Hoa")
    page.select_option("#id_source", "school")
    page.fill("#id_narrative", "Em có nhiều vết bầm trên tay, nói bị cha đánh.")
    page.fill("#id_children-0-full_name", "Nguyễn Văn Bình")
    page.fill("#id_children-0-birth_date", "2016-04-12")
    page.wait_for_timeout(700)
    page.reload()
    expect(page.locator("#draft-restored")).to_be_visible()
    expect(page.locator("#id_children-0-full_name")).to_have_value("Nguyễn Văn Bình")
    expect(page.locator("#id_narrative")).to_have_value("Em có nhiều vết bầm trên tay, nói bị cha đánh.")
    # The part to check before saving names what is still missing: the form of abuse.
    expect(page.get_by_test_id("check-status")).to_contain_text("Số mục bắt buộc còn trống: 1")

    # Saved without a form of abuse: the error summary at the top takes the focus and links to the field.
    page.get_by_test_id("save-report").click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Có 1 lỗi cần sửa")
    expect(page).to_have_title(re.compile(r"^Lỗi: "))
    summary.get_by_role("link", name=re.compile("Hình thức xâm hại")).click()
    expect(page.locator("#id_abuse_forms_0")).to_be_focused()
    expect(page.locator("#id_narrative")).to_have_value("Em có nhiều vết bầm trên tay, nói bị cha đánh.")
    # A 44 px row that is all label: a tap on the words ticks the box.
    violence = page.get_by_role("group", name="Hình thức xâm hại").get_by_text("Bạo lực", exact=True)
    assert violence.bounding_box()["height"] >= 20
    assert page.locator("label.choice").first.bounding_box()["height"] >= 44
    violence.click()
    expect(page.get_by_role("checkbox", name="Bạo lực")).to_be_checked()
    expect(page.get_by_test_id("check-status")).to_have_text("Đã điền đủ các mục bắt buộc.")
    page.get_by_test_id("save-report").click()

    expect(page.get_by_test_id("case-child")).to_have_text("Nguyễn Văn Bình")
    expect(page.get_by_test_id("case-state")).to_have_text("Đã tiếp nhận")
    expect(page.get_by_test_id("deadline-emergency_decision")).to_be_visible()
    case_url = page.url.split("?")[0]

    # 2. Initial risk assessment (Mẫu 02): no emergency. The four criteria and the emergency question are
    # radios with nothing chosen beforehand; a person taps the label.
    page.get_by_test_id("action-assess").click()
    for question, answer in (
        ("Mức độ nghiêm trọng của tổn hại", "Trung bình"),
        ("Khả năng tiếp cận trẻ em của đối tượng xâm hại", "Thấp"),
        ("Cản trở đối với sự an toàn trong môi trường chăm sóc", "Thấp"),
        ("Khả năng tự bảo vệ và phục hồi của trẻ em", "Thấp"),
    ):
        page.get_by_role("group", name=question).get_by_text(answer, exact=True).click()
    emergency = page.get_by_role("group", name="Có cần áp dụng biện pháp can thiệp khẩn cấp không?")
    emergency.get_by_text("Không", exact=True).click()
    expect(emergency.get_by_role("radio", name="Không")).to_be_checked()
    page.get_by_test_id("action-submit").click()
    expect(page.get_by_test_id("case-state")).to_have_text("Đã đánh giá nguy cơ ban đầu")
    expect(page.get_by_test_id("deadline-emergency_decision")).to_have_attribute("data-status", "met")

    # 3. Information and needs meeting (Mẫu 03).
    page.get_by_test_id("action-investigate").click()
    page.fill("#id_information", "Đã làm việc với nhà trường và gia đình.")
    page.select_option("#id_risk_level", "medium")
    page.fill("#id_needs", "Khám sức khỏe, tư vấn cho cha mẹ.")
    page.fill("#id_meeting_at", "2020-01-01T09:00")
    page.fill("#id_participants", "Cán bộ xã, giáo viên, mẹ của trẻ.")
    page.fill("#id_minutes", "Thống nhất các biện pháp hỗ trợ.")
    page.get_by_test_id("action-submit").click()
    expect(page.get_by_test_id("case-state")).to_have_text("Đã thu thập thông tin, đánh giá cụ thể")

    # 4. Plan (Mẫu 04) with one measure for the health station; a mistake first keeps what was typed.
    page.get_by_test_id("action-submit_plan").click()
    page.fill("#id_objectives", "Bảo đảm an toàn và sức khỏe cho trẻ.")
    page.select_option("#id_measures-0-agency", str(health.pk))
    page.fill("#id_measures-0-description", "Khám và điều trị vết thương.")
    page.fill("#id_measures-0-due_date", "2001-01-01")
    page.get_by_test_id("action-submit").click()
    expect(page.get_by_test_id("error-measures-0-due_date")).to_be_visible()
    expect(page.locator("#id_objectives")).to_have_value("Bảo đảm an toàn và sức khỏe cho trẻ.")
    page.fill("#id_measures-0-due_date", "2099-12-31")
    page.get_by_test_id("action-submit").click()
    expect(page.get_by_test_id("case-state")).to_have_text("Đã trình kế hoạch")

    # 5. The chairman approves (Mẫu 05).
    page = another_phone(page)  # the next person, on a phone of their own
    login(page, "chairman", TEST_PASSWORD)
    page.goto(case_url)
    page.get_by_test_id("action-approve_plan").click()
    page.fill("#id_decision_number", "27/QĐ-UBND")
    page.get_by_test_id("action-submit").click()
    expect(page.get_by_test_id("case-state")).to_have_text("Đang hỗ trợ, can thiệp")
    expect(page.get_by_test_id("current-plan")).to_contain_text("27/QĐ-UBND")

    case = CaseFile.objects.get()
    assert case.state == "in_intervention"
    assert list(case.events.values_list("kind", flat=True)) == [
        "received",
        "assess",
        "investigate",
        "submit_plan",
        "approve_plan",
        "assignment_proposed",
    ]
