"""The case timeline: one keyword-only function per kind of event (saleor's order events are the model).

Each writes the event and its audit row in the caller's transaction. Kinds and their labels are
`CaseEventKind` (cases.choices); the database refuses any other kind. A transition's event carries
the state it left, the state it reached and the tracked fields that changed (`StateChange`).
"""

from dataclasses import dataclass, field

from django.utils import timezone

from audit.recorder import record

from . import contacts, handoffs, hotline
from .choices import CaseEventKind, CaseState
from .models import Assignment, Attachment, CaseEvent, CaseFile, CaseFlag, Note, Report, Visit

K = CaseEventKind
# Case fields whose before/after values every transition's event records.
TRACKED_FIELDS = (
    "state",
    "risk_level",
    "is_emergency",
    "commune_id",
    "officer_id",
    "transfer_to_id",
    "closure_reason",
    "closed_at",
)


@dataclass(frozen=True)
class StateChange:
    """What a step did to the case file: the state before and after, and the tracked fields changed
    ({field: [before, after]}, JSON values)."""

    from_state: str
    to_state: str
    changes: dict = field(default_factory=dict)


def _write(kind: CaseEventKind, /, *, case: CaseFile, actor, change: StateChange | None = None, **data) -> CaseEvent:
    state = case.state
    from_state, to_state = (change.from_state, change.to_state) if change else (state, state)
    payload = {**data, "changes": change.changes} if change is not None else data
    event = CaseEvent.objects.create(
        case=case,
        actor=actor,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        data=payload,
        at=timezone.now(),
    )
    # The audit row says which event and what changed; never the free text the event may carry.
    audited = {"event": kind.value, **(change.changes if change is not None else {})}
    if kind == K.RECEIVED:
        audited.update(report=data["report"], child=data["child"])
    record("create" if kind == K.RECEIVED else "change", "case", case.pk, case=case, fields=audited, actor=actor)
    contacts.follow(event, case)
    handoffs.announce(event, case=case, actor=actor)
    if kind != K.RECEIVED and (change is not None or kind == K.REOPENED):
        hotline.follow(case)  # the hotline learns of the receipt from the API's answer
    return event


# ---------------------------------------------------------------------------------------------- intake


def report_received_event(*, case: CaseFile, actor, report: Report) -> CaseEvent:
    change = StateChange("", CaseState.RECEIVED)
    return _write(K.RECEIVED, case=case, actor=actor, change=change, report=report.pk, child=case.child_id)


# ---------------------------------------------------------------------------------------------- procedure


def case_assessed_event(*, case, actor, change: StateChange, risk_level: str, is_emergency: bool) -> CaseEvent:
    return _write(K.ASSESSED, case=case, actor=actor, change=change, risk_level=risk_level, is_emergency=is_emergency)


def emergency_recorded_event(*, case, actor, change: StateChange, measure_id: int, taken_by: str) -> CaseEvent:
    return _write(K.EMERGENCY_RECORDED, case=case, actor=actor, change=change, measure=measure_id, taken_by=taken_by)


def case_investigated_event(*, case, actor, change: StateChange, risk_level: str) -> CaseEvent:
    return _write(K.INVESTIGATED, case=case, actor=actor, change=change, risk_level=risk_level)


def plan_submitted_event(*, case, actor, change: StateChange, plan) -> CaseEvent:
    return _write(K.PLAN_SUBMITTED, case=case, actor=actor, change=change, plan=plan.pk, number=plan.number)


def plan_approved_event(*, case, actor, change: StateChange, plan) -> CaseEvent:
    return _write(
        K.PLAN_APPROVED, case=case, actor=actor, change=change, plan=plan.pk, decision_number=plan.decision_number
    )


def plan_returned_event(*, case, actor, change: StateChange, plan, note: str) -> CaseEvent:
    return _write(K.PLAN_RETURNED, case=case, actor=actor, change=change, plan=plan.pk, note=note)


def case_reviewed_event(*, case, actor, change: StateChange, recommendation: str) -> CaseEvent:
    return _write(K.REVIEWED, case=case, actor=actor, change=change, recommendation=recommendation)


def closure_approved_event(*, case, actor, change: StateChange, closure_reason: str, note: str) -> CaseEvent:
    return _write(K.CLOSURE_APPROVED, case=case, actor=actor, change=change, closure_reason=closure_reason, note=note)


def closure_refused_event(*, case, actor, change: StateChange, note: str) -> CaseEvent:
    return _write(K.CLOSURE_REFUSED, case=case, actor=actor, change=change, note=note)


def transfer_requested_event(*, case, actor, change: StateChange, to_commune, reason: str) -> CaseEvent:
    return _write(
        K.TRANSFER_REQUESTED, case=case, actor=actor, change=change, to_commune=to_commune.code, reason=reason
    )


def transfer_accepted_event(*, case, actor, change: StateChange, from_commune, to_commune) -> CaseEvent:
    return _write(
        K.TRANSFER_ACCEPTED,
        case=case,
        actor=actor,
        change=change,
        from_commune=from_commune.code,
        to_commune=to_commune.code,
    )


