import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import services
from cases.models import CaseEvent, CaseFile, Child, InterventionPlan
from config.errors import Conflict
from notifications.models import Deadline
from tests.factories import child_input, walk_to

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _assess(case, actor, *, emergency=False, level="medium"):
    return services.case_assess(
        actor=actor,
        case=case,
        severity=level,
        perpetrator_access="low",
        care_environment="low",
        child_capacity="low",
        is_emergency=emergency,
        notes="Đã gặp trẻ tại trường.",
    )


def _investigate(case, actor):
    return services.case_investigate(
        actor=actor,
        case=case,
        information="Đã làm việc với gia đình.",
        risk_level="medium",
        needs="Khám sức khỏe, tư vấn tâm lý.",
        meeting_at=timezone.now() - datetime.timedelta(hours=1),
        participants="Cán bộ xã, giáo viên, mẹ của trẻ.",
        minutes="Thống nhất kế hoạch.",
    )


def _submit(case, actor, agency):
    return services.case_submit_plan(
        actor=actor,
        case=case,
        objectives="Bảo đảm an toàn cho trẻ.",
        measures=[
            services.MeasureInput(
                agency, "medical", "Khám và điều trị.", timezone.localdate() + datetime.timedelta(days=7)
            )
        ],
    )


def _deadline_states(case):
    return dict(
        Deadline.objects.filter(target_type__model="casefile", target_id=case.pk)
        .values_list("kind", "state")
        .order_by("pk")
    )


def test_a_report_with_three_children_gives_three_linked_case_files(tree, cast, receive):
    report = receive(children=[child_input(tree.commune_c1, name=n) for n in ("Lê An", "Lê Bình", "Lê Chi")])
    cases = CaseFile.objects.filter(report=report).select_related("child").order_by("pk")
    assert [case.child.full_name for case in cases] == ["Lê An", "Lê Bình", "Lê Chi"]
    assert {case.state for case in cases} == {"received"}
    assert {case.commune_id for case in cases} == {tree.commune_c1.pk}
    assert all(case.reference.startswith(f"HS-{timezone.now():%Y}-") for case in cases)
    assert CaseEvent.objects.filter(case__report=report, kind="received").count() == 3
    for case in cases:
        assert _deadline_states(case) == {
            "emergency_decision": "open",
            "plan_submission": "open",
            "plan_approval": "open",
        }


def test_the_whole_procedure_from_report_to_closure(tree, cast, receive, health_c1):
    case = receive().case_files.get()
    officer, chairman = cast.officer, cast.chairman

    _assess(case, officer, emergency=True, level="high")
    # An emergency: the 12-hour limit runs on until the measures are taken and recorded.
    assert _deadline_states(case)["emergency_decision"] == "open"
    services.case_record_emergency(
        actor=officer,
        case=case,
        description="Tách trẻ khỏi người gây hại, đưa đến nhà bà ngoại.",
        taken_by="Công an xã, UBND xã",
        taken_at=timezone.now(),
    )
    assert _deadline_states(case)["emergency_decision"] == "met"
    _investigate(case, officer)
    plan = _submit(case, officer, health_c1)
    assert _deadline_states(case)["plan_submission"] == "met"
    services.case_return_plan(actor=chairman, case=case, note="Bổ sung tư vấn tâm lý.")
    plan.refresh_from_db()
    assert plan.status == "returned"
    plan2 = _submit(case, officer, health_c1)
    assert plan2.number == 2
    services.case_approve_plan(actor=chairman, case=case, decision_number="15/QĐ-UBND")
    case.refresh_from_db()
    assert case.state == "in_intervention"
    assert _deadline_states(case)["plan_approval"] == "met"
    assert _deadline_states(case)["review"] == "open"
    assert InterventionPlan.objects.get(pk=plan2.pk).decision_number == "15/QĐ-UBND"

    services.case_review(
        actor=officer,
        case=case,
        findings="Trẻ đã ổn định.",
        child_is_safe=True,
        recommendation="close",
        closure_reason="safe_and_stable",
    )
    services.case_approve_closure(actor=chairman, case=case, note="Đồng ý kết thúc.")
    case.refresh_from_db()
    assert case.state == "closed"
    assert case.closed_at is not None
    assert case.closure_reason == "safe_and_stable"
    assert not Deadline.objects.filter(target_type__model="casefile", target_id=case.pk, state="open").exists()
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == [
        "received",
        "assess",
        "record_emergency",
        "investigate",
        "submit_plan",
        "return_plan",
        "submit_plan",
        "approve_plan",
        "assignment_proposed",
        "review",
        "assignment_cancelled",
        "approve_closure",
    ]
    assert case.version == len([kind for kind in kinds if not kind.startswith("assignment_")])
    assess_event = case.events.get(kind="assess")
    assert assess_event.actor == officer
    assert assess_event.data["changes"] == {
        "state": ["received", "assessed"],
        "risk_level": ["", "high"],
        "is_emergency": [None, True],
    }
    closing = case.events.get(kind="approve_closure")
    assert closing.data["changes"]["state"] == ["closure_proposed", "closed"]
    assert closing.data["changes"]["closed_at"][0] is None


