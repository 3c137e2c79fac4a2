import pytest
from playwright.sync_api import expect

from agencies.models import Agency
from plans import services
from plans.importer import parse
from tests.e2e.conftest import another_phone, login
from tests.factories import TEST_PASSWORD, AgencyFactory, MembershipFactory, UserFactory
from tests.plans.conftest import seed_text


@pytest.mark.usefixtures("agency_types", "default_ladders")
def test_a_focal_point_reports_progress_and_the_leader_sees_the_bar_move(page, seed_units):
    hung_yen = seed_units[2]
    plan = services.plan_import(actor=None, spec=parse(seed_text("thai-binh")))
    social = Agency.objects.get(name="Sở Lao động - Thương binh và Xã hội tỉnh Thái Bình")
    MembershipFactory(user=UserFactory(username="focal"), role="focal_point", agency=social)
    MembershipFactory(
        user=UserFactory(username="leader"),
        role="leader",
        agency=AgencyFactory(name="UBND tỉnh Hưng Yên", unit=hung_yen),
        unit=hung_yen,
    )

    login(page, "leader", TEST_PASSWORD)
    page.goto(f"{page.base_url}/plans/{plan.pk}/")
    bar = page.locator(f'[data-agency="{social.name}"] [data-testid="progress-bar"]')
    expect(bar).to_have_text("0 %")

    focal = another_phone(page)  # the focal point, on their own phone
    login(focal, "focal", TEST_PASSWORD)
    focal.goto(f"{focal.base_url}/plans/my-tasks/")
    card = focal.get_by_test_id("plan-task-card").first
    card.locator("select").select_option("done")
    card.locator("textarea").fill("Đã hoàn thành, 26 xã tham gia.")
    card.get_by_test_id("report-progress").click()
    expect(focal.locator(".alert-success")).to_be_visible()

    page.goto(f"{page.base_url}/plans/{plan.pk}/")  # the leader, still logged in on theirs
    expect(bar).not_to_have_text("0 %")
    expect(bar).to_have_text("5 %")  # 1 of its 22 occurrences
