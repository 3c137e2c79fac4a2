"""What every write to a case file shares: the lock and checks before a step, the new version and the
state change after it, and the legal deadlines registered with the notifications app."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F
from django.utils.translation import gettext as _

from agencies.access import province_pk_of
from agencies.models import AdministrativeUnit, Agency
from config.errors import Conflict
from notifications.services import deadline_set, deadlines_open

from .. import access
from ..choices import DeadlineKind
from ..deadlines import due_at, rules_for
from ..events import TRACKED_FIELDS, StateChange
from ..models import CaseFile
from ..workflow import Action


def _tracked(case: CaseFile) -> dict:
    return {name: getattr(case, name) for name in TRACKED_FIELDS}


def _json_value(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


@dataclass
class Step:
    """One step of the procedure under way: the locked case file, the action, and what it was before."""

    case: CaseFile
    action: Action
    from_state: str
    before: dict
    actor: object


def case_lock(case: CaseFile, expected_version: int | None = None) -> CaseFile:
    """The case file's row, locked for this transaction; a stale version is refused (nothing overwritten)."""
    locked = CaseFile.objects.select_for_update(of=("self",)).select_related("commune", "transfer_to", "child")
    locked = locked.get(pk=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict
    return locked


def step_begin(*, actor, case: CaseFile, action: str, expected_version: int | None) -> Step:
    """Lock the case, check role (the access door), version and state."""
    locked = case_lock(case)
    spec = access.require_action(actor, locked, action)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict
    if locked.state not in spec.sources:
        raise ValidationError(
            _("This step is not possible now: the case file is “%(state)s”.") % {"state": locked.get_state_display()}
        )
    return Step(case=locked, action=spec, from_state=locked.state, before=_tracked(locked), actor=actor)


def step_commit(step: Step, *, to_state: str | None = None, fields=()) -> StateChange:
    """Move the case to the action's target state (or TO_STATE where the action's outcome decides it),
    save FIELDS with a new version, and say what changed."""
    target = to_state or step.action.target
    if target is None:
        raise ValueError(f"the action {step.action.name} needs an explicit target state")
    case = step.case
    case.state = target
    return _save(case, step.before, ["state", *fields])


def case_touch(case: CaseFile, *, fields=(), before: dict | None = None) -> StateChange:
    """A change outside the procedure (restriction, personal-data duties, who answers for it): a new
    version, same state. BEFORE: the tracked fields as they were, when the caller changed one of them."""
    return _save(case, before or _tracked(case), list(fields))


def tracked(case: CaseFile) -> dict:
    """The tracked fields' values now (to pass to case_touch as BEFORE when changing one of them)."""
    return _tracked(case)


def _save(case: CaseFile, before: dict, fields: list[str]) -> StateChange:
    case.version = F("version") + 1
    case.save(update_fields=[*dict.fromkeys(fields), "version", "updated_at"])
    case.refresh_from_db(fields=["version"])
    after = _tracked(case)
    changes = {
        name: [_json_value(before[name]), _json_value(after[name])]
        for name in TRACKED_FIELDS
        if before[name] != after[name]
    }
    return StateChange(before["state"], case.state, changes)


def serves(agency: Agency, case: CaseFile) -> bool:
    """An agency serves a case when it works at the case's commune, above it, or nationwide."""
    return agency.unit is None or agency.unit.contains(case.commune) or case.commune.contains(agency.unit)


# ---------------------------------------------------------------------------------------------- deadlines

INTAKE_DEADLINES = (DeadlineKind.EMERGENCY_DECISION, DeadlineKind.PLAN_SUBMISSION, DeadlineKind.PLAN_APPROVAL)


def _province(case: CaseFile) -> AdministrativeUnit:
    return AdministrativeUnit(pk=province_pk_of(case.commune))  # from the path, no query


def reserve_ids(model, count: int) -> list[int] | None:
    """COUNT new primary keys of MODEL taken from its PostgreSQL sequence, so that rows whose other
    columns derive from their number are written once; None where there is no sequence to ask (SQLite)."""
    if connection.vendor != "postgresql" or count < 1:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def intake_deadlines_open(case: CaseFile, start: datetime.datetime, rules=None) -> None:
    rules = rules or rules_for(case.commune)
    deadlines_open(
        target=case,
        deadlines=[(kind, start, due_at(start, *rules[kind])) for kind in INTAKE_DEADLINES],
        province=_province(case),
    )


def deadline_start(case: CaseFile, kind: str, start: datetime.datetime, rules=None) -> None:
    amount, unit = (rules or rules_for(case.commune))[kind]
    deadline_set(target=case, kind=kind, starts_at=start, due_at=due_at(start, amount, unit), province=_province(case))
