"""Who is told when a plan task's occurrence is late: the lead agency, then the plan's leader."""

from collections import defaultdict

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from agencies.access import ancestor_paths
from agencies.models import Role, StaffMembership
from notifications.models import RecipientRole
from notifications.recipients import AgencyStaff
from notifications.registry import Description, Resolution, roles_by_deadline
from notifications.services import worded

from .models import TaskOccurrence


class OccurrenceEscalationHandler:
    def resolve(self, deadlines, wanted) -> Resolution:
        occurrences = TaskOccurrence.objects.select_related(
            "task__plan__unit", "task__plan__leader", "task__lead_agency"
        ).in_bulk([d.target_id for d in deadlines])
        agency_staff = AgencyStaff(o.task.lead_agency_id for o in occurrences.values())
        unit_paths = {path for o in occurrences.values() for path in ancestor_paths(o.task.plan.unit.path)}
        leaders: dict[str, list] = defaultdict(list)
        for membership in StaffMembership.objects.filter(
            role=Role.LEADER, is_active=True, user__is_active=True, unit__path__in=unit_paths
        ).select_related("user", "unit"):
            leaders[membership.unit.path].append(membership.user)
        roles = roles_by_deadline(wanted)
        recipients, descriptions = {}, {}
        now = timezone.now()
        with translation.override("vi"):
            for deadline in deadlines:
                occurrence = occurrences.get(deadline.target_id)
                if occurrence is None:
                    continue
                task, plan = occurrence.task, occurrence.task.plan
                pk = deadline.pk
                for role in roles[pk]:
                    if role == RecipientRole.RESPONSIBLE:
                        recipients[(pk, role)] = agency_staff.focal_points(task.lead_agency_id)
                    elif role == RecipientRole.SUPERVISOR:
                        recipients[(pk, role)] = agency_staff.heads(task.lead_agency_id)
                    elif role == RecipientRole.LEADER:
                        recipients[(pk, role)] = [plan.leader] if plan.leader else leaders.get(plan.unit.path, [])
                due = occurrence.due_date.strftime("%d/%m/%Y")
                overdue = now > deadline.due_at

                def make(plan=plan, task=task, due=due, overdue=overdue):
                    state = gettext("OVERDUE") if overdue else gettext("due soon")
                    title = gettext("[%(plan)s] %(agency)s: task %(state)s (%(due)s)") % {
                        "plan": plan.number,
                        "agency": task.lead_agency.name,
                        "state": state,
                        "due": due,
                    }
                    return title, task.content[:300]

                words = worded(make)
                descriptions[deadline.pk] = Description(
                    title=words["title"],
                    body=words["body"],
                    url=reverse("plans:detail", args=[plan.pk]),
                    translations=words["translations"],
                )
        return Resolution(recipients, descriptions)
