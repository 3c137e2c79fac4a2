"""The offline forms on a phone (390×844), in Playwright's offline mode: a visit recorded against a planned
one, a collaborator's short report, a report asking the province's extra fields, a risk assessment whose
first answer was lost; each arrives once when the network returns, and a refusal shows BaoVe's words and
is corrected in place, on its form filled with what was typed (nothing typed again)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import services
from cases.models import Attachment, CommunityReport, ExtraField, InitialAssessment, Report, Visit
from tests.e2e.conftest import login, lose_first_answer
from tests.e2e.test_main_pages import AXE, RUN_AXE
from tests.e2e.test_offline import _fill_report, _installed, _photo_with_metadata, store
from tests.factories import TEST_PASSWORD

SAVE = "Lưu trên điện thoại và gửi"
FORCED_RETRY = """async () => { const items = await BaoVeOffline.items();
  for (const item of items) { item.steps.forEach(step => { step.done = false; }); await BaoVeOffline.retry(item.id); }
}"""


CORRECT = "Sửa mục này"
NOT_HERE = "Không sửa được mục này ở đây: hãy ghi lại (đã sửa) ở trang ghi"
# The items the phone holds (decrypted), receipts left out: what a correction may change.
KEPT_ITEMS = "async () => (await BaoVeOffline.items()).filter(item => !item.receipt)"


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
def test_an_offline_report_asks_the_provinces_extra_fields_and_a_refusal_is_corrected_in_place(
    page, cast, tree, tmp_path
):
    def field(**values):
        return _extra_field(cast, tree, **values)

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
    refused = _refused_report(page, cast, tree, tmp_path)
    expect(refused).to_contain_text("“Mã phiếu tỉnh” là bắt buộc")
    expect(refused).to_contain_text("Sửa ngay tại đây")
    expect(refused).not_to_contain_text(NOT_HERE)
    assert Report.objects.count() == 1
    before = page.evaluate(KEPT_ITEMS)[0]

    # Corrected in place: the form opens with what was typed, its photo attached and BaoVe's reason above it.
    correct = refused.get_by_role("link", name=CORRECT)
    assert correct.bounding_box()["height"] >= 44
    correct.click()
    summary = page.get_by_test_id("offline-correcting")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("“Mã phiếu tỉnh” là bắt buộc")
    expect(page.locator("#off-narrative")).to_have_value("Hai chị em bị cha dượng đánh khi say rượu.")
    expect(page.locator("#off-reporter-name")).to_have_value("Nguyễn Văn Báo")
    expect(page.locator("[data-offline-child]")).to_have_count(2)
    for number, (name, born) in enumerate((("Lò Thị Hoa Ban", "2015-03-04"), ("Lò Văn Sáng", "2018-05-06")), start=1):
        expect(page.locator(f"#off-child-{number}-full_name")).to_have_value(name)
        expect(page.locator(f"#off-child-{number}-birth_date")).to_have_value(born)
    expect(page.locator("#off-abuse-forms input:checked")).to_have_count(1)
    expect(page.get_by_label("Bạo lực", exact=True)).to_be_checked()
    expect(page.locator(f"#off-extra-{tree.province_p.pk}-households")).to_have_value("4")
    expect(page.locator("[data-offline-files] li")).to_have_count(1)  # the photo, still attached
    expect(page.locator(".offline-tabs")).to_be_hidden()
    page.evaluate(AXE.read_text(encoding="utf-8"))
    assert page.evaluate(RUN_AXE) == []
    page.fill(f"#off-extra-{tree.province_p.pk}-ticket", "HB-0042")
    page.fill("#off-child-2-full_name", "Lò Văn Sáng Em")
    page.get_by_role("button", name="Lưu bản đã sửa và gửi").click()

    # It took the refused one's place and went: one report, the corrected values, its photo; nothing left over.
    page.wait_for_url("**/offline/queue/")
    expect(page.locator("[data-offline-item=sent]")).to_have_count(2, timeout=40_000)
    expect(page.locator("[data-offline-item=failed]")).to_have_count(0)
    assert Report.objects.count() == 2
    report = Report.objects.latest("pk")
    assert report.extra == {"households": 4, "ticket": "HB-0042"}
    assert report.narrative == "Hai chị em bị cha dượng đánh khi say rượu."
    children = [case.child.full_name for case in report.case_files.select_related("child").order_by("pk")]
    assert children == ["Lò Thị Hoa Ban", "Lò Văn Sáng Em"]
    assert Attachment.objects.filter(case__report=report).count() == 1
    # The refused send's key: a refused send left nothing under it, and a first send accepted with its answer
    # lost would be answered as such instead of recorded twice.
    assert str(report.idempotency_key) == before["steps"][0]["idempotencyKey"]
    assert page.evaluate(KEPT_ITEMS) == []
    assert store(page, cast.officer)["counts"]["files"] == 0
    page.evaluate("BaoVeOffline.sync()")
    assert Report.objects.count() == 2


def _extra_field(cast, tree, **values):
    return services.extra_field_save(actor=cast.admin, field=ExtraField(province=tree.province_p, **values))


def _refused_report(page, cast, tree, tmp_path):
    """A report with a photo recorded offline, then refused by BaoVe: the province made a question required meanwhile.
    The province asks "households" already (before the phone kept its forms). Returns the queue's refused card."""
    page.context.set_offline(True)
    page.goto(f"{page.base_url}/offline/")
    _fill_report(page)
    page.fill(f"#off-extra-{tree.province_p.pk}-households", "4")
    page.set_input_files("#off-photos", str(_photo_with_metadata(tmp_path / "photo.jpg")))
    expect(page.locator("[data-offline-files] li")).to_have_count(1)
    page.get_by_role("button", name=SAVE).first.click()
    expect(page.get_by_test_id("offline-saved")).to_be_visible()
    _extra_field(cast, tree, target="report", key="ticket", label="Mã phiếu tỉnh", field_type="text", is_required=True)
    page.context.set_offline(False)
    page.goto(f"{page.base_url}/offline/queue/")
    refused = page.locator("[data-offline-item=failed]")
    expect(refused).to_have_count(1, timeout=40_000)
    return refused