@pytest.mark.parametrize("member", ["chairman", "coordinator_district", "leader", "police", "officer_elsewhere"])
def test_only_the_commune_officer_assesses(cast, receive, member):
    case = receive().case_files.get()
    with pytest.raises(PermissionDenied):
        _assess(case, getattr(cast, member))
    case.refresh_from_db()
    assert case.state == "received"
    assert case.version == 1


def test_only_the_chairman_approves(cast, receive, health_c1):
    case = receive().case_files.get()
    _assess(case, cast.officer)
    _investigate(case, cast.officer)
    _submit(case, cast.officer, health_c1)
    with pytest.raises(PermissionDenied):
        services.case_approve_plan(actor=cast.officer, case=case, decision_number="1/QĐ")
    case.refresh_from_db()
    assert case.state == "plan_submitted"


def test_a_step_from_the_wrong_state_is_refused_with_a_message(cast, receive, health_c1):
    case = receive().case_files.get()
    with pytest.raises(ValidationError, match="not possible now"):
        _submit(case, cast.officer, health_c1)
    with pytest.raises(ValidationError, match="not possible now"):
        services.case_approve_plan(actor=cast.chairman, case=case, decision_number="1/QĐ")
    case.refresh_from_db()
    assert case.state == "received"
    assert list(case.events.values_list("kind", flat=True)) == ["received"]


def test_emergency_measures_are_required_when_the_assessment_found_an_emergency(cast, receive):
    case = receive().case_files.get()
    _assess(case, cast.officer, emergency=True)
    with pytest.raises(ValidationError, match="emergency measures first"):
        _investigate(case, cast.officer)


def test_a_stale_version_is_refused_and_nothing_is_overwritten(cast, receive):
    case = receive().case_files.get()
    _assess(case, cast.officer)
    with pytest.raises(Conflict):
        services.case_mark_not_child_protection(actor=cast.officer, case=case, reason="x", expected_version=1)
    case.refresh_from_db()
    assert case.state == "assessed"


def test_transfer_is_accepted_by_the_receiving_commune(tree, cast, receive):
    case = receive().case_files.get()
    _assess(case, cast.officer)
    services.case_transfer(actor=cast.officer, case=case, to_commune=tree.commune_c4, reason="Gia đình chuyển nhà.")
    with pytest.raises(PermissionDenied):
        services.case_accept_transfer(actor=cast.officer, case=case)
    services.case_accept_transfer(actor=cast.officer_elsewhere, case=case)
    case.refresh_from_db()
    assert (case.state, case.commune, case.officer) == ("assessed", tree.commune_c4, cast.officer_elsewhere)
    assert case.transfer_to is None


def test_transfer_declined_goes_back(tree, cast, receive):
    case = receive().case_files.get()
    services.case_transfer(actor=cast.officer, case=case, to_commune=tree.commune_c4, reason="Chuyển nhà.")
    services.case_decline_transfer(actor=cast.officer_elsewhere, case=case, reason="Trẻ không sống ở đây.")
    case.refresh_from_db()
    assert (case.state, case.commune) == ("received", tree.commune_c1)


