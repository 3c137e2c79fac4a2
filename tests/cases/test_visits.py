"""Visits and the no-contact rule; flags for attention.

The rule (cases.contacts): the child of an open case file is contacted at least every N days (30 unless the
province sets its own); past it the escalation engine reminds the officer, then the chairman, each step once;
a visit recorded (or an assessment) starts the count again; a closed case file has no rule running.
"""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from cases import services
from cases.contacts import rules_ensure
from cases.models import CaseEvent, CaseFlag, ContactRule, DeadlineRule, Visit
from cases.selectors import visits as visit_selectors
from cases.services.intake import CaregiverInput
from notifications.engine import scan
from notifications.models import Deadline, Notification, Preference
from tests.factories import MembershipFactory, UserFactory, assess, child_input

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def _at(*args):
    return datetime.datetime(*args, tzinfo=HCM)


def _told():
    """(username, step) of every notice about the no-contact rule, in order."""
    return list(
        Notification.objects.filter(deadline__kind="no_contact").order_by("pk").values_list("user__username", "step")
    )


def _scan_at(moment):
    with time_machine.travel(moment, tick=False):
        return scan()


def _rule_deadlines(case):
    rule = ContactRule.objects.get(case=case)
    return list(
        Deadline.objects.filter(target_type__model="contactrule", target_id=rule.pk)
        .order_by("pk")
        .values_list("state", "due_at")
    )


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _visit(case, actor, done_on, **extra):
    values = {
        "kind": "home",
        "done_on": done_on,
        "child_seen": True,
        "observations": "Em An đi học đều, nhà sạch sẽ; mẹ đã đi làm trở lại.",
        "visitors": [actor],
        "people_seen": "mẹ, bà ngoại",
    }
    values.update(extra)
    return services.visit_record(actor=actor, case=case, data=services.VisitRecord(**values))


@pytest.fixture
def opened(cast, receive):
    """A case file opened on Tuesday 3 March 2026 at 08:00."""
    with time_machine.travel(_at(2026, 3, 3, 8, 0), tick=False):
        return receive(received_at=_at(2026, 3, 3, 8, 0)).case_files.get()


# ---------------------------------------------------------------------------------------------- the rule


def test_an_open_case_file_has_its_rule_due_30_days_after_opening(opened):
    rule = ContactRule.objects.get(case=opened)
    assert rule.last_contact_kind == "opened"
    [(state, due)] = _rule_deadlines(opened)
    assert state == "open"
    assert due.astimezone(HCM) == _at(2026, 4, 2, 0, 0)  # 30 calendar days after the day of the opening


def test_the_rule_reminds_the_officer_then_the_chairman_each_step_once(cast, opened):
    _scan_at(_at(2026, 4, 1, 23, 59))
    assert _told() == []
    _scan_at(_at(2026, 4, 2, 0, 1))  # day 30: the officer
    assert _told() == [("officer", 0)]
    _scan_at(_at(2026, 4, 3, 9, 0))
    assert _told() == [("officer", 0)]  # nothing twice
    _scan_at(_at(2026, 4, 9, 23, 0))  # 5 working days after: Thursday 9 April ends at midnight
    assert _told() == [("officer", 0)]
    _scan_at(_at(2026, 4, 10, 0, 5))
    assert _told() == [("officer", 0), ("chairman", 1)]
    _scan_at(_at(2026, 5, 30, 9, 0))
    assert _told() == [("officer", 0), ("chairman", 1)]  # the ladder is climbed once
    notice = Notification.objects.filter(deadline__kind="no_contact").first()
    assert opened.reference in notice.title
    assert opened.child.full_name not in notice.title + notice.body  # messages leave the system
    assert notice.url == reverse("cases:detail", args=[opened.pk])


