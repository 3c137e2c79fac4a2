"""The public reporting page on a phone (390×844), with no account: the proof of work solved by the real
widget in the browser, the commune found by typing its name, the report sent, its receipt code followed to
its status; then the officer records it and the same code says "being handled"."""

import re

from playwright.sync_api import expect

from cases import services
from cases.models import CommunityReport
from tests.factories import child_input


def test_a_public_report_filed_on_a_phone_and_followed_by_its_receipt_code(page, cast, tree):
    page.goto(f"{page.base_url}/bao-tin/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Báo tin trẻ em")
    # The commune, found by part of its name without accents, then chosen from the matches.
    page.fill("#commune-search", "xa mot")
    page.locator("#commune-matches button").first.click()
    expect(page.locator("#id_province")).to_have_value(str(tree.province_p.pk))
    expect(page.locator("#id_commune")).to_have_value(str(tree.commune_c1.pk))
    page.fill("#id_child", "Bé gái khoảng 8 tuổi, con nhà bán tạp hóa")
    page.fill("#id_place", "Ấp Một, gần trường")
    page.fill("#id_what", "Tối nào cũng nghe tiếng đánh và tiếng khóc.")
    page.get_by_label("Cần giúp đỡ trong vài ngày tới").check()
    # The widget solves its challenge in the page (a Web Worker) and fills the hidden field.
    expect(page.locator("input[name=altcha]")).not_to_have_value("", timeout=20_000)
    page.get_by_test_id("public-submit").click()

    expect(page).to_have_url(re.compile(r"/bao-tin/da-gui/$"))
    code = page.get_by_test_id("receipt-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    found = CommunityReport.objects.get()
    assert (found.source, found.commune, found.status) == ("public", tree.commune_c1, "to_verify")

    page.get_by_role("link", name="Tra cứu trạng thái").click()
    page.fill("#id_code", code.lower())
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_test_id("status-word")).to_have_text("Đã tiếp nhận")

    # The officer verifies it and records the report: the same code now says "being handled", nothing more.
    services.report_receive(
        actor=cast.officer,
        report=services.ReportInput(
            received_at=found.received_at,
            receiving_point="commune",
            commune=tree.commune_c1,
            source="online",
            setting="family",
            narrative="Tường thuật của cán bộ.",
            abuse_forms=["violence"],
            reporter_is_anonymous=True,
        ),
        children=[child_input(tree.commune_c1, name="Trần Thị Bé")],
        community_report=found,
    )
    page.fill("#id_code", code)
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_test_id("status-word")).to_have_text("Đang xử lý")
    expect(page.locator("main")).not_to_contain_text("Trần Thị Bé")
    expect(page.locator("main")).not_to_contain_text("HS-")
    # A mistyped code gets the one answer any unknown code gets.
    page.fill("#id_code", code[:-1] + ("A" if code[-1] != "A" else "B"))
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_test_id("status-answer")).to_contain_text("Không có tin báo nào với mã này")
