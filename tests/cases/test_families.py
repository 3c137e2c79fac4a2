"""Families: siblings reported together form a family group; a step recorded once for the group gives
each case file its own record; each case page shows the family's files and the history snapshot — only
what the user may see."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from cases import services
from cases.models import Caregiver, CaseEvent, CaseFile, Child, InitialAssessment, SpecificAssessment
from cases.selectors import history_snapshot
from cases.services import CaregiverInput, ChildInput
from notifications.models import Deadline
from tests.factories import child_input, report_input, walk_to

pytestmark = pytest.mark.django_db

FIRST, SECOND = "Lò Văn Tuấn", "Lò Thị Hoa"


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def siblings(tree, receive):
    report = receive(
        children=[
            child_input(tree.commune_c1, name=FIRST, birth=datetime.date(2014, 1, 2)),
            child_input(tree.commune_c1, name=SECOND, birth=datetime.date(2016, 5, 6), sex="female"),
        ]
    )
    return list(report.case_files.select_related("child").order_by("pk"))


def _assess_values(**extra):
    values = {
        "severity": "medium",
        "perpetrator_access": "high",
        "care_environment": "low",
        "child_capacity": "low",
        "is_emergency": False,
        "notes": "Đánh giá chung cho hai anh em.",
    }
    values.update(extra)
    return values


def test_children_of_one_report_form_one_family(siblings):
    first, second = siblings
    assert first.child.household_id is not None
    assert first.child.household_id == second.child.household_id
    assert set(Child.objects.filter(household_id=first.child.household_id).values_list("full_name", flat=True)) == {
        FIRST,
        SECOND,
    }
    for case in siblings:
        assert CaseEvent.objects.filter(case=case, kind="household_linked").count() == 1


def test_a_report_about_one_child_makes_no_family(receive):
    case = receive().case_files.get()
    assert case.child.household_id is None


def test_assessing_two_siblings_once_creates_two_independent_records(cast, siblings):
    first, second = siblings
    services.step_for_siblings(
        actor=cast.officer, case=first, action="assess", values=_assess_values(), siblings=[second.pk]
    )
    rows = list(InitialAssessment.objects.order_by("case_id").values_list("case_id", "risk_level", "notes"))
    assert rows == [
        (first.pk, "high", "Đánh giá chung cho hai anh em."),
        (second.pk, "high", "Đánh giá chung cho hai anh em."),
    ]
    for case in siblings:
        case.refresh_from_db()
        assert case.state == "assessed"
        assert case.version == 2
        assert list(CaseEvent.objects.filter(case=case, kind="assess").values_list("from_state", "to_state")) == [
            ("received", "assessed")
        ]
        # Each file's own 12-hour deadline is met; its plan deadlines keep running on their own.
        assert Deadline.objects.get(target_id=case.pk, kind="emergency_decision").state == "met"
        assert Deadline.objects.get(target_id=case.pk, kind="plan_submission").state == "open"

    # They diverge afterwards: the needs meeting for one only.
    services.case_investigate(
        actor=cast.officer,
        case=second,
        information="Thông tin riêng",
        risk_level="medium",
        needs="Hỗ trợ tâm lý",
        meeting_at=timezone.now(),
        participants="Cán bộ, mẹ",
        minutes="Biên bản",
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == ("assessed", "investigated")
    assert list(SpecificAssessment.objects.values_list("case_id", flat=True)) == [second.pk]


def test_the_needs_meeting_and_the_plan_once_for_both(cast, siblings, health_c1):
    first, second = siblings
    services.step_for_siblings(
        actor=cast.officer, case=first, action="assess", values=_assess_values(), siblings=[second.pk]
    )
    services.step_for_siblings(
        actor=cast.officer,
        case=first,
        action="investigate",
        values={
            "information": "Hai anh em sống với bố mẹ",
            "risk_level": "medium",
            "needs": "Tư vấn gia đình",
            "meeting_at": timezone.now(),
            "participants": "Cán bộ xã, bố mẹ",
            "minutes": "Biên bản họp",
        },
        siblings=[second.pk],
    )
    measure = services.MeasureInput(
        agency=health_c1,
        service_type="medical",
        description="Khám sức khỏe",
        due_date=timezone.localdate() + datetime.timedelta(days=7),
    )
    services.step_for_siblings(
        actor=cast.officer,
        case=first,
        action="submit_plan",
        values={"objectives": "An toàn cho hai trẻ", "measures": [measure]},
        siblings=[second.pk],
    )
    for case in siblings:
        case.refresh_from_db()
        assert case.state == "plan_submitted"
        plan = case.plans.get()
        assert (plan.number, plan.objectives) == (1, "An toàn cho hai trẻ")
        assert list(plan.measures.values_list("agency_id", "description")) == [(health_c1.pk, "Khám sức khỏe")]
    assert first.plans.get().pk != second.plans.get().pk


def test_a_file_outside_the_family_is_refused_and_nothing_is_saved(cast, siblings, receive):
    first, _second = siblings
    stranger = receive(children=[child_input(first.commune, name="Người Ngoài")]).case_files.get()
    with pytest.raises(ValidationError):
        services.step_for_siblings(
            actor=cast.officer, case=first, action="assess", values=_assess_values(), siblings=[stranger.pk]
        )
    assert InitialAssessment.objects.count() == 0
    assert set(CaseFile.objects.values_list("state", flat=True)) == {"received"}


def test_a_sibling_at_another_step_is_not_offered(cast, siblings):
    first, second = siblings
    walk_to(second, "assessed", officer=cast.officer, chairman=cast.chairman)
    body = _client(cast.officer).get(f"/cases/{first.pk}/act/assess/").content.decode()
    assert 'data-testid="siblings"' not in body
    with pytest.raises(ValidationError):
        services.step_for_siblings(
            actor=cast.officer, case=first, action="assess", values=_assess_values(), siblings=[second.pk]
        )
    assert InitialAssessment.objects.filter(case=first).count() == 0


def test_the_assessment_page_offers_the_sibling_ticked_and_saves_both(cast, siblings):
    first, second = siblings
    client = _client(cast.officer)
    body = client.get(f"/cases/{first.pk}/act/assess/").content.decode()
    assert second.reference in body
    assert f'value="{second.pk}"' in body
    assert "checked" in body.split(second.reference)[0].rsplit("<label", 1)[1]
    data = {
        "version": first.version,
        "severity": "low",
        "perpetrator_access": "low",
        "care_environment": "low",
        "child_capacity": "low",
        "is_emergency": "no",
        "also_apply_to": [second.pk],
    }
    response = client.post(f"/cases/{first.pk}/act/assess/", data)
    assert response.status_code == 302
    assert sorted(InitialAssessment.objects.values_list("case_id", flat=True)) == [first.pk, second.pk]
    # Unticked: only this file.
    other = services.report_receive(
        actor=cast.officer,
        report=report_input(first.commune),
        children=[child_input(first.commune, name="An"), child_input(first.commune, name="Bình")],
    )
    a, b = other.case_files.order_by("pk")
    response = client.post(f"/cases/{a.pk}/act/assess/", {**data, "version": a.version, "also_apply_to": []})
    assert response.status_code == 302
    assert InitialAssessment.objects.filter(case=b).count() == 0
    assert InitialAssessment.objects.filter(case=a).count() == 1


def test_a_restricted_sibling_file_is_not_shown_nor_offered(cast, siblings):
    first, second = siblings
    services.case_restrict(
        actor=cast.coordinator_district, case=second, named_users=[cast.chairman], reason="Người thân cán bộ"
    )
    client = _client(cast.officer)
    for url in (f"/cases/{first.pk}/", f"/cases/{first.pk}/act/assess/", f"/cases/{first.pk}/family/"):
        body = client.get(url).content.decode()
        assert second.reference not in body, url
        assert SECOND not in body, url
    assert services.GROUP_STEPS  # the service refuses it too
    with pytest.raises(ValidationError):
        services.step_for_siblings(
            actor=cast.officer, case=first, action="assess", values=_assess_values(), siblings=[second.pk]
        )
    assert InitialAssessment.objects.count() == 0
    # The chairman, named on it, sees the sibling's file on the first file's page.
    assert second.reference in _client(cast.chairman).get(f"/cases/{first.pk}/").content.decode()


def test_the_case_page_lists_the_siblings_files_with_their_step_and_deadline(cast, siblings):
    first, second = siblings
    body = _client(cast.officer).get(f"/cases/{first.pk}/").content.decode()
    family = body.split('data-testid="family"')[1].split("</section>")[0]
    assert second.reference in family
    assert SECOND in family
    assert "Đã tiếp nhận" in family or "received" not in family
    assert 'data-testid="deadline-emergency_decision"' in family
    assert first.reference not in family


# ---------------------------------------------------------------------------------------------- history


@pytest.fixture
def history(cast, tree, receive):
    """A child with an earlier file (its caregiver an alleged perpetrator, a plan open), a sibling's file
    restricted to the chairman, then a new report about the child."""
    earlier = receive(
        children=[
            child_input(
                tree.commune_c1,
                name=FIRST,
                caregivers=[CaregiverInput(full_name="Lò Văn Dũng", relation="bố", is_alleged_perpetrator=True)],
            ),
            child_input(tree.commune_c1, name=SECOND),
        ],
        perpetrator_relation="bố dượng",
    )
    older, hidden = earlier.case_files.order_by("pk")
    walk_to(
        older,
        "plan_submitted",
        officer=cast.officer,
        chairman=cast.chairman,
        measures=[
            (
                cast.police.memberships.get().agency,
                "police",
                "Bảo vệ trẻ",
                timezone.localdate() + datetime.timedelta(days=5),
            )
        ],
    )
    services.case_restrict(
        actor=cast.coordinator_district, case=hidden, named_users=[cast.chairman], reason="Người thân cán bộ"
    )
    new = receive(children=[ChildInput(existing_id=older.child_id)]).case_files.get()
    return older, hidden, new


def test_the_snapshot_shows_earlier_files_perpetrators_and_open_plans(cast, history):
    older, hidden, new = history
    snapshot = history_snapshot(cast.officer, new.child, before_case=new)
    assert [case.pk for case in snapshot.cases] == [older.pk]
    assert {item.description for item in snapshot.perpetrators} == {"Lò Văn Dũng (bố)", "bố dượng"}
    assert [plan.case_id for plan in snapshot.open_plans] == [older.pk]
    body = _client(cast.officer).get(f"/cases/{new.pk}/").content.decode()
    section = body.split('data-testid="history"')[1].split("</details>")[0]
    assert older.reference in section
    assert "Lò Văn Dũng" in section
    assert "bố dượng" in section
    assert hidden.reference not in body
    assert SECOND not in body


def test_the_snapshot_at_intake_shows_only_what_the_user_may_see(cast, history):
    older, hidden, new = history
    url = f"/cases/children/{new.child_id}/history/"
    officer = _client(cast.officer).get(url)
    assert officer.status_code == 200
    text = officer.content.decode()
    assert older.reference in text
    assert new.reference in text
    assert hidden.reference not in text
    assert SECOND not in text
    chairman = _client(cast.chairman).get(url).content.decode()
    assert hidden.reference in chairman  # named on the restricted file
    for outsider in (cast.officer_elsewhere, cast.police, cast.leader, cast.outsider, cast.collaborator):
        response = _client(outsider).get(url)
        assert response.status_code == 404
        body = response.content.decode()
        assert older.reference not in body
        assert FIRST not in body
        assert "Lò Văn Dũng" not in body


def test_a_caregiver_on_a_restricted_file_is_not_in_the_snapshot(cast, tree, receive):
    restricted = receive(
        children=[
            child_input(
                tree.commune_c1,
                name=FIRST,
                caregivers=[CaregiverInput(full_name="Kẻ Bí Mật", relation="chú", is_alleged_perpetrator=True)],
            ),
            child_input(tree.commune_c1, name=SECOND),
        ]
    )
    secret, sibling = restricted.case_files.order_by("pk")
    services.case_restrict(
        actor=cast.coordinator_district, case=secret, named_users=[cast.chairman], reason="Người thân cán bộ"
    )
    assert Caregiver.objects.filter(full_name="Kẻ Bí Mật").exists()
    text = _client(cast.officer).get(f"/cases/children/{sibling.child_id}/history/").content.decode()
    assert "Kẻ Bí Mật" not in text
    assert secret.reference not in text
    assert FIRST not in text
    assert sibling.reference in text


# ---------------------------------------------------------------------------------------------- linking


def test_an_officer_links_a_sibling_reported_separately(cast, receive, tree):
    one = receive(children=[child_input(tree.commune_c1, name=FIRST)]).case_files.get()
    two = receive(children=[child_input(tree.commune_c1, name=SECOND)]).case_files.get()
    client = _client(cast.officer)
    response = client.post(f"/cases/{one.pk}/family/", {"reference": two.reference.lower()})
    assert response.status_code == 302
    one.child.refresh_from_db()
    two.child.refresh_from_db()
    assert one.child.household_id is not None
    assert one.child.household_id == two.child.household_id
    assert CaseEvent.objects.filter(case__in=[one, two], kind="household_linked").count() == 2
    assert two.reference in client.get(f"/cases/{one.pk}/").content.decode()
    # Taken out again.
    assert client.post(f"/cases/{two.pk}/family/leave/").status_code == 302
    two.child.refresh_from_db()
    assert two.child.household_id is None
    assert CaseEvent.objects.filter(case=two, kind="household_left").count() == 1


def test_linking_a_file_the_officer_cannot_change_is_refused_without_saying_it_exists(cast, receive, tree):
    one = receive(children=[child_input(tree.commune_c1, name=FIRST)]).case_files.get()
    far = receive(
        actor=cast.officer_elsewhere, commune=tree.commune_c4, children=[child_input(tree.commune_c4, name=SECOND)]
    ).case_files.get()
    response = _client(cast.officer).post(f"/cases/{one.pk}/family/", {"reference": far.reference})
    assert response.status_code == 400
    body = response.content.decode()
    assert far.reference in body  # what was typed is kept
    assert SECOND not in body
    assert "Không có hồ sơ" in body or "No case file" in body
    far.child.refresh_from_db()
    assert far.child.household_id is None
    assert _client(cast.officer_elsewhere).get(f"/cases/{one.pk}/family/").status_code == 404


def test_the_plan_page_submits_one_plan_per_sibling_and_a_refusal_keeps_everything(cast, siblings, health_c1):
    first, second = siblings
    for case in siblings:
        walk_to(case, "investigated", officer=cast.officer, chairman=cast.chairman)
        case.refresh_from_db()
    client = _client(cast.officer)
    due = (timezone.localdate() + datetime.timedelta(days=9)).isoformat()
    data = {
        "version": first.version,
        "objectives": "Hai trẻ được an toàn và đi học đều.",
        "measures-TOTAL_FORMS": 1,
        "measures-INITIAL_FORMS": 0,
        "measures-MIN_NUM_FORMS": 1,
        "measures-MAX_NUM_FORMS": 30,
        "measures-0-agency": health_c1.pk,
        "measures-0-service_type": "medical",
        "measures-0-description": "Khám sức khỏe cho trẻ.",
        "measures-0-due_date": due,
        "also_apply_to": [second.pk],
    }
    # The sister's file moved on meanwhile (another tab): refused, nothing saved, what was typed kept.
    own = services.MeasureInput(health_c1, "medical", "Riêng", timezone.localdate() + datetime.timedelta(days=3))
    services.case_submit_plan(actor=cast.officer, case=second, objectives="Kế hoạch riêng", measures=[own])
    response = client.post(f"/cases/{first.pk}/act/submit_plan/", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Hai trẻ được an toàn và đi học đều." in body
    assert "Khám sức khỏe cho trẻ." in body
    assert "hãy tải lại trang" in body
    first.refresh_from_db()
    assert first.state == "investigated"
    assert not first.plans.exists()
    assert list(second.plans.values_list("objectives", flat=True)) == ["Kế hoạch riêng"]


def test_the_plan_page_applies_the_plan_to_the_sibling(cast, siblings, health_c1):
    first, second = siblings
    for case in siblings:
        walk_to(case, "investigated", officer=cast.officer, chairman=cast.chairman)
        case.refresh_from_db()
    due = (timezone.localdate() + datetime.timedelta(days=9)).isoformat()
    response = _client(cast.officer).post(
        f"/cases/{first.pk}/act/submit_plan/",
        {
            "version": first.version,
            "objectives": "Hai trẻ được an toàn.",
            "measures-TOTAL_FORMS": 1,
            "measures-INITIAL_FORMS": 0,
            "measures-MIN_NUM_FORMS": 1,
            "measures-MAX_NUM_FORMS": 30,
            "measures-0-agency": health_c1.pk,
            "measures-0-service_type": "medical",
            "measures-0-description": "Khám sức khỏe cho trẻ.",
            "measures-0-due_date": due,
            "also_apply_to": [second.pk],
        },
    )
    assert response.status_code == 302
    for case in siblings:
        case.refresh_from_db()
        assert case.state == "plan_submitted"
        assert list(case.plans.values_list("objectives", flat=True)) == ["Hai trẻ được an toàn."]
        assert list(case.plans.get().measures.values_list("description", flat=True)) == ["Khám sức khỏe cho trẻ."]
        assert CaseEvent.objects.filter(case=case, kind="submit_plan").count() == 1


def test_retention_erases_the_family_address_with_its_last_child(tree, receive, settings):
    import zoneinfo

    import time_machine

    from cases.models import Household
    from cases.services import retention

    hcm = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
    settings.RETENTION_YEARS = 5
    old_day = datetime.datetime(2020, 3, 10, 9, 0, tzinfo=hcm)
    with time_machine.travel(old_day, tick=False):
        report = receive(
            children=[
                child_input(tree.commune_c1, name=FIRST, birth=datetime.date(2012, 1, 1), address="Bản Nà Hang"),
                child_input(tree.commune_c1, name=SECOND, birth=datetime.date(2013, 1, 1), address="Bản Nà Hang"),
            ],
            received_at=old_day - datetime.timedelta(hours=1),
        )
    household = Household.objects.get()
    assert household.address == "Bản Nà Hang"
    report.case_files.update(state="closed", closed_at=datetime.datetime(2020, 9, 1, tzinfo=hcm))
    assert retention.pseudonymise_expired(now=datetime.datetime(2026, 11, 23, tzinfo=hcm))["children"] == 2
    household.refresh_from_db()
    assert household.address == ""