def test_a_visit_recorded_stops_the_count_and_starts_a_new_one(cast, opened):
    _scan_at(_at(2026, 4, 2, 0, 1))
    assert _told() == [("officer", 0)]
    with time_machine.travel(_at(2026, 4, 6, 15, 0), tick=False):
        _visit(opened, cast.officer, datetime.date(2026, 4, 6))
    states = _rule_deadlines(opened)
    assert [state for state, _due in states] == ["met", "open"]
    assert states[-1][1].astimezone(HCM) == _at(2026, 5, 6, 0, 0)
    _scan_at(_at(2026, 4, 10, 0, 5))  # when the chairman would have been told
    assert _told() == [("officer", 0)]
    _scan_at(_at(2026, 5, 6, 0, 5))  # 30 days after the visit: the officer again, from the first step
    assert _told() == [("officer", 0), ("officer", 0)]
    rule = ContactRule.objects.get(case=opened)
    assert (rule.last_contact_kind, rule.last_contact_at.astimezone(HCM).date()) == ("visit", datetime.date(2026, 4, 6))


def test_a_visit_where_the_child_was_not_seen_is_no_contact(cast, opened):
    with time_machine.travel(_at(2026, 3, 25, 15, 0), tick=False):
        _visit(opened, cast.officer, datetime.date(2026, 3, 25), child_seen=False, people_seen="không ai mở cửa")
    assert [state for state, _due in _rule_deadlines(opened)] == ["open"]  # the count runs on from the opening
    rule = ContactRule.objects.get(case=opened)
    assert rule.last_contact_kind == "opened"
    _scan_at(_at(2026, 4, 2, 0, 1))
    assert _told() == [("officer", 0)]


def test_an_older_visit_recorded_late_does_not_move_the_count_back(cast, opened):
    with time_machine.travel(_at(2026, 3, 20, 10, 0), tick=False):
        _visit(opened, cast.officer, datetime.date(2026, 3, 20))
        _visit(opened, cast.officer, datetime.date(2026, 3, 10), kind="school")
    assert ContactRule.objects.get(case=opened).last_contact_at.astimezone(HCM).date() == datetime.date(2026, 3, 20)
    assert _rule_deadlines(opened)[-1][1].astimezone(HCM) == _at(2026, 4, 19, 0, 0)


def test_a_visit_on_the_day_of_an_assessment_becomes_the_days_last_contact(cast, opened):
    """The visit counts from the start of its day, the assessment from when it was recorded: the same day, the
    visit recorded after it is the last contact shown (it was left as the assessment before)."""
    with time_machine.travel(_at(2026, 3, 4, 9, 0), tick=False):
        assess(opened, cast.officer)
    with time_machine.travel(_at(2026, 3, 4, 16, 0), tick=False):
        _visit(opened, cast.officer, datetime.date(2026, 3, 4))
    rule = ContactRule.objects.get(case=opened)
    assert rule.last_contact_kind == "visit"
    assert rule.last_contact_at == _at(2026, 3, 4, 9, 0)  # the day's later moment is kept
    assert _rule_deadlines(opened)[-1] == ("open", _at(2026, 4, 3, 0, 0))  # the count of the same day


def test_the_initial_assessment_counts_as_a_contact(cast, opened):
    with time_machine.travel(_at(2026, 3, 4, 9, 0), tick=False):
        assess(opened, cast.officer)
    rule = ContactRule.objects.get(case=opened)
    assert rule.last_contact_kind == "assessment"
    assert _rule_deadlines(opened)[-1] == ("open", _at(2026, 4, 3, 0, 0))


def test_a_closed_case_file_has_no_rule_and_reopening_starts_it_again(cast, opened):
    with time_machine.travel(_at(2026, 3, 5, 9, 0), tick=False):
        services.case_mark_not_child_protection(actor=cast.officer, case=opened, reason="Hiểu nhầm, trẻ an toàn.")
    assert [state for state, _due in _rule_deadlines(opened)] == ["cancelled"]
    _scan_at(_at(2026, 6, 1, 9, 0))
    assert _told() == []
    assert rules_ensure() == (0, 0)  # the nightly pass leaves a closed file alone
    opened.refresh_from_db()
    with time_machine.travel(_at(2026, 6, 2, 9, 0), tick=False):
        services.case_reopen(actor=cast.officer, case=opened, reason="Có thông tin mới.")
    assert _rule_deadlines(opened)[-1] == ("open", _at(2026, 7, 2, 0, 0))


def test_no_visit_is_recorded_on_a_closed_case_file(cast, opened, english):
    services.case_mark_not_child_protection(actor=cast.officer, case=opened, reason="Hiểu nhầm.")
    opened.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        _visit(opened, cast.officer, datetime.date.today())


