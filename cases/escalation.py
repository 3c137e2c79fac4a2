"""Who is told when a case file's or an assignment's deadline escalates, and what they are told.

Resolved per batch of deadlines: one query for the targets, one for the staff of their area.
"""

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from notifications.models import RecipientRole
from notifications.recipients import ROLE_MEMBERS, AgencyStaff, Area, roles_of
from notifications.registry import Description, Resolution, roles_by_deadline
from notifications.services import worded

from .choices import SAFETY_PLAN_REVIEW_DEADLINE, DeadlineKind
from .models import Assignment, CaseFile, ContactRule, DataSubjectRequest

DEADLINE_LABELS = {
    "data_subject_request": gettext_noop("Answer the data-subject request"),
    "assignment_acceptance": gettext_noop("Agency accepts the assignment"),
    "assignment_due": gettext_noop("Assignment due"),
    SAFETY_PLAN_REVIEW_DEADLINE: gettext_noop("Review the safety plan"),
    "no_contact": gettext_noop("Contact the child: no visit or other contact for too long"),
}


def _describe(deadline, reference: str, commune_name: str, label, url: str, now, suffix: str = "") -> Description:
    """LABEL: the deadline's name, a message id or a lazy label, said in each language (`worded`)."""
    due = timezone.localtime(deadline.due_at).strftime("%H:%M %d/%m/%Y")

    def make():
        state = gettext("OVERDUE") if now > deadline.due_at else gettext("due soon")
        named = gettext(str(label)) + suffix
        values = {"reference": reference, "label": named, "state": state, "due": due, "commune": commune_name}
        # No child's name: messages travel by email and SMS gateways outside the system.
        return (
            gettext("[%(reference)s] %(label)s: %(state)s (%(due)s)") % values,
            gettext("Case file %(reference)s – %(commune)s. %(label)s, due %(due)s.") % values,
        )

    words = worded(make)
    return Description(title=words["title"], body=words["body"], url=url, translations=words["translations"])


def _url_pattern(name: str) -> str:
    # reverse() once per batch: it costs more than the rest of a description.
    return reverse(name, args=[987654321]).replace("987654321", "{pk}")


class CaseEscalationHandler:
    """The case's officer, the commune chairman, the coordinators and leaders above them."""

    url_name = "cases:detail"

    def cases_of(self, deadlines) -> dict[int, tuple]:
        """Deadline pk → (case file, object pk for the link, label)."""
        cases = CaseFile.objects.select_related("commune", "officer").in_bulk([d.target_id for d in deadlines])
        found = {}
        for deadline in deadlines:
            case = cases.get(deadline.target_id)
            if case is not None:
                label = (
                    DeadlineKind(deadline.kind).label
                    if deadline.kind in DeadlineKind.values
                    else DEADLINE_LABELS.get(deadline.kind, deadline.kind)
                )
                found[deadline.pk] = (case, case.pk, label)  # said in each language by _describe
        return found

    def resolve(self, deadlines, wanted) -> Resolution:
        targets = self.cases_of(deadlines)
        roles = roles_by_deadline(wanted)
        area = Area([case.commune for case, _pk, _label in targets.values()], roles_of(wanted))
        recipients, descriptions = {}, {}
        now, url = timezone.now(), _url_pattern(self.url_name)
        with translation.override("vi"):
            for deadline in deadlines:
                if deadline.pk not in targets:
                    continue
                case, link_pk, label = targets[deadline.pk]
                for role in roles[deadline.pk]:
                    if role == RecipientRole.RESPONSIBLE:
                        # The responsible officer while they still work as the commune's officer; else
                        # every officer of the commune (never an integration account, nor someone gone).
                        officers = area.holders(case.commune, role)
                        recipients[(deadline.pk, role)] = [u for u in officers if u.pk == case.officer_id] or officers
                    elif role in ROLE_MEMBERS:
                        recipients[(deadline.pk, role)] = area.holders(case.commune, role)
                descriptions[deadline.pk] = _describe(
                    deadline, case.reference, case.commune.name, label, url.format(pk=link_pk), now
                )
        return Resolution(recipients, descriptions)


class DataRequestEscalationHandler(CaseEscalationHandler):
    """A data-subject request: the same people as its case file; the link opens the request."""

    url_name = "cases:privacy"

    def cases_of(self, deadlines) -> dict[int, tuple]:
        requests = DataSubjectRequest.objects.select_related("case__commune", "case__officer").in_bulk(
            [d.target_id for d in deadlines]
        )
        label = DEADLINE_LABELS["data_subject_request"]
        return {
            d.pk: (requests[d.target_id].case, requests[d.target_id].case_id, label)
            for d in deadlines
            if d.target_id in requests
        }


class NoContactEscalationHandler(CaseEscalationHandler):
    """The no-contact rule of a case file (cases.contacts): the same people as its case file (the officer,
    then the chairman); the link opens the case file."""

    def cases_of(self, deadlines) -> dict[int, tuple]:
        rules = ContactRule.objects.select_related("case__commune", "case__officer").in_bulk(
            [d.target_id for d in deadlines]
        )
        label = DEADLINE_LABELS["no_contact"]
        return {
            d.pk: (rules[d.target_id].case, rules[d.target_id].case_id, label)
            for d in deadlines
            if d.target_id in rules
        }


class AssignmentEscalationHandler:
    """The agency's focal points first; its head (leader role in the agency, else the focal points)
    as supervisor; the coordinators and leaders of the case's area above them."""

    def resolve(self, deadlines, wanted) -> Resolution:
        assignments = Assignment.objects.select_related("case__commune", "agency").in_bulk(
            [d.target_id for d in deadlines]
        )
        agency_staff = AgencyStaff(a.agency_id for a in assignments.values())
        area = Area([a.case.commune for a in assignments.values()], roles_of(wanted))
        roles = roles_by_deadline(wanted)
        recipients, descriptions = {}, {}
        now, url = timezone.now(), _url_pattern("cases:assignment")
        with translation.override("vi"):
            for deadline in deadlines:
                assignment = assignments.get(deadline.target_id)
                if assignment is None:
                    continue
                for role in roles[deadline.pk]:
                    if role == RecipientRole.RESPONSIBLE:
                        recipients[(deadline.pk, role)] = agency_staff.focal_points(assignment.agency_id)
                    elif role == RecipientRole.SUPERVISOR:
                        recipients[(deadline.pk, role)] = agency_staff.heads(assignment.agency_id)
                    elif role in ROLE_MEMBERS:
                        recipients[(deadline.pk, role)] = area.holders(assignment.case.commune, role)
                descriptions[deadline.pk] = _describe(
                    deadline,
                    assignment.case.reference,
                    assignment.case.commune.name,
                    DEADLINE_LABELS.get(deadline.kind, deadline.kind),
                    url.format(pk=assignment.pk),
                    now,
                    suffix=f" ({assignment.agency.name})",
                )
        return Resolution(recipients, descriptions)
