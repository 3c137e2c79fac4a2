from django import template
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
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


@register.simple_tag
def deadline_badge(deadline, status):
    """A deadline's badge; built in Python because lists show one per deadline on every row."""
    due = "" if status in ("met", "cancelled") else date_format(localtime(deadline.due_at), "H:i d/m/Y")
    return format_html(
        '<span class="badge deadline {}" data-testid="deadline-{}" data-status="{}">{}: {} {}</span>',
        badge_class(status),
        deadline.kind,
        status,
        deadline_label(deadline.kind),
        STATUS_WORDS.get(status, gettext_lazy("due")),
        due,
    )


@register.filter
def state_label(state: str) -> str:
    from cases.choices import CaseState

    try:
        return CaseState(state).label
    except ValueError:
        return state


@register.filter
def event_label(kind: str) -> str:
    from django.utils.translation import gettext

    from cases.workflow import ACTIONS

    if kind in ACTIONS:
        return str(ACTIONS[kind].label)
    return {
        "received": gettext("Report received, case file opened"),
        "note": gettext("Note added"),
        "attachment": gettext("File attached"),
        "restrict": gettext("Restricted to named users"),
    }.get(kind, kind)


_SHOWN_CHANGES = ("risk_level", "is_emergency", "closure_reason")


@register.filter
def event_changes(event) -> list[tuple[str, str, str]]:
    """(field label, before, after) for the changed fields a reader cares about; no query."""
    from django.utils.translation import gettext

    from cases.models import CaseFile

    def shown(name, value):
        if value in (None, ""):
            return "—"
        if isinstance(value, bool):
            return gettext("Yes") if value else gettext("No")
        field = CaseFile._meta.get_field(name)
        return str(dict(field.choices).get(value, value)) if field.choices else str(value)

    rows = []
    for name, (before, after) in (event.data or {}).get("changes", {}).items():
        if name in _SHOWN_CHANGES:
            label = str(CaseFile._meta.get_field(name).verbose_name)
            rows.append((label[:1].upper() + label[1:], shown(name, before), shown(name, after)))
    return rows


@register.filter
def get_form(forms_by_name: dict, name: str):
    return forms_by_name.get(name)