def test_the_province_sets_its_own_number_of_days(tree, cast, receive, opened):
    DeadlineRule.objects.create(province=tree.province_p, kind="no_contact", amount=14, unit="calendar_days")
    with time_machine.travel(_at(2026, 3, 3, 9, 0), tick=False):
        other = receive(received_at=_at(2026, 3, 3, 9, 0)).case_files.get()
    assert _rule_deadlines(other)[-1][1] == _at(2026, 3, 17, 0, 0)
    # The case file opened before the change follows it from the next nightly pass.
    assert _rule_deadlines(opened)[-1][1] == _at(2026, 4, 2, 0, 0)
    assert rules_ensure() == (1, 0)
    assert _rule_deadlines(opened)[-1] == ("open", _at(2026, 3, 17, 0, 0))
    assert rules_ensure() == (0, 0)  # idempotent
    assert visit_selectors.contact_summary(opened).days_allowed == 14


def test_a_province_rule_in_hours_is_refused(tree):
    rule = DeadlineRule(province=tree.province_p, kind="no_contact", amount=48, unit="hours")
    with pytest.raises(ValidationError):
        rule.full_clean()


def test_the_alleged_perpetrator_on_staff_is_never_reminded(tree, cast, receive):
    """Nobody answers for the file yet (the chairman recorded it), so every officer of the commune is
    reminded — except the one whose phone is the alleged perpetrator's."""
    agency = cast.officer.memberships.get().agency
    related = UserFactory(username="officer_related")
    MembershipFactory(user=related, role="commune_officer", agency=agency, unit=tree.commune_c1)
    Preference.objects.create(user=related, phone="84912345678")
    caregiver = CaregiverInput(
        full_name="Lò Văn Tư", relation="cha dượng", phone="0912 345 678", is_alleged_perpetrator=True
    )
    with time_machine.travel(_at(2026, 3, 3, 8, 0), tick=False):
        receive(
            actor=cast.chairman,
            received_at=_at(2026, 3, 3, 8, 0),
            children=[child_input(tree.commune_c1, caregivers=[caregiver])],
        )
    _scan_at(_at(2026, 4, 2, 0, 5))
    assert _told() == [("officer", 0)]


# ---------------------------------------------------------------------------------------------- visits


def test_recording_a_visit_schedules_the_next_one_and_writes_the_timeline(cast, opened):
    with time_machine.travel(_at(2026, 3, 10, 15, 0), tick=False):
        visit = _visit(
            opened,
            cast.officer,
            datetime.date(2026, 3, 10),
            other_visitors="Cô Lan (CTV ấp)",
            next_visit_on=datetime.date(2026, 3, 24),
        )
    assert visit.status == "done"
    assert list(visit.visitors.all()) == [cast.officer]
    planned = Visit.objects.get(case=opened, status="planned")
    assert (planned.planned_for, planned.kind, planned.planned_by) == (datetime.date(2026, 3, 24), "home", cast.officer)
    kinds = list(CaseEvent.objects.filter(case=opened).values_list("kind", flat=True))
    assert kinds[-2:] == ["visit_recorded", "visit_scheduled"]
    recorded = CaseEvent.objects.get(case=opened, kind="visit_recorded")
    assert recorded.data["child_seen"] is True
    assert "Cô Lan" not in str(recorded.data)  # free text stays on the visit (erased with the file)


def test_a_visit_recorded_without_naming_the_planned_one_takes_its_place(cast, opened):
    """A home visit done two days before the home visit planned is that visit, made early: the plan is not left
    open beside it (to be reported overdue); a school visit planned, or a home visit planned for next month,
    stays planned."""
    with time_machine.travel(_at(2026, 3, 10, 9, 0), tick=False):
        soon = services.visit_schedule(
            actor=cast.officer, case=opened, kind="home", planned_for=datetime.date(2026, 3, 12)
        )
        later = services.visit_schedule(
            actor=cast.officer, case=opened, kind="home", planned_for=datetime.date(2026, 4, 20)
        )
        school = services.visit_schedule(
            actor=cast.officer, case=opened, kind="school", planned_for=datetime.date(2026, 3, 11)
        )
        done = _visit(opened, cast.officer, datetime.date(2026, 3, 10))
    assert done.pk == soon.pk
    statuses = dict(Visit.objects.filter(case=opened).values_list("pk", "status"))
    assert statuses == {soon.pk: "done", later.pk: "planned", school.pk: "planned"}
    soon.refresh_from_db()
    assert (soon.planned_for, soon.done_on, soon.planned_by) == (
        datetime.date(2026, 3, 12),
        datetime.date(2026, 3, 10),
        cast.officer,
    )


