"""Home is work: each role finds what waits for it, most urgent first, one tap from the action, and only
what it may see; the page's queries do not grow with the number of items."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports import services as report_services
from reports.periods import Period
from tests.factories import child_input, walk_to

pytestmark = pytest.mark.django_db
CHILD = "Nguyễn Văn An"


def _home(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def _section(body: str, key: str) -> str:
    start = body.find(f'data-testid="work-{key}"')
    assert start != -1, f"no section {key}"
    return body[start : body.find("</section>", start)]


def _measure(agency):
    return (agency, "police", "Xác minh, bảo vệ trẻ.", timezone.localdate() + datetime.timedelta(days=7))


def test_each_role_finds_its_work_on_its_home_page(tree, cast, receive):
    police = cast.police.memberships.get().agency
    new = receive().case_files.get()

    def case_at(state, name):
        case = receive(children=[child_input(tree.commune_c1, name=name)]).case_files.get()
        return walk_to(case, state, officer=cast.officer, chairman=cast.chairman, measures=[_measure(police)])

    submitted = case_at("plan_submitted", "Lê Thị Bé")
    approved = case_at("in_intervention", "Trần Văn Cu")

    officer = _home(cast.officer)
    new_reports = _section(officer, "new")
    assert new.reference in new_reports
    assert f"/cases/{new.pk}/act/assess/" in new_reports
    assert 'data-urgency="' in new_reports  # the 12-hour limit, in words
    assert submitted.reference not in officer.split('data-testid="work-new"')[1]  # the chairman's turn now

    chairman = _home(cast.chairman)
    plans = _section(chairman, "plans")
    assert submitted.reference in plans
    assert f"/cases/{submitted.pk}/act/approve_plan/" in plans
    assert new.reference not in plans

    police_home = _home(cast.police)
    to_accept = _section(police_home, "to_accept")
    assignment = approved.assignments.get()
    assert f"/assignments/{assignment.pk}/" in to_accept
    assert CHILD not in police_home
    assert "Lê Thị Bé" not in police_home

    # Outside the commune: nothing of it.
    elsewhere = _home(cast.officer_elsewhere)
    for case in (new, submitted, approved):
        assert case.reference not in elsewhere
    assert CHILD not in elsewhere
    assert 'data-testid="work-empty"' in elsewhere


def test_the_menu_counts_the_waiting_work(cast, receive):
    receive()
    body = _home(cast.officer)
    assert 'data-testid="work-badge">1<' in body


def test_coordinators_and_leaders_see_their_areas_work(tree, cast, receive, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    late = receive(received_at=timezone.now() - datetime.timedelta(days=2)).case_files.get()
    coordinator = _home(cast.coordinator_province)
    communes = _section(coordinator, "communes")
    assert "Xã Một" in communes
    assert f"commune={tree.commune_c1.pk}&amp;overdue=on" in communes
    assert CHILD not in coordinator
    assert late.reference not in coordinator

    today = timezone.localdate()
    report = report_services.report_draft(
        actor=cast.officer, unit=tree.commune_c1, period=Period(today.replace(day=1), today, f"{today:%Y-%m}")
    )
    report_services.report_submit(actor=cast.officer, report=report)
    district = _home(cast.coordinator_district)
    assert "Xã Một" in _section(district, "reports_to_accept")
    # The province's own report goes to the Ministry: no one here is asked to accept it (the report page
    # offers nobody the controls), not even a reviewer of the whole country.
    from reports.access import may_review

    top = report_services.report_draft(
        actor=cast.leader, unit=tree.province_p, period=Period(today.replace(day=1), today, f"{today:%Y-%m}")
    )
    report_services.report_submit(actor=cast.leader, report=top)
    admin = _home(cast.admin)
    assert "Xã Một" in _section(admin, "reports_to_accept")
    assert "Tỉnh P ·" not in _section(admin, "reports_to_accept")
    assert not may_review(cast.admin, top)
    assert may_review(cast.admin, report)
    leader = _home(cast.leader)
    assert "Tỉnh P" in _section(leader, "figures")


@pytest.mark.parametrize("who", ["officer", "coordinator_province", "chairman", "police"])
def test_the_home_page_queries_do_not_grow_with_its_items(tree, cast, receive, who):
    police = cast.police.memberships.get().agency
    user = getattr(cast, who)
    client = Client()
    client.force_login(user)

    def one_of_each():
        for state in ("received", "plan_submitted", "in_intervention"):
            case = receive(received_at=timezone.now() - datetime.timedelta(days=3)).case_files.get()
            walk_to(case, state, officer=cast.officer, chairman=cast.chairman, measures=[_measure(police)])

    one_of_each()
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for _ in range(6):
        one_of_each()
    with CaptureQueriesContext(connection) as many:
        body = client.get("/").content.decode()
    assert body.count('data-testid="work-item"') >= 1  # the page lists items (the same number of queries)
    assert len(many) == len(few)
    assert len(many) <= 25


def test_a_case_page_says_where_the_case_stands_and_who_acts_next(tree, cast, receive):
    police = cast.police.memberships.get().agency
    case = walk_to(receive().case_files.get(), "plan_submitted", officer=cast.officer, chairman=cast.chairman,
                   measures=[_measure(police)])  # fmt: skip
    officer = Client()
    officer.force_login(cast.officer)
    page = officer.get(f"/cases/{case.pk}/").content.decode()
    assert "Chờ Chủ tịch UBND xã phê duyệt kế hoạch (Mẫu 05)" in page
    assert 'data-testid="next-step-not-yours"' in page
    assert 'data-testid="next-step-due"' in page
    assert 'data-testid="action-transfer"' in page.split('data-testid="other-actions"')[1]  # rare: apart

    chairman = Client()
    chairman.force_login(cast.chairman)
    page = chairman.get(f"/cases/{case.pk}/").content.decode()
    step = page.split('data-testid="next-step"')[1].split("</section>")[0]
    primary = step.split("btn btn-primary btn-lg")[1]
    assert f"/cases/{case.pk}/act/approve_plan/" in primary.split(">")[0]
    assert 'data-testid="next-step-not-yours"' not in step


def test_a_child_said_to_be_in_danger_now_heads_the_officers_work_before_overdue_steps(tree, cast, receive):
    import time_machine

    from cases import services
    from work.selectors import work_for

    with time_machine.travel(timezone.now() - datetime.timedelta(days=10)):
        receive()  # its 12-hour step long overdue
    services.community_report_submit(
        actor=None,
        data=services.CommunityReportInput(
            commune=tree.commune_c1, child="Một em nhỏ", place="Chợ", what="Bị đánh", urgency="not_urgent"
        ),
    )
    calm = work_for(cast.officer).sections
    assert calm[0].key != "verify"  # a report that is not urgent waits behind the overdue steps
    services.community_report_submit(
        actor=None,
        data=services.CommunityReportInput(
            commune=tree.commune_c1, child="Bé Sáu", place="Nhà ông Tư", what="Đang bị đánh", urgency="danger_now"
        ),
    )
    sections = work_for(cast.officer).sections
    assert sections[0].key == "verify"
    assert sections[0].items[0].danger
    assert [item.danger for item in sections[0].items] == [True, False]  # the danger first within it too
    assert sections[0].items[0].urgency.css == "text-bg-danger"  # in red, though 12 hours remain
    assert any(item.urgency and item.urgency.level == "overdue" for section in sections[1:] for item in section.items)