@pytest.mark.django_db(transaction=True)
def test_cancelling_a_correction_changes_nothing_and_a_photo_removed_on_saving_leaves_the_phone(
    page, cast, tree, tmp_path
):
    _extra_field(cast, tree, target="report", key="households", label="Số người trong hộ", field_type="number")
    login(page, "officer", TEST_PASSWORD)
    _installed(page)
    refused = _refused_report(page, cast, tree, tmp_path)
    before = page.evaluate(KEPT_ITEMS)
    files = store(page, cast.officer)["counts"]["files"]
    assert files == 2  # the photo and its sealed name

    # With no signal: the form opens from the phone, filled; the officer changes things, then cancels.
    page.context.set_offline(True)
    refused.get_by_role("link", name=CORRECT).click()
    expect(page.get_by_test_id("offline-correcting")).to_contain_text("“Mã phiếu tỉnh” là bắt buộc")
    expect(page.locator("#off-narrative")).to_have_value("Hai chị em bị cha dượng đánh khi say rượu.")
    page.fill("#off-narrative", "Đã đổi")
    page.locator("[data-offline-files] li button").click()
    expect(page.locator("[data-offline-files] li")).to_have_count(0)
    expect(page.get_by_role("link", name="Hủy, giữ nguyên như cũ")).to_have_count(
        2
    )  # above the form, and by its save button
    page.get_by_role("link", name="Hủy, giữ nguyên như cũ").last.click()
    page.wait_for_url("**/offline/queue/")
    expect(page.locator("[data-offline-item=failed]")).to_have_count(1)
    assert page.evaluate(KEPT_ITEMS) == before  # the same item: its words, photo, keys, reason
    assert store(page, cast.officer)["counts"]["files"] == files
    assert Report.objects.count() == 0

    # Corrected without its photo, still with no signal: the same item waits again, the photo left the phone.
    page.locator("[data-offline-item=failed]").get_by_role("link", name=CORRECT).click()
    expect(page.locator("[data-offline-files] li")).to_have_count(1)
    page.locator("[data-offline-files] li button").click()
    page.get_by_role("button", name="Lưu bản đã sửa và gửi").click()
    page.wait_for_url("**/offline/queue/")
    expect(page.locator("[data-offline-item=waiting]")).to_have_count(1)
    expect(page.locator("[data-offline-item=failed]")).to_have_count(0)
    after = page.evaluate(KEPT_ITEMS)
    assert [(item["id"], item["createdAt"], item["status"], item["error"]) for item in after] == [
        (before[0]["id"], before[0]["createdAt"], "waiting", "")
    ]
    assert len(after[0]["steps"]) == 1  # the report alone: no photo to send
    assert store(page, cast.officer)["counts"]["files"] == 0


@pytest.mark.django_db(transaction=True)
def test_a_refusal_after_part_of_the_item_went_cannot_be_corrected_here(page, cast, tree, tmp_path):
    login(page, "officer", TEST_PASSWORD)
    _installed(page)
    # The report is accepted, its photo refused: what went cannot be changed from the phone.
    page.context.route(
        "**/api/v1/cases/*/attachments/",
        lambda route: route.fulfill(status=400, json={"file": ["Tệp này không đọc được."]}),
    )
    page.context.set_offline(True)
    page.goto(f"{page.base_url}/offline/")
    _fill_report(page)
    page.set_input_files("#off-photos", str(_photo_with_metadata(tmp_path / "photo.jpg")))
    expect(page.locator("[data-offline-files] li")).to_have_count(1)
    page.get_by_role("button", name=SAVE).first.click()
    expect(page.get_by_test_id("offline-saved")).to_be_visible()
    page.context.set_offline(False)
    page.goto(f"{page.base_url}/offline/queue/")
    refused = page.locator("[data-offline-item=failed]")
    expect(refused).to_have_count(1, timeout=40_000)
    expect(refused).to_contain_text("Tệp này không đọc được.")
    expect(refused).to_contain_text(NOT_HERE)
    expect(refused.get_by_role("link", name=CORRECT)).to_have_count(0)
    assert Report.objects.count() == 1

    # Opened for correction anyway (an old link): the page says why not, and changes nothing.
    item = page.evaluate(KEPT_ITEMS)[0]
    page.goto(f"{page.base_url}/offline/?edit={item['id']}")
    expect(page.get_by_test_id("offline-correcting")).to_contain_text("Không còn sửa được mục này ở đây")
    expect(page.locator("#off-narrative")).to_have_value("")
    assert page.evaluate(KEPT_ITEMS) == [item]


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