def test_a_planned_visit_is_recorded_once(cast, opened, english):
    with time_machine.travel(_at(2026, 3, 5, 9, 0), tick=False):
        planned = services.visit_schedule(
            actor=cast.officer, case=opened, kind="school", planned_for=datetime.date(2026, 3, 9)
        )
        data = services.VisitRecord(
            kind="school",
            done_on=datetime.date(2026, 3, 5),
            child_seen=False,
            observations="Em nghỉ học.",
            other_visitors="Thầy chủ nhiệm",
        )
        services.visit_record(actor=cast.officer, case=opened, data=data, planned=planned)
        with pytest.raises(ValidationError, match="already recorded"):
            services.visit_record(actor=cast.officer, case=opened, data=data, planned=planned)
    assert Visit.objects.filter(case=opened).count() == 1


def test_a_visit_record_with_mistakes_is_refused_field_by_field(cast, opened, english):
    data = services.VisitRecord(
        kind="home",
        done_on=datetime.date.today() + datetime.timedelta(days=2),
        child_seen=None,
        observations=" ",
        next_visit_on=datetime.date.today() - datetime.timedelta(days=1),
    )
    with pytest.raises(ValidationError) as refused:
        services.visit_record(actor=cast.officer, case=opened, data=data)
    assert set(refused.value.message_dict) == {"done_on", "child_seen", "visitors", "observations", "next_visit_on"}
    assert not Visit.objects.exists()


def test_the_chairman_cannot_record_a_visit(cast, opened):
    with pytest.raises(PermissionDenied):
        _visit(opened, cast.chairman, datetime.date.today())


def test_the_officer_records_a_visit_on_the_page(cast, opened):
    client = _client(cast.officer)
    url = reverse("cases:visit_new", args=[opened.pk])
    page = client.get(url)
    assert page.status_code == 200
    today = datetime.date.today()
    bad = client.post(url, {"kind": "home", "done_on": today.isoformat(), "observations": "Nhà vắng, hẹn lại."})
    assert bad.status_code == 400
    assert "Nhà vắng, hẹn lại." in bad.content.decode()  # nothing typed is lost
    assert not Visit.objects.exists()
    done = client.post(
        url,
        {
            "kind": "home",
            "done_on": today.isoformat(),
            "child_seen": "yes",
            "visitors": [cast.officer.pk],
            "observations": "Em An khỏe, đi học đều.",
            "people_seen": "mẹ",
        },
    )
    assert done.status_code == 302
    page = client.get(reverse("cases:detail", args=[opened.pk])).content.decode()
    assert f"{today:%d/%m/%Y}" in page
    assert 'data-late="false"' in page


def test_the_case_page_shows_the_contact_late_in_red(cast, opened):
    with time_machine.travel(_at(2026, 4, 10, 9, 0), tick=False):
        page = _client(cast.officer).get(reverse("cases:detail", args=[opened.pk])).content.decode()
    assert 'data-late="true"' in page
    assert "text-bg-danger" in page


# ---------------------------------------------------------------------------------------------- flags


def test_the_chairman_flags_a_case_file_and_the_officer_is_told(cast, opened):
    until = datetime.date.today() + datetime.timedelta(days=7)
    flag = services.flag_raise(
        actor=cast.chairman, case=opened, reason="Gia đình có dấu hiệu di chuyển đi nơi khác.", until=until
    )
    assert visit_selectors.active_flag(opened) == flag
    notice = Notification.objects.get(user=cast.officer, key__startswith="case-event:")
    assert opened.reference in notice.title
    assert f"{until:%d/%m/%Y}" in notice.title
    assert CaseEvent.objects.filter(case=opened, kind="flag_raised").exists()
    services.flag_lift(actor=cast.chairman, case=opened)
    assert visit_selectors.active_flag(opened) is None
    assert CaseEvent.objects.filter(case=opened, kind="flag_lifted").exists()


