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
    }.get(kind, kind)
