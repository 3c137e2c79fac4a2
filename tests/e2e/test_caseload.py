"""The caseloads on a phone (390×844): the chairman sees each officer's open files as cards, opens the list
behind a number, and hands a departing officer's files to another after checking their list; both are told
once."""

from playwright.sync_api import expect

from cases.models import CaseFile
from notifications.models import Notification
from tests.e2e.conftest import login
from tests.e2e.test_main_pages import AXE, RUN_AXE
from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory, child_input


def test_the_chairman_sees_the_caseloads_and_hands_an_officers_files_over(page, tree, cast, receive):
    second = UserFactory(username="officer_two", first_name="Trần Thị Hai")
    MembershipFactory(user=second, role="commune_officer", agency=cast.officer.memberships.get().agency,
                      unit=tree.commune_c1)  # fmt: skip
    files = [receive(children=[child_input(tree.commune_c1, name=name)]).case_files.get() for name in ("An", "Bình")]

    login(page, "chairman", TEST_PASSWORD)
    page.goto(f"{page.base_url}/caseload/")
    commune = page.get_by_test_id("caseload-commune")
    expect(commune).to_have_count(1)  # the chairman's own commune, open
    cards = commune.get_by_test_id("officer-card")
    expect(cards).to_have_count(2)
    expect(page.get_by_test_id("last-contact-note")).to_contain_text("Lần tiếp xúc cũ nhất")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    page.evaluate(AXE.read_text(encoding="utf-8"))
    assert page.evaluate(RUN_AXE) == []

    # A number opens the list of exactly those files.
    page.get_by_test_id(f"officer-open-{cast.officer.pk}").first.click()
    expect(page.get_by_test_id("officer-filter")).to_be_visible()
    expect(page.get_by_test_id("case-card")).to_have_count(2)

    # The officer leaves: the chairman checks the list of their files, then they go to the other officer.
    page.goto(f"{page.base_url}/caseload/")
    button = page.get_by_test_id(f"handover-{tree.commune_c1.pk}-{cast.officer.pk}").first  # the card, on a phone
    assert button.bounding_box()["height"] >= 44
    button.click()
    page.select_option("#id_to_officer", str(second.pk))
    page.fill("#id_reason", "Chuyển công tác.")
    page.get_by_test_id("submit-handover").click()
    moving = page.get_by_test_id("handover-moving").get_by_role("listitem")
    expect(moving).to_have_count(2)
    for case in files:
        expect(page.get_by_test_id("handover-moving")).to_contain_text(case.reference)
    assert set(CaseFile.objects.filter(pk__in=[f.pk for f in files]).values_list("officer_id", flat=True)) == {
        cast.officer.pk
    }  # nothing moves before it is confirmed
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.evaluate(AXE.read_text(encoding="utf-8"))
    assert page.evaluate(RUN_AXE) == []
    # A file opened from the list to see whose it is; Back returns to the list (a page of its own).
    row = page.get_by_test_id("handover-moving").get_by_role("link").first
    assert row.bounding_box()["height"] >= 44
    row.click()
    expect(page.get_by_test_id("case-state")).to_be_visible()
    page.go_back()
    expect(page.get_by_test_id("handover-moving").get_by_role("listitem")).to_have_count(2)
    confirm = page.get_by_test_id("confirm-handover")
    assert confirm.bounding_box()["height"] >= 44
    expect(confirm).to_have_text("Bàn giao 2 hồ sơ trường hợp")
    confirm.click()
    expect(page.get_by_text("2 hồ sơ trường hợp đã được bàn giao", exact=False)).to_be_visible()
    assert set(CaseFile.objects.filter(pk__in=[f.pk for f in files]).values_list("officer_id", flat=True)) == {
        second.pk
    }
    assert Notification.objects.filter(user=second, key__startswith="handover:").count() == 1
    assert Notification.objects.filter(user=cast.officer, key__startswith="handover:").count() == 1