def test_a_flag_lapses_by_itself_after_its_date(cast, opened):
    today = datetime.date.today()
    services.flag_raise(actor=cast.coordinator_district, case=opened, reason="Theo dõi sát.", until=today)
    assert visit_selectors.active_flag(opened) is not None
    with time_machine.travel(datetime.datetime.now(tz=HCM) + datetime.timedelta(days=2)):
        assert visit_selectors.active_flag(opened) is None
        services.flag_raise(
            actor=cast.chairman,
            case=opened,
            reason="Lần hai.",
            until=datetime.date.today() + datetime.timedelta(days=1),
        )
    assert CaseFlag.objects.filter(case=opened).count() == 2


def test_one_flag_at_a_time_and_only_supervisors_flag(cast, opened, english):
    until = datetime.date.today() + datetime.timedelta(days=3)
    with pytest.raises(PermissionDenied):
        services.flag_raise(actor=cast.officer, case=opened, reason="x", until=until)
    services.flag_raise(actor=cast.chairman, case=opened, reason="Theo dõi.", until=until)
    with pytest.raises(ValidationError, match="already flagged"):
        services.flag_raise(actor=cast.coordinator_province, case=opened, reason="Nữa.", until=until)


def test_flagged_case_files_head_the_work_lists_and_carry_a_badge(cast, tree, receive, opened):
    from work.selectors import work_for

    services.flag_raise(
        actor=cast.chairman,
        case=opened,
        reason="Cần thăm ngay.",
        until=datetime.date.today() + datetime.timedelta(days=5),
    )
    receive()  # a new report: an item of another section
    for user in (cast.officer, cast.coordinator_district):
        sections = work_for(user).sections
        assert sections[0].key == "flagged"
        assert sections[0].items[0].title.startswith(opened.reference)
    page = _client(cast.officer).get(reverse("cases:list")).content.decode()
    assert page.count('data-testid="flag-badge"') == 2  # the phone card and the table row of that one file


def test_the_case_lists_flag_badge_follows_a_flag_raised_lifted_or_lapsed(cast, opened):
    """The flags of the officer's area are kept with their memberships: raising or lifting one is on their
    next page, and a flag past its last day no longer shows."""
    client = _client(cast.officer)

    def badges() -> int:
        return client.get(reverse("cases:list")).content.decode().count('data-testid="flag-badge"')

    assert badges() == 0  # read and kept: no flag in the area
    today = datetime.date.today()
    services.flag_raise(actor=cast.chairman, case=opened, reason="Cần thăm ngay.", until=today)
    assert badges() == 2  # the phone card and the table row
    with time_machine.travel(datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(9))):
        assert badges() == 0  # lapsed after its last day, though kept
    opened.refresh_from_db()
    services.flag_lift(actor=cast.chairman, case=opened)
    assert badges() == 0


def test_due_visits_and_children_not_seen_are_on_the_officers_list(cast, opened):
    from work.selectors import work_for

    with time_machine.travel(_at(2026, 4, 3, 9, 0), tick=False):
        items = {s.key: s for s in work_for(cast.officer).sections}["visits"].items
        assert [item.url for item in items] == [reverse("cases:visit_new", args=[opened.pk])]
        services.visit_schedule(actor=cast.officer, case=opened, kind="home", planned_for=datetime.date(2026, 4, 4))
        items = {s.key: s for s in work_for(cast.officer).sections}["visits"].items
        assert len(items) == 1
        assert "/record/" in items[0].url