def _note_offline(page, case, text):
    page.context.set_offline(True)
    page.goto(f"{page.base_url}/offline/")
    page.get_by_role("link", name="Ghi chú").first.click()
    page.select_option("#off-note-case", str(case.pk))
    page.fill("#off-note-text", text)
    page.locator("#offline-note").get_by_role("button", name=SAVE).click()
    expect(page.get_by_test_id("offline-saved")).to_be_visible()


def _refused_card(page):
    page.goto(f"{page.base_url}/offline/queue/")
    card = page.locator("[data-offline-item=failed]")
    expect(card).to_have_count(1, timeout=40_000)
    return card


@pytest.mark.django_db(transaction=True)
def test_a_correction_keeps_a_case_file_no_longer_on_the_phone_and_survives_a_discard_elsewhere(page, cast, receive):
    """What the fresh-eyes review found: the case file chosen when the note was written, gone from the phone's
    list since, stays chosen when the list is refreshed online; the item discarded in another tab while it was
    being corrected is kept as a new item, never lost; a double tap on a form keeps one item."""
    case = receive().case_files.get()
    login(page, "officer", TEST_PASSWORD)
    _installed(page)
    page.get_by_role("link", name="Ghi chú").first.click()
    expect(page.locator("#off-note-case option")).to_contain_text(case.reference)
    _note_offline(page, case, "Ghi chú một")
    refuse = {"text": ["Quá ngắn"]}
    page.context.route(
        "**/api/v1/cases/*/notes/",
        lambda route: route.fulfill(status=400, json=refuse) if route.request.method == "POST" else route.continue_(),
    )
    page.context.route(
        "**/offline/cases/", lambda route: route.fulfill(status=200, json={"cases": [], "assignments": []})
    )
    page.context.set_offline(False)
    card = _refused_card(page)
    card.get_by_role("link", name=CORRECT).click()
    expect(page.locator("#off-note-text")).to_have_value("Ghi chú một")
    page.wait_for_timeout(1500)  # the page's own refresh of the phone's case files (now none) has run
    assert page.locator("#off-note-case").input_value() == str(case.pk)
    page.fill("#off-note-text", "Gặp bà ngoại, trẻ đi học đều; hẹn thăm lại tuần sau.")
    # Meanwhile, in another tab, the refused item is discarded.
    other = page.context.new_page()
    other.on("dialog", lambda dialog: dialog.accept())
    other.goto(f"{page.base_url}/offline/queue/")
    other.locator("[data-offline-item=failed]").get_by_role("button", name="Bỏ").click()
    expect(other.locator("[data-offline-item=failed]")).to_have_count(0)
    other.close()
    page.context.unroute("**/api/v1/cases/*/notes/")
    page.get_by_role("button", name="Lưu bản đã sửa và gửi").click()
    page.wait_for_url("**/offline/queue/#saved-as-new")
    expect(page.get_by_test_id("queue-saved-as-new")).to_be_visible()
    expect(page.locator("[data-offline-item=sent]")).to_have_count(1, timeout=40_000)
    assert list(case.notes.values_list("text", flat=True)) == ["Gặp bà ngoại, trẻ đi học đều; hẹn thăm lại tuần sau."]

    # A double tap on an ordinary form keeps the note once.
    page.context.unroute("**/offline/cases/")
    page.goto(f"{page.base_url}/offline/")  # online: the phone's list of case files comes back
    page.get_by_role("link", name="Ghi chú").first.click()
    expect(page.locator("#off-note-case option")).to_contain_text(case.reference)
    page.context.set_offline(True)
    page.select_option("#off-note-case", str(case.pk))
    page.fill("#off-note-text", "Ghi chú gõ một lần, chạm hai lần.")
    page.evaluate(
        "() => { const form = document.querySelector('#offline-note'); form.requestSubmit(); form.requestSubmit(); }"
    )
    expect(page.get_by_test_id("offline-saved")).to_be_visible()
    assert [item["steps"][0]["json"]["text"] for item in page.evaluate(KEPT_ITEMS)] == [
        "Ghi chú gõ một lần, chạm hai lần."
    ]
    page.context.set_offline(False)
    page.goto(f"{page.base_url}/offline/queue/")
    expect(page.locator("[data-offline-item=sent]")).to_have_count(2, timeout=40_000)
    assert case.notes.filter(text="Ghi chú gõ một lần, chạm hai lần.").count() == 1
