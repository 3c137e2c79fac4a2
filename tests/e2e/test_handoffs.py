"""The hand-offs on a phone, each by its own person: officer → chairman → police → officer, and the hotline
111 → officer. Each next person finds the item on their home page and a notice in the bell; nobody outside
the case sees any of it."""

import json
import urllib.request

import pytest
from playwright.sync_api import expect
from rest_framework.authtoken.models import Token

from tests.e2e.conftest import another_phone, login
from tests.factories import TEST_PASSWORD, AgencyFactory, MembershipFactory, UserFactory, walk_to


@pytest.fixture(autouse=True)
def _any_hour(settings):
    settings.REMINDER_HOURS = None  # the notices are followed at whatever hour the test runs


def _bell_has(page, text):
    expect(page.get_by_test_id("unread-count")).to_be_visible()
    page.get_by_test_id("bell").click()
    expect(page.get_by_test_id("notification").first).to_contain_text(text)


def test_each_next_person_finds_the_hand_off_on_their_home_page_and_in_the_bell(page, tree, cast, receive):
    police = cast.police.memberships.get().agency
    case = walk_to(receive().case_files.get(), "investigated", officer=cast.officer, chairman=cast.chairman)

    # The officer submits the plan from the case page's next step.
    login(page, "officer", TEST_PASSWORD)
    page.goto(f"{page.base_url}/cases/{case.pk}/")
    expect(page.get_by_test_id("next-step-stage")).to_contain_text("Chờ xây dựng và trình kế hoạch")
    page.get_by_test_id("action-submit_plan").click()
    page.fill("#id_objectives", "Bảo đảm an toàn cho trẻ.")
    page.select_option("#id_measures-0-agency", str(police.pk))
    page.select_option("#id_measures-0-service_type", "police")
    page.fill("#id_measures-0-description", "Xác minh, bảo vệ trẻ.")
    page.fill("#id_measures-0-due_date", "2099-12-31")
    page.get_by_test_id("action-submit").click()
    expect(page.get_by_test_id("next-step-not-yours")).to_be_visible()
    expect(page.get_by_test_id("next-step-who")).to_contain_text("Chủ tịch UBND xã")
    page = another_phone(page)  # the next person, on a phone of their own

    # The chairman: the plan waits on the home page, and the bell says so.
    login(page, "chairman", TEST_PASSWORD)
    expect(page.get_by_test_id("work-plans")).to_contain_text(case.reference)
    expect(page.get_by_test_id("work-badge")).to_have_text("1")
    _bell_has(page, "Kế hoạch hỗ trợ, can thiệp chờ phê duyệt")
    page.goto(f"{page.base_url}/")
    page.get_by_test_id("work-plans").get_by_test_id("work-item").first.click()
    page.fill("#id_decision_number", "27/QĐ-UBND")
    page.get_by_test_id("action-submit").click()
    expect(page.get_by_test_id("case-state")).to_have_text("Đang hỗ trợ, can thiệp")
    page = another_phone(page)  # the next person, on a phone of their own

    # The police focal point: the assignment waits to be accepted.
    login(page, "police", TEST_PASSWORD)
    expect(page.get_by_test_id("work-to_accept")).to_contain_text(case.reference)
    _bell_has(page, "Việc mới giao cho Công an Xã Một")
    page.goto(f"{page.base_url}/")
    page.get_by_test_id("work-to_accept").get_by_test_id("work-item").first.click()
    page.get_by_test_id("submit-accept").click()
    page.fill("#id_progress-text", "Đã làm việc với gia đình.")
    page.get_by_test_id("submit-progress").click()
    expect(page.get_by_test_id("assignment-status")).to_have_text("Đang thực hiện")
    page = another_phone(page)  # the next person, on a phone of their own

    # Back to the officer: told of the approval, the acceptance and the progress.
    login(page, "officer", TEST_PASSWORD)
    page.get_by_test_id("bell").click()
    notices = page.get_by_test_id("notification")
    expect(notices.filter(has_text="Công an Xã Một đã báo cáo tiến độ")).to_have_count(1)
    expect(notices.filter(has_text="đã tiếp nhận việc được giao")).to_have_count(1)
    expect(notices.filter(has_text="đã được phê duyệt")).to_have_count(1)
    page = another_phone(page)  # the next person, on a phone of their own

    # Outside the case: nothing of it, on the home page or in the bell.
    login(page, "officer_elsewhere", TEST_PASSWORD)
    expect(page.get_by_test_id("work-empty")).to_be_visible()
    assert case.reference not in page.content()
    page.get_by_test_id("bell").click()
    assert case.reference not in page.content()


def test_a_report_from_the_hotline_reaches_the_communes_officer(page, tree, cast):
    hotline = AgencyFactory(agency_type__code="hotline_111", name="Tổng đài 111", unit=None)
    integration = UserFactory(username="hotline")
    MembershipFactory(user=integration, role="focal_point", agency=hotline, unit=None)
    token = Token.objects.create(user=integration)
    body = {
        "commune_code": tree.commune_c1.code,
        "received_at": "2026-01-05T08:00:00+07:00",
        "receiving_point": "hotline_111",
        "source": "hotline_111",
        "setting": "family",
        "narrative": "Người gọi báo trẻ bị đánh.",
        "abuse_forms": ["violence"],
        "reporter_is_anonymous": True,
        "external_reference": "111-2026-0042",
        "children": [{"full_name": "Phạm Văn Đức", "birth_date": "2015-02-01", "sex": "male"}],
    }
    request = urllib.request.Request(  # noqa: S310 - the test's own live server
        f"{page.base_url}/api/v1/reports/",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Token {token.key}"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310
        reference = json.loads(response.read())["references"][0]
    login(page, "officer", TEST_PASSWORD)
    expect(page.get_by_test_id("work-new")).to_contain_text(reference)
    _bell_has(page, "Tiếp nhận thông tin mới")