def transfer_declined_event(*, case, actor, change: StateChange, declined_by, reason: str) -> CaseEvent:
    return _write(
        K.TRANSFER_DECLINED, case=case, actor=actor, change=change, declined_by=declined_by.code, reason=reason
    )


def not_child_protection_event(*, case, actor, change: StateChange, reason: str) -> CaseEvent:
    return _write(K.NOT_CHILD_PROTECTION, case=case, actor=actor, change=change, reason=reason)


def case_reopened_event(*, case, actor, change: StateChange, reason: str) -> CaseEvent:
    return _write(K.REOPENED, case=case, actor=actor, change=change, reason=reason)


# ------------------------------------------------------------------------------ notes, files, restriction


def note_added_event(*, case, actor, note: Note) -> CaseEvent:
    return _write(K.NOTE_ADDED, case=case, actor=actor, note=note.pk)


def file_attached_event(*, case, actor, attachment: Attachment) -> CaseEvent:
    return _write(K.FILE_ATTACHED, case=case, actor=actor, attachment=attachment.pk, sha256=attachment.sha256)


def case_restricted_event(*, case, actor, change: StateChange, named: list[str], reason: str) -> CaseEvent:
    return _write(K.RESTRICTED, case=case, actor=actor, change=change, named=named, reason=reason)


def case_unrestricted_event(*, case, actor, change: StateChange, previously_named: list[str], reason: str):
    return _write(
        K.UNRESTRICTED, case=case, actor=actor, change=change, previously_named=previously_named, reason=reason
    )


def responsibility_taken_event(*, case, actor) -> CaseEvent:
    """Before every open file had an officer, the first officer to act on one took it. No service writes
    this kind any more (the database refuses an open file without an officer); the old events still show."""
    return _write(K.RESPONSIBILITY_TAKEN, case=case, actor=actor, officer=actor.pk)


def responsibility_reassigned_event(*, case, actor, change: StateChange, reason: str, handover: str = "") -> CaseEvent:
    """HANDOVER: the key of the handover of an officer's whole caseload this file went with (it tells each
    officer once for all its files)."""
    extra = {"handover": handover} if handover else {}
    return _write(K.RESPONSIBILITY_REASSIGNED, case=case, actor=actor, change=change, reason=reason, **extra)


# ---------------------------------------------------------------------------------------------- families


def household_linked_event(*, case, actor, household_id: int, with_case: str = "") -> CaseEvent:
    """The child of CASE joined family group HOUSEHOLD_ID (with the child of the case file WITH_CASE)."""
    return _write(K.HOUSEHOLD_LINKED, case=case, actor=actor, household=household_id, with_case=with_case)


def household_left_event(*, case, actor, household_id: int) -> CaseEvent:
    return _write(K.HOUSEHOLD_LEFT, case=case, actor=actor, household=household_id)


# ---------------------------------------------------------------------------------------------- duplicates


def child_merged_event(*, case, actor, merge_id: int, kept_id: int, merged_id: int, moved: bool) -> CaseEvent:
    """The child of CASE was found to have two records, merged into KEPT_ID (MOVED: this case file came
    from the merged record)."""
    return _write(K.CHILD_MERGED, case=case, actor=actor, merge=merge_id, kept=kept_id, merged=merged_id, moved=moved)


def child_merge_undone_event(*, case, actor, merge_id: int, kept_id: int, merged_id: int, moved: bool) -> CaseEvent:
    """The merge MERGE_ID was undone (MOVED: this case file went back to the merged record)."""
    return _write(
        K.CHILD_MERGE_UNDONE, case=case, actor=actor, merge=merge_id, kept=kept_id, merged=merged_id, moved=moved
    )


def safety_plan_recorded_event(*, case, actor, change: StateChange, plan) -> CaseEvent:
    """The first safety plan (version 1); never its items' text."""
    return _write(
        K.SAFETY_PLAN_RECORDED, case=case, actor=actor, change=change, plan=plan.pk, review_date=str(plan.review_date)
    )


def safety_plan_reviewed_event(*, case, actor, change: StateChange, plan) -> CaseEvent:
    """A review of the safety plan: a new version, the earlier one kept."""
    return _write(
        K.SAFETY_PLAN_REVIEWED,
        case=case,
        actor=actor,
        change=change,
        plan=plan.pk,
        version=plan.number,
        review_date=str(plan.review_date),
    )


# ---------------------------------------------------------------------------------------------- assignments


def assignment_proposed_event(*, case, actor, assignment: Assignment) -> CaseEvent:
    return _write(
        K.ASSIGNMENT_PROPOSED,
        case=case,
        actor=actor,
        assignment=assignment.pk,
        agency=assignment.agency.name,
        service_type=assignment.service_type,
    )


def assignment_accepted_event(*, case, actor, assignment: Assignment) -> CaseEvent:
    return _write(
        K.ASSIGNMENT_ACCEPTED, case=case, actor=actor, assignment=assignment.pk, agency=assignment.agency.name
    )