def test_not_a_child_protection_matter_and_reopen(cast, receive):
    case = receive().case_files.get()
    with pytest.raises(ValidationError):
        services.case_mark_not_child_protection(actor=cast.officer, case=case, reason=" ")
    services.case_mark_not_child_protection(actor=cast.officer, case=case, reason="Tranh chấp dân sự.")
    assert set(_deadline_states(case).values()) == {"cancelled"}
    services.case_reopen(actor=cast.officer, case=case, reason="Có thông tin mới.")
    case.refresh_from_db()
    assert case.state == "received"
    assert sorted(
        Deadline.objects.filter(target_type__model="casefile", target_id=case.pk, state="open").values_list(
            "kind", flat=True
        )
    ) == [
        "emergency_decision",
        "plan_approval",
        "plan_submission",
    ]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"birth": datetime.date(2005, 1, 1)}, "children-0-birth_date", "under 16"),
        ({"birth": timezone.localdate() + datetime.timedelta(days=3)}, "children-0-birth_date", "future"),
        ({"personal_id": "12345"}, "children-0-personal_id", "12 digits"),
        ({"name": "  "}, "children-0-full_name", "full name"),
    ],
)
def test_bad_child_input_is_refused_field_by_field(tree, cast, receive, change, field, message):
    kwargs = {"name": change.get("name", "Trần Mai"), "birth": change.get("birth", datetime.date(2014, 1, 1))}
    if "personal_id" in change:
        kwargs["personal_id"] = change["personal_id"]
    with pytest.raises(ValidationError) as error:
        receive(children=[child_input(tree.commune_c1, **kwargs)])
    assert message in " ".join(error.value.message_dict[field])
    assert not Child.objects.exists()
    assert not CaseFile.objects.exists()


def test_bad_report_input_is_refused_field_by_field(tree, cast, receive):
    with pytest.raises(ValidationError) as error:
        receive(
            received_at=timezone.now() + datetime.timedelta(days=1),
            abuse_forms=[],
            narrative="",
            commune=tree.commune_c4,
        )
    assert set(error.value.message_dict) >= {"received_at", "abuse_forms", "narrative", "commune"}


def test_a_person_16_on_the_report_date_is_not_a_child(tree, cast, receive):
    today = timezone.localdate()
    birth = today.replace(year=today.year - 16)
    with pytest.raises(ValidationError, match="under 16"):
        receive(children=[child_input(tree.commune_c1, birth=birth)])
    receive(children=[child_input(tree.commune_c1, birth=birth + datetime.timedelta(days=1))])


def test_personal_id_is_unique_when_present(tree, cast, receive):
    receive(children=[child_input(tree.commune_c1, personal_id="079215000123")])
    with pytest.raises(ValidationError, match="already registered"):
        receive(children=[child_input(tree.commune_c1, name="Khác", personal_id="079215000123")])
    receive(children=[child_input(tree.commune_c1, name="Không số 1"), child_input(tree.commune_c1, name="Không số 2")])
    assert Child.objects.filter(personal_id="").count() == 2


def test_an_existing_child_can_be_named_in_a_new_report(tree, cast, receive):
    first = receive().case_files.get()
    second = receive(children=[services.ChildInput(existing_id=first.child_id)]).case_files.get()
    assert second.child_id == first.child_id
    assert Child.objects.count() == 1


def test_an_existing_child_outside_the_area_cannot_be_named(tree, cast, receive):
    other = receive(actor=cast.officer_elsewhere, commune=tree.commune_c4).case_files.get()
    with pytest.raises(ValidationError) as error:
        receive(children=[services.ChildInput(existing_id=other.child_id)])
    assert "children-0-existing_id" in error.value.message_dict


@pytest.mark.parametrize(
    "state",
    [
        "received", "assessed", "emergency_handled", "investigated", "plan_submitted", "plan_returned",
        "in_intervention", "closure_proposed", "closed", "not_child_protection",
    ],
)  # fmt: skip
def test_the_shared_helper_walks_a_case_to_each_state(cast, receive, health_c1, state):
    due = timezone.localdate() + datetime.timedelta(days=7)
    case = walk_to(
        receive().case_files.get(),
        state,
        officer=cast.officer,
        chairman=cast.chairman,
        measures=[(health_c1, "medical", "Khám sức khỏe.", due)],
    )
    case.refresh_from_db()
    assert case.state == state