def test_visits_are_in_the_childs_data_export_and_erased_with_the_file(cast, opened):
    from django.utils import timezone

    from cases import privacy_export
    from cases.services.retention import pseudonymise_expired

    _visit(opened, cast.officer, datetime.date.today(), other_visitors="Cô Lan")
    services.flag_raise(actor=cast.chairman, case=opened, reason="Theo dõi sát gia đình.", until=datetime.date.today())
    data = privacy_export.dossier(opened.child, [opened])
    lines = dict(privacy_export.flatten(data))
    text = " ".join(f"{label} {value}" for label, value in lines.items())
    assert "Em An đi học đều" in text
    assert "Theo dõi sát gia đình." in text
    assert "Người đi thăm" in text  # every label in words, none a code word
    assert "visitors" not in text
    privacy_export.as_json(data)  # serialisable
    services.case_mark_not_child_protection(actor=cast.officer, case=opened, reason="Hiểu nhầm.")
    pseudonymise_expired(now=timezone.now() + datetime.timedelta(days=365 * 30))
    visit = Visit.objects.get(case=opened)
    assert (visit.observations, visit.people_seen, visit.other_visitors) == ("", "", "")
    assert CaseFlag.objects.get(case=opened).reason == ""


def test_scheduling_on_the_page_refuses_a_past_date_and_keeps_the_form(cast, opened):
    client = _client(cast.officer)
    url = reverse("cases:visits", args=[opened.pk])
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    refused = client.post(url, {"kind": "school", "planned_for": yesterday.isoformat()})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Ngày đã qua: hãy ghi nhận chuyến thăm đã thực hiện." in page
    assert re.search(r'value="school"[^>]*checked', page)  # what was chosen is kept
    assert not Visit.objects.exists()
    typo = datetime.date.today().replace(year=datetime.date.today().year + 36)  # 2062 for 2026
    refused = client.post(url, {"kind": "school", "planned_for": typo.isoformat()})
    assert refused.status_code == 400
    assert "Chuyến thăm được lên lịch trong vòng một năm: hãy kiểm tra lại ngày (năm?)." in refused.content.decode()
    assert not Visit.objects.exists()
    soon = datetime.date.today() + datetime.timedelta(days=2)
    assert client.post(url, {"kind": "school", "planned_for": soon.isoformat()}).status_code == 302
    assert Visit.objects.get().planned_for == soon


def test_a_next_visit_years_ahead_is_refused_as_a_slip_of_the_keyboard(cast, opened):
    today = datetime.date.today()
    with pytest.raises(ValidationError) as refused:
        _visit(opened, cast.officer, today, next_visit_on=today.replace(year=today.year + 36))
    assert set(refused.value.message_dict) == {"next_visit_on"}
    assert not Visit.objects.exists()
    visit = _visit(opened, cast.officer, today, next_visit_on=today + datetime.timedelta(days=365))
    assert Visit.objects.get(case=opened, status="planned").planned_for == visit.next_visit_on


def test_the_chairman_reads_the_visits_and_flags_on_the_page(cast, opened):
    _visit(opened, cast.officer, datetime.date.today())
    client = _client(cast.chairman)
    page = client.get(reverse("cases:visits", args=[opened.pk])).content.decode()
    assert "Em An đi học đều" in page
    assert 'data-testid="visit-schedule"' not in page  # the officer schedules, not the chairman
    until = datetime.date.today() + datetime.timedelta(days=5)
    done = client.post(
        reverse("cases:flag", args=[opened.pk]), {"reason": "Cần thăm ngay.", "until": until.isoformat()}
    )
    assert done.status_code == 302
    detail = client.get(reverse("cases:detail", args=[opened.pk])).content.decode()
    assert 'data-testid="flag"' in detail
    assert f"Cần chú ý đến ngày {until:%d/%m/%Y}" in detail
    assert client.post(reverse("cases:flag_lift", args=[opened.pk])).status_code == 302
    assert visit_selectors.active_flag(opened) is None


def test_the_nightly_task_gives_a_rule_to_open_files_that_have_none(cast, opened):
    """Case files opened before the rule existed get one from their opening date; the task is scheduled."""
    from django_celery_beat.models import PeriodicTask

    from cases.tasks import contact_rules_ensure

    ContactRule.objects.filter(case=opened).delete()
    Deadline.objects.filter(target_type__model="contactrule").delete()
    assert contact_rules_ensure() == {"set": 1, "stopped": 0}
    assert _rule_deadlines(opened) == [("open", _at(2026, 4, 2, 0, 0))]
    assert contact_rules_ensure() == {"set": 0, "stopped": 0}
    assert PeriodicTask.objects.filter(task="cases.tasks.contact_rules_ensure", enabled=True).exists()
