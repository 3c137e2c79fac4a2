"""A child registered twice, on a phone (390×844): the case page says so, the two records are compared side
by side (stacked), merged with a reason and a confirmation, then the merge is undone from its record."""

import datetime

from playwright.sync_api import expect

from cases.models import CaseFile, ChildMerge
from cases.services import CaregiverInput
from tests.e2e.conftest import login
from tests.e2e.test_main_pages import AXE, RUN_AXE
from tests.factories import TEST_PASSWORD, child_input


def test_a_child_registered_twice_is_merged_and_the_merge_undone(page, tree, cast, receive):
    born = datetime.date(2016, 9, 19)
    mother = [CaregiverInput(full_name="Phạm Thị Lan", relation="mẹ")]
    first = receive(
        children=[child_input(tree.commune_c1, name="Nguyễn Thị Ngọc Hân", birth=born, caregivers=mother)]
    ).case_files.get()
    second = receive(
        children=[child_input(tree.commune_c1, name="Nguyen Thi Ngoc Han", birth=born, caregivers=mother)]
    ).case_files.get()
    login(page, "officer", TEST_PASSWORD)

    # 1. The newer case file says the child may have been registered twice.
    page.goto(f"{page.base_url}/cases/{second.pk}/")
    banner = page.get_by_test_id("duplicate-banner")
    expect(banner).to_contain_text("Nguyễn Thị Ngọc Hân")
    banner.get_by_test_id("duplicate-compare-link").click()

    # 2. Side by side, stacked on the phone; the name typed differently is marked.
    records = page.get_by_test_id("record")
    expect(records).to_have_count(2)
    top, below = records.nth(0).bounding_box(), records.nth(1).bounding_box()
    assert below["y"] >= top["y"] + top["height"]
    expect(page.locator("[data-differs]").first).to_contain_text("Nguyen Thi Ngoc Han")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    assert page.evaluate(RUN_AXE) == []

    # 3. Nothing merged without the confirmation; what was typed stays.
    page.get_by_role("group", name="Bản ghi được giữ lại").get_by_text("Nguyễn Thị Ngọc Hân").click()
    page.fill("#id_reason", "Cùng ngày sinh, cùng mẹ; tổng đài nhập không dấu.")
    page.get_by_test_id("merge-submit").click()
    expect(page.locator("#id_reason")).to_have_value("Cùng ngày sinh, cùng mẹ; tổng đài nhập không dấu.")
    assert not ChildMerge.objects.exists()
    confirm = page.locator("label.choice", has=page.locator("#id_confirm"))
    assert confirm.bounding_box()["height"] >= 44
    confirm.click()
    page.get_by_role("group", name="Bản ghi được giữ lại").get_by_text("Nguyễn Thị Ngọc Hân").click()
    page.get_by_test_id("merge-submit").click()

    # 4. The merge record: both case files are with the kept record; the undo is offered.
    expect(page.get_by_test_id("merge-moved")).to_contain_text("1 hồ sơ")
    assert CaseFile.objects.get(pk=second.pk).child_id == first.child_id
    page.fill("#id_reason", "Nhầm: hai trẻ khác nhau.")
    page.get_by_test_id("undo-submit").click()
    expect(page.get_by_test_id("merge-undone")).to_be_visible()
    assert CaseFile.objects.get(pk=second.pk).child_id == second.child_id
