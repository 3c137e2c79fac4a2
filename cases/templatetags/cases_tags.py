from html import escape

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from cases.choices import DeadlineKind

register = template.Library()


def badge_maker(clock=None):
    """deadline_badge for many deadlines: the labels translated, the time zone and the working-day calendar
    read once (each translation or time-zone lookup goes through asgiref's context-local storage, slow in
    bulk). The badge says the urgency in words ("quá hạn 2 ngày", "còn 3 ngày làm việc"); colour adds to it."""
    from notifications.urgency import Clock

    clock = clock or Clock()
    from cases.escalation import DEADLINE_LABELS

    kinds = {kind: escape(gettext(label)) for kind, label in DEADLINE_LABELS.items()}
    kinds |= {kind: escape(str(label)) for kind, label in DeadlineKind.choices}

    def make(deadline, status) -> str:
        state = "met" if status == "met" else "cancelled" if status == "cancelled" else "open"
        urgency = clock.of(deadline.due_at, state=state)
        kind = escape(deadline.kind)
        label = kinds.get(deadline.kind, kind)
        # SafeString directly: mark_safe's lazy-argument check costs more than the rest in bulk.
        return SafeString(
            f'<span class="badge deadline {urgency.css}" data-testid="deadline-{kind}" data-status="{escape(status)}" '
            f'data-urgency="{urgency.level}">{label}: {escape(urgency.words)}</span>'
        )

    return make


@register.filter
def deadline_label(kind: str) -> str:
    """A deadline kind's label; the other apps' kinds (assignments, data requests…) read as they are named."""
    from cases.escalation import DEADLINE_LABELS

    if kind in DeadlineKind.values:
        return DeadlineKind(kind).label
    return gettext(DEADLINE_LABELS.get(kind, kind))


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


@register.simple_tag
def filter_fields(form):
    """A list's filter fields and their Apply button. Before any filter is applied (most pages: the list as
    it opens) the empty form is the same for everyone offered the same choices: rendered once per process
    for them (config/fragments.py); a form holding values or errors is rendered each time."""
    from django.template.loader import render_to_string

    from config.fragments import rendered_once

    if form.is_bound:
        return render_to_string("cases/_filter_fields.html", {"form": form})
    choices = tuple(
        (name, tuple((str(value), str(label)) for value, label in field.widget.choices))
        for name, field in form.fields.items()
        if hasattr(field.widget, "choices")
    )
    key = (type(form).__qualname__, tuple(form.fields), choices)
    return SafeString(rendered_once("cases/_filter_fields.html", key, lambda: {"form": form}))
