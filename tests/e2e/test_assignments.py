import datetime

from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Assignment
from tests.e2e.conftest import login
from tests.factories import TEST_PASSWORD, AgencyFactory, walk_to_approved


def _approved_case(tree, cast, receive, due):
    police = cast.police.memberships.get().agency
    case = walk_to_approved(
        receive().case_files.get(), cast.officer, cast.chairman, [(police, "police", "Xác minh và bảo vệ trẻ.", due)]
    )
    return case, Assignment.objects.get(case=case)


def test_police_focal_point_accepts_and_reports_progress(page, tree, cast, receive):
    case, assignment = _approved_case(tree, cast, receive, timezone.localdate() + datetime.timedelta(days=5))
    login(page, "police", TEST_PASSWORD)
    page.goto(f"{page.base_url}/assignments/")
    expect(page.get_by_test_id("inbox-new")).to_contain_text(case.reference)
    page.get_by_test_id("inbox-new").get_by_test_id("inbox-item").click()
    expect(page.get_by_test_id("limited-case")).to_contain_text("Nguyễn Văn An")
    page.get_by_test_id("submit-accept").click()
    expect(page.get_by_test_id("assignment-status")).to_have_text("Đã tiếp nhận")
    page.fill("#id_progress-text", "Đã làm việc với gia đình, yêu cầu người cha cam kết.")
    page.get_by_test_id("submit-progress").click()
    expect(page.get_by_test_id("assignment-status")).to_have_text("Đang thực hiện")
    expect(page.get_by_test_id("progress")).to_contain_text("yêu cầu người cha cam kết")
    assignment.refresh_from_db()
    assert assignment.status == "in_progress"
    assert assignment.progress.get().author == cast.police

    # Closing it: "Kết quả" is a pair of radios, nothing chosen beforehand, the chosen one obvious.
    close = page.get_by_test_id("assignment-close")
    result = close.get_by_role("group", name="Kết quả")
    expect(result.get_by_role("radio")).to_have_count(2)
    for radio in result.get_by_role("radio").all():
        expect(radio).not_to_be_checked()
    result.get_by_text("Đã hoàn thành", exact=True).click()
    expect(result.get_by_role("radio", name="Đã hoàn thành")).to_be_checked()
    chosen = result.locator("label.choice", has=page.locator("input:checked"))
    assert chosen.evaluate("label => getComputedStyle(label).borderColor") != result.locator(
        "label.choice", has=page.locator("input:not(:checked)")
    ).evaluate("label => getComputedStyle(label).borderColor")
    close.get_by_label("Kết quả thực hiện").fill("Gia đình đã cam kết, trẻ an toàn.")
    page.get_by_test_id("submit-close").click()
    expect(page.get_by_role("alert")).to_contain_text("Đã lưu")
    assignment.refresh_from_db()
    assert (assignment.status, assignment.outcome) == ("done", "Gia đình đã cam kết, trẻ an toàn.")


def test_coordinator_reassigns_an_overdue_assignment(page, tree, cast, receive):
    case, assignment = _approved_case(tree, cast, receive, timezone.localdate() + datetime.timedelta(days=1))
    Assignment.objects.filter(pk=assignment.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=3))
    other = AgencyFactory(agency_type__code="police", name="Công an Huyện D (cũ)", unit=tree.district_d)
    login(page, "coordinator_district", TEST_PASSWORD)
    page.goto(f"{page.base_url}/coordination/")
    row = page.get_by_test_id("coordination-row").first
    expect(row).to_contain_text(case.reference)
    expect(row).to_contain_text("quá hạn")
    page.get_by_test_id(f"reassign-{assignment.pk}").click()
    page.select_option("#id_agency", str(other.pk))
    page.fill("#id_due_date", (timezone.localdate() + datetime.timedelta(days=4)).isoformat())
    page.get_by_test_id("submit-reassign").click()
    expect(page.get_by_test_id("assignments")).to_contain_text("Công an Huyện D (cũ)")
    assignment.refresh_from_db()
    assert assignment.status == "cancelled"
    new = Assignment.objects.exclude(pk=assignment.pk).get()
    assert (new.agency, new.status) == (other, "proposed")
