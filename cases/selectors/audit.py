"""The audit trail as administrators and leaders search it."""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext, ngettext

from agencies.models import AdministrativeUnit
from audit.models import AuditEvent

from .. import access
from ..changes import LINKED, change_in_words
from ..choices import CaseEventKind
from ..events import TRACKED_FIELDS
from ..models import CaseFile

User = get_user_model()


@dataclass
class AuditFilters:
    username: str = ""
    reference: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def audit_trail(user, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """The trail a user may search, newest first: everything for a national administrator; for a
    province's leader, the entries about the case files of their province. 404 for anyone else."""
    scope = access.audit_scope(user)
    events = AuditEvent.objects.select_related("user").order_by("-at", "-pk")
    if scope is not None:
        events = events.filter(scope)
    if filters.username:
        events = events.filter(user__username__iexact=filters.username.strip())
    if filters.reference:
        events = events.filter(
            case_id__in=CaseFile.objects.filter(reference__iexact=filters.reference.strip()).values("pk")
        )
    if filters.date_from:
        events = events.filter(at__date__gte=filters.date_from)
    if filters.date_to:
        events = events.filter(at__date__lte=filters.date_to)
    return events


def with_references(events: list[AuditEvent]) -> list[AuditEvent]:
    """Attach each row's case reference (one query for the page) and what it did, in words."""
    references = dict(
        CaseFile.objects.filter(pk__in={e.case_id for e in events if e.case_id}).values_list("pk", "reference")
    )
    names = _names_of_linked(events)
    for event in events:
        event.case_reference = references.get(event.case_id, "")
        event.details = describe(event.fields or {}, names)
    return events


def _names_of_linked(events) -> dict[str, dict]:
    """The names of the units and people that the page's rows changed (two queries for the page)."""
    ids = {"unit": set(), "user": set()}
    for event in events:
        for name, value in (event.fields or {}).items():
            if name in LINKED and isinstance(value, list):
                ids[LINKED[name]].update(pk for pk in value if isinstance(pk, int))
    return {
        "unit": dict(AdministrativeUnit.objects.filter(pk__in=ids["unit"]).values_list("pk", "name")),
        "user": {user.pk: user.get_full_name() or user.username for user in User.objects.filter(pk__in=ids["user"])},
    }


def describe(fields: dict, names: dict | None = None) -> list[str]:
    """An audit row's recorded fields as lines a reader understands: the event by its label, each
    changed field by its name with its values before and after, counts instead of lists of ids."""
    lines = []
    if fields.get("event") in CaseEventKind.values:
        lines.append(str(CaseEventKind(fields["event"]).label))
    for name, value in fields.items():
        if name == "event":
            continue
        if isinstance(value, list) and len(value) == 2 and name in TRACKED_FIELDS:
            label, before, after = change_in_words(name, value[0], value[1], names)
            lines.append(f"{label}: {before} → {after}")
        elif name == "cases":
            lines.append(ngettext("%(count)s case file", "%(count)s case files", len(value)) % {"count": len(value)})
        elif name == "children":
            lines.append(
                ngettext("%(count)s child found", "%(count)s children found", len(value)) % {"count": len(value)}
            )
        elif name == "form":
            lines.append(gettext("Form %(number)s") % {"number": f"{value:02d}"})
        elif name == "username":
            lines.append(gettext("User name typed: %(name)s") % {"name": value})
        elif name == "reason":
            lines.append(str(value))
    return lines
