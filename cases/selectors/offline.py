"""What the phone keeps for offline reading: the officer's own open case files, in short."""

from .. import access
from ..choices import OPEN_STATES, CaseState


def own_open_cases(user) -> list[dict]:
    cases = (
        access.cases_visible_to(user)
        .filter(officer=user, state__in=OPEN_STATES)
        .select_related("child")
        .order_by("-opened_at")[:200]
    )
    rows = [
        {
            "id": case.pk,
            "reference": case.reference,
            "version": case.version,
            "state": case.get_state_display(),
            "can_assess": case.state == CaseState.RECEIVED,
            "child": case.child.full_name,
        }
        for case in cases
    ]
    access.record_read("view", "offline_cases", fields={"cases": [row["id"] for row in rows]})
    return rows
