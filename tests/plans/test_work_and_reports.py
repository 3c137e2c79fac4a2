"""Plan tasks on the home page (an agency's, overdue ones included; a leader's plans with overdue tasks), the
reports of cooperating agencies shown under their task, and a closed plan that asks nothing of anyone."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency
from plans import selectors, services
from plans.importer import parse
from plans.models import OccurrenceStatus, TaskOccurrence
from tests.factories import AgencyFactory, MembershipFactory, UserFactory
from tests.plans.conftest import seed_text

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
JULY_10 = datetime.datetime(2024, 7, 10, 9, 0, tzinfo=HCM)


@pytest.fixture
def thai_binh(seed_units):
    """The issued Thái Bình plan, the lead social affairs department, the cooperating youth union, a leader."""
    hung_yen = seed_units[2]
    plan = services.plan_import(actor=None, spec=parse(seed_text("thai-binh")))
    social = Agency.objects.get(name="Sở Lao động - Thương binh và Xã hội tỉnh Thái Bình")
    youth = Agency.objects.get(name="Tỉnh đoàn Thái Bình")
    officer = MembershipFactory(user=UserFactory(username="so_ldtbxh"), role="focal_point", agency=social).user
    youth_officer = MembershipFactory(user=UserFactory(username="tinh_doan"), role="focal_point", agency=youth).user
    leader = MembershipFactory(
        user=UserFactory(username="lanh_dao"),
        role="leader",
        agency=AgencyFactory(name="UBND tỉnh Hưng Yên", unit=hung_yen),
        unit=hung_yen,
    ).user
    return plan, officer, youth_officer, leader


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _section(body: str, key: str) -> str:
    start = body.find(f'data-testid="work-{key}"')
    assert start != -1, f"no section {key}"
    return body[start : body.find("</section>", start)]


def _month_of_action(plan):
    return TaskOccurrence.objects.get(task__plan=plan, task__content__startswith="Tổ chức Tháng hành động")


def _report(client, occurrence, status, narrative, figure=("", "")):
    prefix = f"o{occurrence.pk}"
    return client.post(
        f"/plans/occurrences/{occurrence.pk}/report/",
        {
            f"{prefix}-version": occurrence.version,
            f"{prefix}-status": status,
            f"{prefix}-narrative": narrative,
            f"{prefix}-figure_name": figure[0],
            f"{prefix}-figure_value": figure[1],
        },
    )


def test_an_agency_home_lists_its_overdue_and_soon_due_tasks_most_urgent_first_until_its_part_is_reported(thai_binh):
    plan, officer, youth_officer, _leader = thai_binh
    month = _month_of_action(plan)  # led by social affairs, the youth union cooperates; due 30/06/2024
    with time_machine.travel(JULY_10, tick=False):
        today = datetime.date(2024, 7, 10)
        youth_tasks = _section(_client(youth_officer).get("/").content.decode(), "plan_tasks")
        expected = TaskOccurrence.objects.filter(
            selectors._of_agencies([youth_officer.memberships.get().agency_id]),
            due_date__lte=today + selectors.TASKS_AHEAD,
            status="not_started",
        )
        assert expected.filter(due_date__lt=today).exists()  # overdue ones are among them
        assert f'href="/plans/my-tasks/#o{month.pk}"' in youth_tasks
        links = re.findall(r'href="/plans/my-tasks/#o(\d+)"', youth_tasks)
        due_dates = [TaskOccurrence.objects.get(pk=pk).due_date for pk in links]
        assert due_dates == sorted(due_dates)  # the most overdue first
        assert due_dates[0] < today
        assert f">{expected.count()}</span>" in youth_tasks  # every one counted
        assert "Cơ quan bạn phối hợp thực hiện nhiệm vụ này." in youth_tasks
        assert "quá hạn" in youth_tasks

        # The youth union reports its part finished: off its home (the task stays on the lead's, still open).
        assert _report(_client(youth_officer), month, "done", "Tổ chức 12 buổi sinh hoạt hè.").status_code == 302
        month.refresh_from_db()
        assert month.status == OccurrenceStatus.NOT_STARTED
        youth_home = _client(youth_officer).get("/").content.decode()
        assert f"#o{month.pk}" not in youth_home
        lead_tasks = _section(_client(officer).get("/").content.decode(), "plan_tasks")
        assert f'href="/plans/my-tasks/#o{month.pk}"' in lead_tasks
        assert "Cơ quan bạn chủ trì nhiệm vụ này." in lead_tasks


def test_a_leader_home_lists_each_plan_with_overdue_tasks_once_with_their_count(thai_binh):
    plan, _officer, _youth, leader = thai_binh
    with time_machine.travel(JULY_10, tick=False):
        overdue = TaskOccurrence.objects.filter(
            task__plan=plan, due_date__lt=datetime.date(2024, 7, 10), status="not_started"
        ).count()
        assert overdue > 1
        plans = _section(_client(leader).get("/").content.decode(), "plans_overdue")
    assert plans.count('data-testid="work-item"') == 1
    assert f'href="/plans/{plan.pk}/"' in plans
    assert f"57/KH-UBND · {overdue} nhiệm vụ quá hạn" in plans


def test_a_cooperating_agency_report_shows_under_the_task_for_both_agencies_and_the_leader(thai_binh):
    plan, officer, youth_officer, leader = thai_binh
    month = _month_of_action(plan)
    with time_machine.travel(JULY_10, tick=False):
        youth = _client(youth_officer)
        page = youth.get("/plans/my-tasks/")
        form = dict(page.context["open_rows"])[month]
        # Its choices speak of its own part; none of them says the task is done.
        assert [value for value, _label in form.fields["status"].choices] == ["in_progress", "done", "not_done"]
        assert "Đã xong phần việc phối hợp" in dict(form.fields["status"].choices).values()
        body = page.content.decode()
        card = body[body.find(f'<details id="o{month.pk}"') :]
        card = card[: card.find("</details>")]
        assert 'data-testid="cooperating-note"' in card
        assert "Sở Lao động - Thương binh và Xã hội tỉnh Thái Bình" in card
        lead_form = dict(_client(officer).get("/plans/my-tasks/").context["open_rows"])[month]
        assert "not_started" in [value for value, _label in lead_form.fields["status"].choices]

        response = _report(youth, month, "done", "Đã tổ chức 3 lớp dạy bơi cho 120 em.", ("Số em học bơi", "1200"))
        assert response.status_code == 302
        month.refresh_from_db()
        assert month.status == OccurrenceStatus.NOT_STARTED  # only the lead closes the task

        for user in (youth_officer, officer):
            body = _client(user).get("/plans/my-tasks/").content.decode()
            card = body[body.find(f'<details id="o{month.pk}"') :]
            card = card[: card.find("</details>")]
            reports = card[card.find('data-testid="task-reports"') :]
            assert "Tỉnh đoàn Thái Bình" in reports
            assert "phối hợp" in reports
            assert "Đã xong phần việc phối hợp" in reports
            assert "Đã tổ chức 3 lớp dạy bơi cho 120 em." in reports
            assert "Số em học bơi: <strong>1.200</strong>" in reports
            assert "10/07/2024" in reports
            if user == youth_officer:  # its own part, beside the task's status (the lead's)
                assert "Phần việc của cơ quan bạn: <strong>Đã xong phần việc phối hợp</strong>" in card

        detail = _client(leader).get(f"/plans/{plan.pk}/").content.decode()
        task = detail[detail.find("Tổ chức Tháng hành động") :]
        task = task[: task.find("</li>")]
        assert 'data-testid="task-reports-all"' in task
        assert "Tỉnh đoàn Thái Bình" in task
        assert "Đã xong phần việc phối hợp" in task
        assert "Đã tổ chức 3 lớp dạy bơi cho 120 em." in task
        assert "Số em học bơi: <strong>1.200</strong>" in task

    # Past the due date: late for the lead, whose task it is; not for the agency whose part is done.
    later = datetime.datetime.combine(month.due_date + datetime.timedelta(days=10), datetime.time(9), tzinfo=HCM)
    with time_machine.travel(later, tick=False):
        for user, late in ((officer, True), (youth_officer, False)):
            body = _client(user).get("/plans/my-tasks/").content.decode()
            card = body[body.find(f'<details id="o{month.pk}"') :]
            card = card[: card.find("</summary>")]
            assert ("quá hạn" in card) is late, user


def test_a_cooperating_agency_cannot_post_a_status_of_the_task_through_the_page(thai_binh):
    plan, _officer, youth_officer, _leader = thai_binh
    month = _month_of_action(plan)
    response = _report(_client(youth_officer), month, "not_started", "Chưa làm.")
    assert response.status_code == 200
    assert not month.reports.exists()


def test_a_closed_plan_asks_nothing_of_anyone(seed_units):
    """Tân Biên's plan 103/KH-UBND of 2020 is closed: no task is overdue, none takes a report, no home lists it."""
    plan = services.plan_import(actor=None, spec=parse(seed_text("tan-bien")))
    assert plan.status == "closed"
    social = Agency.objects.get(name="Phòng Lao động - Thương binh và Xã hội huyện Tân Biên")
    officer = MembershipFactory(user=UserFactory(username="ldtbxh"), role="focal_point", agency=social).user
    leader = MembershipFactory(
        user=UserFactory(username="lanh_dao_tinh"),
        role="leader",
        agency=AgencyFactory(name="UBND tỉnh Tây Ninh", unit=seed_units[0]),
        unit=seed_units[0],
    ).user
    swimming = TaskOccurrence.objects.get(task__plan=plan, task__content__contains="dạy bơi")
    client = _client(officer)
    page = client.get("/plans/my-tasks/")
    assert page.context["open_rows"] == []
    assert swimming in page.context["closed"]
    body = page.content.decode()
    assert 'data-testid="report-progress"' not in body
    assert "quá hạn" not in body
    assert "kế hoạch đã kết thúc" in body
    assert _report(client, swimming, "in_progress", "Đang làm.").status_code == 200
    with pytest.raises(ValidationError):
        services.progress_report_add(actor=officer, occurrence=swimming, status="done", narrative="Xong.")
    assert not swimming.reports.exists()
    assert all(row["overdue"] == 0 for row in selectors.progress_by_agency(plan))
    assert 'data-testid="plan-closed"' in _client(leader).get(f"/plans/{plan.pk}/").content.decode()
    for user in (officer, leader):
        assert 'data-testid="work-empty"' in _client(user).get("/").content.decode()


@pytest.mark.parametrize("who", ["youth", "leader"])
def test_the_home_page_queries_do_not_grow_with_the_plan_tasks(thai_binh, who):
    plan, _officer, youth_officer, leader = thai_binh
    user = {"youth": youth_officer, "leader": leader}[who]

    def home(moment):
        with time_machine.travel(moment, tick=False):
            client = _client(user)  # signed in at that moment (a session idle for months has ended)
            client.get("/")  # the cached counts of the menu, the calendar: as on any second visit
            with CaptureQueriesContext(connection) as queries:
                body = client.get("/").content.decode()
        return len(queries), body.count('data-testid="work-item"')

    few_queries, few_items = home(datetime.datetime(2024, 2, 1, 9, 0, tzinfo=HCM))
    if who == "leader":  # more plans overdue, each one item
        second = services.plan_import(
            actor=None, spec=parse(seed_text("thai-binh").replace("57/KH-UBND", "58/KH-UBND"))
        )
        assert second.pk != plan.pk
    many_queries, many_items = home(datetime.datetime(2024, 12, 20, 9, 0, tzinfo=HCM))
    assert many_items > few_items
    assert many_queries == few_queries
