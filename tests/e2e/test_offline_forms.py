"""The offline forms on a phone (390×844), in Playwright's offline mode: a visit recorded against a planned
one, a collaborator's short report, a report asking the province's extra fields, a risk assessment whose
first answer was lost; each arrives once when the network returns, and a refusal shows BaoVe's words."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import services
from cases.models import CommunityReport, ExtraField, InitialAssessment, Report, Visit
from tests.e2e.conftest import login, lose_first_answer
from tests.e2e.test_main_pages import AXE, RUN_AXE
from tests.e2e.test_offline import _fill_report, _installed
from tests.factories import TEST_PASSWORD

SAVE = "Lưu trên điện thoại và gửi"
FORCED_RETRY = """async () => { const items = await BaoVeOffline.items();
  for (const item of items) { item.steps.forEach(step => { step.done = false; }); await BaoVeOffline.retry(item.id); }
}"""


def _sent(page):
    page.goto(f"{page.base_url}/offline/queue/")
    expect(page.locator("[data-offline-item]")).to_have_attribute("data-offline-item", "sent", timeout=40_000)


@pytest.mark.django_db(transaction=True)
def test_a_visit_recorded_offline_against_a_planned_one_arrives_once(page, cast, receive):
    case = receive().case_files.get()
    planned = services.visit_schedule(
        actor=cast.officer, case=case, kind="school", planned_for=timezone.localdate() + datetime.timedelta(days=2)
    )
    login(page, "officer", TEST_PASSWORD)
    _installed(page)
    page.get_by_role("link", name="Chuyến thăm", exact=True).click()
    expect(page.locator("#off-visit-case option")).to_contain_text(case.reference)  # kept while online

    page.context.set_offline(True)
    page.goto(f"{page.base_url}/offline/")
    for tab in page.locator("[data-offline-tab]").all():
        assert tab.bounding_box()["height"] >= 44  # the forms' tabs, thumb-sized
    page.get_by_role("link", name="Chuyến thăm", exact=True).click()
    page.select_option("#off-visit-case", str(case.pk))
    page.select_option("#off-visit-planned", str(planned.pk))
    expect(page.locator("#off-visit-kind-school")).to_be_checked()  # the planned visit's kind
    page.locator("#offline-visit").get_by_role("button", name=SAVE).click()
    expect(page.locator("#offline-error")).to_contain_text("Có gặp trực tiếp trẻ không.")  # nothing chosen yet
    page.locator("label[for=off-visit-seen-yes]").click()
    page.fill("#off-visit-people", "Cô giáo chủ nhiệm")
    page.fill("#off-visit-observations", "Trẻ đi học đều, vui vẻ với bạn.")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    assert page.evaluate(RUN_AXE) == []
    page.locator("#offline-visit").get_by_role("button", name=SAVE).click()
    expect(page.get_by_test_id("offline-saved")).to_be_visible()
    assert Visit.objects.get(pk=planned.pk).status == "planned"

    page.context.set_offline(False)
    _sent(page)
    # The receipt names the kind in words (not the code word "kind_visit").
    expect(page.locator("[data-offline-item]")).to_contain_text("Chuyến thăm, đã gửi lúc")
    visit = Visit.objects.get(case=case)  # the planned one, recorded: no second visit
    assert visit.pk == planned.pk
    assert (visit.status, visit.kind, visit.child_seen) == ("done", "school", True)
    assert visit.observations == "Trẻ đi học đều, vui vẻ với bạn."
    assert list(visit.visitors.all()) == [cast.officer]
    assert visit.idempotency_key is not None

    page.evaluate(FORCED_RETRY)  # a forced retry records nothing twice
    page.evaluate("BaoVeOffline.sync()")
    expect(page.locator("[data-offline-item]")).to_have_attribute("data-offline-item", "sent")
    assert Visit.objects.filter(case=case).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_collaborator_sends_the_short_form_from_a_hamlet_without_signal(page, cast, tree):
    login(page, "collaborator", TEST_PASSWORD)
    expect(page.get_by_test_id("nav-offline")).to_have_count(1)
    _installed(page)
    page.context.set_offline(True)
    page.goto(f"{page.base_url}/offline/")
    expect(page.locator("[data-offline-form=report]")).to_have_count(0)  # the officer's forms are not theirs
    expect(page.locator("[data-offline-form=visit]")).to_have_count(0)
    page.get_by_role("button", name=SAVE).click()
    expect(page.locator("#offline-error")).to_contain_text("Ai: trẻ em")
    page.fill("#off-community-child", "Cháu gái nhà ông Sáu, khoảng 8 tuổi")
    page.fill("#off-community-place", "Cuối ấp, gần rẫy cao su")
    page.fill("#off-community-what", "Tối qua cháu khóc rất lâu, trên tay có vết bầm.")
    page.locator("label[for=off-community-urgency-danger_now]").click()
    page.evaluate(AXE.read_text(encoding="utf-8"))
    assert page.evaluate(RUN_AXE) == []
    page.get_by_role("button", name=SAVE).click()
    expect(page.get_by_test_id("offline-saved")).to_be_visible()
    assert not CommunityReport.objects.exists()

    page.context.set_offline(False)
    _sent(page)
    expect(page.locator("[data-offline-item]")).to_contain_text("Báo tin trẻ em có nguy cơ, đã gửi lúc")
    found = CommunityReport.objects.get()
    assert (found.submitted_by, found.hamlet, found.commune) == (cast.collaborator, tree.hamlet_h1, tree.commune_c1)
    assert (found.urgency, found.status) == ("danger_now", "to_verify")
    page.evaluate(FORCED_RETRY)
    page.evaluate("BaoVeOffline.sync()")
    expect(page.locator("[data-offline-item]")).to_have_attribute("data-offline-item", "sent")
    assert CommunityReport.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_offline_report_asks_the_provinces_extra_fields_and_a_refusal_shows_why(page, cast, tree):
    def field(**values):
        return services.extra_field_save(actor=cast.admin, field=ExtraField(province=tree.province_p, **values))

    field(target="report", key="households", label="Số người trong hộ", field_type="number", is_required=True)
    field(target="report", key="minority", label="Hộ dân tộc thiểu số", field_type="choice", options="Có\nKhông")
    login(page, "officer", TEST_PASSWORD)
    _installed(page)
    page.context.set_offline(True)
    page.goto(f"{page.base_url}/offline/")
    _fill_report(page)
    page.fill(f"#off-extra-{tree.province_p.pk}-households", "một rưỡi")
    page.get_by_role("button", name=SAVE).first.click()
    expect(page.locator("#offline-error")).to_contain_text("“Số người trong hộ”: nhập một số.")
    page.fill(f"#off-extra-{tree.province_p.pk}-households", "")
    page.get_by_role("button", name=SAVE).first.click()
    expect(page.locator("#offline-error")).to_contain_text("Số người trong hộ")
    expect(page.locator("#off-narrative")).to_have_value("Hai chị em bị cha dượng đánh khi say rượu.")  # kept
    page.fill(f"#off-extra-{tree.province_p.pk}-households", "1,5")
    page.select_option(f"#off-extra-{tree.province_p.pk}-minority", "Có")
    page.get_by_role("button", name=SAVE).first.click()
    expect(page.get_by_test_id("offline-saved")).to_be_visible()
    page.context.set_offline(False)
    _sent(page)
    assert Report.objects.get().extra == {"households": 1.5, "minority": "Có"}

    # Another recorded offline before the province added a required question: BaoVe refuses it, in its words.
    page.context.set_offline(True)
    page.goto(f"{page.base_url}/offline/")
    _fill_report(page)
    page.fill(f"#off-extra-{tree.province_p.pk}-households", "4")
    page.get_by_role("button", name=SAVE).first.click()
    expect(page.get_by_test_id("offline-saved")).to_be_visible()
    field(target="report", key="ticket", label="Mã phiếu tỉnh", field_type="text", is_required=True, sort_order=9)
    page.context.set_offline(False)
    page.goto(f"{page.base_url}/offline/queue/")
    refused = page.locator("[data-offline-item=failed]")
    expect(refused).to_have_count(1, timeout=40_000)
    expect(refused).to_contain_text("“Mã phiếu tỉnh” là bắt buộc")
    expect(refused).to_contain_text("Không sửa được mục này ở đây: hãy ghi lại (đã sửa) ở trang ghi")
    assert Report.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_assessment_whose_first_answer_was_lost_is_sent_not_a_conflict(page, cast, receive):
    case = receive().case_files.get()
    login(page, "officer", TEST_PASSWORD)
    _installed(page)
    page.get_by_role("link", name="Đánh giá nguy cơ").click()
    expect(page.locator("#off-assess-case option")).to_contain_text(case.reference)
    page.context.set_offline(True)
    page.goto(f"{page.base_url}/offline/")
    page.get_by_role("link", name="Đánh giá nguy cơ").click()
    page.select_option("#off-assess-case", str(case.pk))
    for criterion in ("severity", "perpetrator_access", "care_environment", "child_capacity"):
        page.select_option(f"#off-assess-{criterion}", "medium")
    page.locator("#offline-assess").get_by_role("button", name=SAVE).click()
    expect(page.get_by_test_id("offline-saved")).to_be_visible()

    # The network returns; the assessment is made, but its answer is lost on the way: the phone sends it again.
    lost = lose_first_answer(page, "**/api/v1/cases/*/assess/")
    page.context.set_offline(False)
    page.goto(f"{page.base_url}/offline/queue/")
    page.get_by_role("button", name="Gửi ngay").click()
    expect(page.locator("[data-offline-item]")).to_have_attribute("data-offline-item", "sent", timeout=40_000)
    assert lost == [True]
    assessment = InitialAssessment.objects.get(case=case)
    assert assessment.severity == "medium"
    case.refresh_from_db()
    assert case.state == "assessed"
