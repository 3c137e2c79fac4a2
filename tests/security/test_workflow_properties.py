"""Hypothesis drives random sequences of workflow actions, by random members of the cast, with valid or
empty input: whatever happens, the case file never reaches an invalid state."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import services
from cases.choices import CaseState
from cases.models import CaseFile
from cases.workflow import ACTIONS
from config.errors import Conflict
from notifications.models import Deadline

ACTORS = ["officer", "chairman", "police", "coordinator_district", "officer_elsewhere"]


def _arguments(name, tree, health, filled):
    now = timezone.now()
    text = "Nội dung." if filled else ""
    return {
        "assess": {
            "severity": "low",
            "perpetrator_access": "medium",
            "care_environment": "low",
            "child_capacity": "high" if filled else "bogus",
            "is_emergency": filled,
        },
        "record_emergency": {"description": text, "taken_by": text, "taken_at": now},
        "investigate": {
            "information": text,
            "risk_level": "low",
            "needs": text,
            "meeting_at": now,
            "participants": text,
            "minutes": text,
        },
        "submit_plan": {
            "objectives": text,
            "measures": [
                services.MeasureInput(health, "medical", text, timezone.localdate() + datetime.timedelta(days=3))
            ]
            if filled
            else [],
        },
        "approve_plan": {"decision_number": "3/QĐ" if filled else ""},
        "return_plan": {"note": text},
        "review": {
            "findings": text,
            "child_is_safe": filled,
            "recommendation": "close" if filled else "replan",
            "closure_reason": "safe_and_stable" if filled else "",
        },
        "approve_closure": {"note": text},
        "reject_closure": {"note": text},
        "transfer": {"to_commune": tree.commune_c4 if filled else tree.commune_c1, "reason": text},
        "accept_transfer": {},
        "decline_transfer": {"reason": text},
        "mark_not_child_protection": {"reason": text},
        "reopen": {"reason": text},
    }[name]


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(sorted(ACTIONS)), st.sampled_from(ACTORS), st.booleans()), min_size=1, max_size=14
    )
)
def test_no_sequence_of_actions_reaches_an_invalid_state(tree, cast, receive, steps):
    from tests.factories import AgencyFactory

    health = AgencyFactory(
        agency_type__code="health", name=f"Trạm Y tế {len(steps)}-{timezone.now().timestamp()}", unit=tree.commune_c1
    )
    case = receive().case_files.get()
    succeeded = 0
    for name, actor_name, filled in steps:
        actor = getattr(cast, actor_name)
        before = CaseFile.objects.get(pk=case.pk)
        try:
            getattr(services, f"case_{name}")(actor=actor, case=case, **_arguments(name, tree, health, filled))
        except (ValidationError, PermissionDenied, Conflict):
            after = CaseFile.objects.get(pk=case.pk)
            assert (after.state, after.version) == (before.state, before.version)  # a refusal changes nothing
            continue
        succeeded += 1
        after = CaseFile.objects.get(pk=case.pk)
        assert after.version == before.version + 1
        assert name in [a.name for a in ACTIONS.values() if before.state in a.sources]
    case = CaseFile.objects.get(pk=case.pk)
    assert case.state in CaseState.values
    assert (case.state == CaseState.CLOSED) == (case.closed_at is not None)
    if case.state in (CaseState.CLOSED, CaseState.NOT_CHILD_PROTECTION):
        assert not Deadline.objects.filter(
            target_id=case.pk,
            kind__in=["emergency_decision", "plan_submission", "plan_approval", "review"],
            state="open",
        ).exists()
    if case.state == CaseState.TRANSFER_PENDING:
        assert case.transfer_to_id is not None
    else:
        assert case.transfer_to_id is None
    if case.state == CaseState.EMERGENCY_HANDLED:
        assert case.is_emergency is True
    assert case.version == 1 + succeeded
    assert case.plans.filter(status="submitted").count() <= 1
    assert case.plans.filter(status="approved").count() <= 1
