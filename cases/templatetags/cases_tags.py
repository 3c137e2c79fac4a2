from html import escape

from django import template
from django.utils.safestring import SafeString
from django.utils.timezone import get_current_timezone
from django.utils.translation import gettext_lazy

from cases.choices import DeadlineKind

register = template.Library()

BADGE_CLASSES = {
    "overdue": "text-bg-danger",
    "due_soon": "text-bg-warning",
    "due": "text-bg-secondary",
    "met": "text-bg-success",
    "cancelled": "text-bg-light",
}


@register.filter
def deadline_label(kind: str) -> str:
    try:
        return DeadlineKind(kind).label
    except ValueError:
        return kind


@register.filter
def badge_class(status: str) -> str:
    return BADGE_CLASSES.get(status, "text-bg-secondary")


STATUS_WORDS = {
    "overdue": gettext_lazy("overdue since"),
    "met": gettext_lazy("met"),
    "cancelled": gettext_lazy("cancelled"),
    "due_soon": gettext_lazy("due soon"),
}
DUE_WORD = gettext_lazy("due")


def badge_maker():
    """deadline_badge for many deadlines: the labels translated and the time zone read once (each
    translation or time-zone lookup goes through asgiref's context-local storage, slow in bulk)."""
    tz = get_current_timezone()
    kinds = {kind: escape(str(label)) for kind, label in DeadlineKind.choices}
    words = {status: escape(str(word)) for status, word in STATUS_WORDS.items()}
    due_word = escape(str(DUE_WORD))

    def make(deadline, status) -> str:
        due = "" if status in ("met", "cancelled") else deadline.due_at.astimezone(tz).strftime("%H:%M %d/%m/%Y")
        kind = escape(deadline.kind)
        label, word = kinds.get(deadline.kind, kind), words.get(status, due_word)
        # SafeString directly: mark_safe's lazy-argument check costs more than the rest in bulk.
        return SafeString(
            f'<span class="badge deadline {badge_class(status)}" data-testid="deadline-{kind}" '
            f'data-status="{escape(status)}">{label}: {word} {due}</span>'
        )

    return make


@register.simple_tag
def deadline_badge(deadline, status):
    """A deadline's badge, built in Python (lists show one per deadline on every row)."""
    return badge_maker()(deadline, status)


@register.filter
def state_label(state: str) -> str:
    from cases.choices import CaseState

    try:
        return CaseState(state).label
    except ValueError:
        return state


@register.filter
def event_label(kind: str) -> str:
    """A timeline event's label (every kind has one: cases.choices.CaseEventKind)."""
    from cases.choices import CaseEventKind

    return str(CaseEventKind(kind).label)


_SHOWN_CHANGES = ("risk_level", "is_emergency", "closure_reason")


@register.filter
def event_changes(event) -> list[tuple[str, str, str]]:
    """(field label, before, after) for the changed fields a reader cares about; no query."""
    from cases.changes import change_in_words

    changes = (event.data or {}).get("changes", {})
    return [change_in_words(name, before, after) for name, (before, after) in changes.items() if name in _SHOWN_CHANGES]


@register.filter
def get_form(forms_by_name: dict, name: str):
    return forms_by_name.get(name)
