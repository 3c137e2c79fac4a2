from django import template

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


@register.inclusion_tag("cases/_deadline_badge.html")
def deadline_badge(deadline, status):
    return {"deadline": deadline, "status": status}


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
