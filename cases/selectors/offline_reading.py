"""The officer's own open case files in short, for reading on the phone with no signal (kept there
encrypted by static/js/offline.js, never in a cache): only the files the access door lets them open."""

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext

from notifications.selectors import open_deadlines_for_targets

from .. import access
from ..ages import age_on
from ..choices import OPEN_STATES, DeadlineKind
from ..escalation import DEADLINE_LABELS
from ..models import CaseFile, Note

SUMMARY_LIMIT = 200
NOTES_SHOWN = 3
NOTE_TITLE_LENGTH = 80


def _deadline_label(kind: str) -> str:
    if kind in DeadlineKind.values:
        return str(DeadlineKind(kind).label)
    return gettext(DEADLINE_LABELS.get(kind, kind))


def _title(text: str) -> str:
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    return first_line if len(first_line) <= NOTE_TITLE_LENGTH else first_line[: NOTE_TITLE_LENGTH - 1] + "…"


def own_case_summaries(user) -> list[dict]:
    """The user's own open case files (they are its officer and may open it: a restricted file only when it
    names them), newest first, at most SUMMARY_LIMIT."""
    cases = list(
        access.cases_visible_to(user)
        .filter(officer=user, state__in=OPEN_STATES)
        .select_related("child")
        .prefetch_related(Prefetch("notes", queryset=Note.objects.order_by("-created_at", "-pk"), to_attr="newest"))
        .order_by("-opened_at")[:SUMMARY_LIMIT]
    )
    deadlines = open_deadlines_for_targets(CaseFile, [case.pk for case in cases])
    today = timezone.localdate()
    rows = []
    for case in cases:
        next_deadline = next(iter(deadlines.get(case.pk, [])), None)
        rows.append(
            {
                "id": case.pk,
                "reference": case.reference,
                "child": case.child.full_name,
                "age": age_on(case.child.birth_date, today),
                "state": case.get_state_display(),
                "risk": case.get_risk_level_display() if case.risk_level else "",
                "is_emergency": bool(case.is_emergency),
                "deadline": (
                    {"label": _deadline_label(next_deadline.kind), "due_at": next_deadline.due_at.isoformat()}
                    if next_deadline
                    else None
                ),
                "notes": [_title(note.text) for note in case.newest[:NOTES_SHOWN]],
            }
        )
    access.record_read("view", "offline_case_summaries", fields={"cases": [row["id"] for row in rows]})
    return rows