def assignment_declined_event(*, case, actor, assignment: Assignment, reason: str) -> CaseEvent:
    return _write(
        K.ASSIGNMENT_DECLINED,
        case=case,
        actor=actor,
        assignment=assignment.pk,
        agency=assignment.agency.name,
        reason=reason,
    )


def assignment_progress_event(*, case, actor, assignment: Assignment, progress_id: int) -> CaseEvent:
    return _write(
        K.ASSIGNMENT_PROGRESS,
        case=case,
        actor=actor,
        assignment=assignment.pk,
        progress=progress_id,
        agency=assignment.agency.name,
    )


def assignment_closed_event(*, case, actor, assignment: Assignment) -> CaseEvent:
    return _write(
        K.ASSIGNMENT_CLOSED,
        case=case,
        actor=actor,
        assignment=assignment.pk,
        status=assignment.status,
        agency=assignment.agency.name,
    )


def assignment_cancelled_event(*, case, actor, assignment: Assignment) -> CaseEvent:
    return _write(K.ASSIGNMENT_CANCELLED, case=case, actor=actor, assignment=assignment.pk)


def plan_implemented_event(*, case, actor, plan_id: int) -> CaseEvent:
    return _write(K.PLAN_IMPLEMENTED, case=case, actor=actor, plan=plan_id)


# ---------------------------------------------------------------------------------------------- personal data


def lawful_basis_set_event(*, case, actor, change: StateChange, before: str, after: str) -> CaseEvent:
    return _write(K.LAWFUL_BASIS_SET, case=case, actor=actor, change=change, **{"from": before, "to": after})


def consent_recorded_event(*, case, actor, change: StateChange, consent) -> CaseEvent:
    return _write(K.CONSENT_RECORDED, case=case, actor=actor, change=change, consent=consent.pk, giver=consent.giver)


def consent_withdrawn_event(*, case, actor, change: StateChange, consent) -> CaseEvent:
    return _write(K.CONSENT_WITHDRAWN, case=case, actor=actor, change=change, consent=consent.pk)


def disclosure_recorded_event(*, case, actor, change: StateChange, disclosure) -> CaseEvent:
    return _write(
        K.DISCLOSED, case=case, actor=actor, change=change, disclosure=disclosure.pk, recipient=disclosure.recipient
    )


def data_request_received_event(*, case, actor, request) -> CaseEvent:
    return _write(K.DATA_REQUEST_RECEIVED, case=case, actor=actor, request=request.pk, kind=request.kind)


def data_request_answered_event(*, case, actor, request) -> CaseEvent:
    return _write(K.DATA_REQUEST_ANSWERED, case=case, actor=actor, request=request.pk, status=request.status)


# ---------------------------------------------------------------------------------------------- visits and flags


def visit_scheduled_event(*, case, actor, visit: Visit) -> CaseEvent:
    return _write(
        K.VISIT_SCHEDULED, case=case, actor=actor, visit=visit.pk, kind=visit.kind, planned_for=str(visit.planned_for)
    )


def visit_recorded_event(*, case, actor, visit: Visit) -> CaseEvent:
    """A contact with the child (cases.contacts counts from DONE_ON)."""
    return _write(
        K.VISIT_RECORDED,
        case=case,
        actor=actor,
        visit=visit.pk,
        kind=visit.kind,
        done_on=visit.done_on.isoformat(),
        child_seen=visit.child_seen,
        next_visit_on=visit.next_visit_on.isoformat() if visit.next_visit_on else "",
    )


def visit_cancelled_event(*, case, actor, visit: Visit) -> CaseEvent:
    return _write(K.VISIT_CANCELLED, case=case, actor=actor, visit=visit.pk, planned_for=str(visit.planned_for))


def flag_raised_event(*, case, actor, flag: CaseFlag) -> CaseEvent:
    return _write(K.FLAG_RAISED, case=case, actor=actor, flag=flag.pk, until=flag.until.isoformat())


def flag_lifted_event(*, case, actor, flag: CaseFlag) -> CaseEvent:
    return _write(K.FLAG_LIFTED, case=case, actor=actor, flag=flag.pk)


# ---------------------------------------------------------------------------------------------- register import


def cases_imported_events(*, cases: list[CaseFile], actor, register_import_id: int, positions: dict[int, int]) -> None:
    """Case files brought in from a commune's register: one event each (from nothing to the state the
    register showed) and its audit row, written in one statement each. Nobody is told and no contact rule
    is touched here: the files are history (the import starts their rules and live deadlines itself)."""
    now, kind = timezone.now(), K.IMPORTED
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case=case,
                actor=actor,
                kind=kind,
                from_state="",
                to_state=case.state,
                data={
                    "register_import": register_import_id,
                    "row": positions[case.pk],
                    "report": case.report_id,
                    "child": case.child_id,
                    "opened_at": case.opened_at.isoformat(),
                },
                at=now,
            )
            for case in cases
        ],
        batch_size=2000,
    )
    for case in cases:
        record(
            "create",
            "case",
            case.pk,
            case=case,
            actor=actor,
            fields={
                "event": kind.value,
                "register_import": register_import_id,
                "row": positions[case.pk],
                "state": case.state,
                "report": case.report_id,
                "child": case.child_id,
            },
        )
