"""Who is told when a case file's deadline escalates, and what they are told (per batch)."""

from collections import defaultdict

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from agencies.models import Role, StaffMembership, UnitLevel
from notifications.models import RecipientRole
from notifications.registry import Description, Resolution

from .choices import DeadlineKind
from .models import CaseFile

# Recipient role → (membership role, unit levels, fallback levels when nobody holds it there)
ROLE_MEMBERS = {
    RecipientRole.RESPONSIBLE: (Role.COMMUNE_OFFICER, (UnitLevel.COMMUNE,), ()),
    RecipientRole.SUPERVISOR: (Role.CHAIRMAN, (UnitLevel.COMMUNE,), ()),
    # Where there is no intermediate level (most provinces since 2025): the province's coordinators.
    RecipientRole.INTERMEDIATE_COORDINATOR: (Role.COORDINATOR, (UnitLevel.INTERMEDIATE,), (UnitLevel.PROVINCE,)),
    RecipientRole.PROVINCE_COORDINATOR: (Role.COORDINATOR, (UnitLevel.PROVINCE,), ()),
    RecipientRole.LEADER: (Role.LEADER, (UnitLevel.PROVINCE,), ()),
}


def _ancestor_paths(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: depth + 1]) + "/" for depth in range(len(parts))]


class CaseEscalationHandler:
    def resolve(self, deadlines, wanted) -> Resolution:
        cases = CaseFile.objects.select_related("commune", "officer").in_bulk([d.target_id for d in deadlines])
        return Resolution(self._recipients(deadlines, wanted, cases), self._descriptions(deadlines, cases))

    def _recipients(self, deadlines, wanted, cases) -> dict:
        roles = {role for _pk, role in wanted}
        paths = {path for case in cases.values() for path in _ancestor_paths(case.commune.path)}
        # Staff at each unit, by membership role and unit path: one query for the whole batch.
        staff: dict[tuple[str, str], list] = defaultdict(list)
        levels_of_path: dict[str, str] = {}
        membership_roles = {ROLE_MEMBERS[role][0] for role in roles if role in ROLE_MEMBERS}
        for membership in StaffMembership.objects.filter(
            role__in=membership_roles,
            is_active=True,
            agency__is_active=True,
            user__is_active=True,
            unit__path__in=paths,
        ).select_related("user", "unit"):
            staff[(membership.role, membership.unit.path)].append(membership.user)
            levels_of_path[membership.unit.path] = membership.unit.level

        def members(case, role, levels):
            found = {}
            for path in _ancestor_paths(case.commune.path):
                if levels_of_path.get(path) in levels:
                    for user in staff.get((role, path), []):
                        found.setdefault(user.pk, user)
            return list(found.values())

        roles_by_deadline: dict[int, set[str]] = defaultdict(set)
        for pk, role in wanted:
            roles_by_deadline[pk].add(role)
        result = {}
        for deadline in deadlines:
            case = cases.get(deadline.target_id)
            if case is None:
                continue
            pk = deadline.pk
            for role in roles_by_deadline[pk]:
                if role not in ROLE_MEMBERS:
                    continue
                if role == RecipientRole.RESPONSIBLE and case.officer is not None and case.officer.is_active:
                    result[(pk, role)] = [case.officer]
                    continue
                membership_role, levels, fallback = ROLE_MEMBERS[role]
                result[(pk, role)] = members(case, membership_role, levels) or (
                    members(case, membership_role, fallback) if fallback else []
                )
        return result

    def _descriptions(self, deadlines, cases) -> dict[int, Description]:
        now = timezone.now()
        # reverse() once: it costs more than the rest of a description.
        url_pattern = reverse("cases:detail", args=[987654321]).replace("987654321", "{pk}")
        descriptions = {}
        with translation.override("vi"):
            for deadline in deadlines:
                case = cases.get(deadline.target_id)
                if case is None:
                    continue
                label = DeadlineKind(deadline.kind).label if deadline.kind in DeadlineKind.values else deadline.kind
                due = timezone.localtime(deadline.due_at).strftime("%H:%M %d/%m/%Y")
                state = gettext("OVERDUE") if now > deadline.due_at else gettext("due soon")
                values = {
                    "reference": case.reference,
                    "label": label,
                    "state": state,
                    "due": due,
                    "commune": case.commune.name,
                }
                # No child's name: messages travel by email and SMS gateways outside the system.
                descriptions[deadline.pk] = Description(
                    title=gettext("[%(reference)s] %(label)s: %(state)s (%(due)s)") % values,
                    body=gettext("Case file %(reference)s – %(commune)s. %(label)s, due %(due)s.") % values,
                    url=url_pattern.format(pk=case.pk),
                )
        return descriptions
