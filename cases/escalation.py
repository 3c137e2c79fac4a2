"""Who is told when a case file's deadline escalates, and what they are told."""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone, translation

from agencies.models import AdministrativeUnit, Role, StaffMembership, UnitLevel
from notifications.models import RecipientRole
from notifications.registry import Description

from .choices import DeadlineKind
from .models import CaseFile


def _ancestor_paths(unit: AdministrativeUnit) -> list[str]:
    parts = unit.path.strip("/").split("/")
    return ["/" + "/".join(parts[: depth + 1]) + "/" for depth in range(len(parts))]


def _members(commune: AdministrativeUnit, role: str, levels: tuple[str, ...]) -> list:
    user_ids = StaffMembership.objects.filter(
        role=role,
        is_active=True,
        agency__is_active=True,
        unit__path__in=_ancestor_paths(commune),
        unit__level__in=levels,
        user__is_active=True,
    ).values_list("user_id", flat=True)
    return list(get_user_model().objects.filter(pk__in=user_ids).order_by("pk"))


class CaseEscalationHandler:
    def recipients(self, deadline, role: str) -> list:
        case = CaseFile.objects.select_related("commune", "officer").filter(pk=deadline.target_id).first()
        if case is None:
            return []
        commune = case.commune
        if role == RecipientRole.RESPONSIBLE:
            if case.officer is not None and case.officer.is_active:
                return [case.officer]
            return _members(commune, Role.COMMUNE_OFFICER, (UnitLevel.COMMUNE,))
        if role == RecipientRole.SUPERVISOR:
            return _members(commune, Role.CHAIRMAN, (UnitLevel.COMMUNE,))
        if role == RecipientRole.INTERMEDIATE_COORDINATOR:
            # Where there is no intermediate level (most provinces since 2025), the province's coordinators.
            return _members(commune, Role.COORDINATOR, (UnitLevel.INTERMEDIATE,)) or _members(
                commune, Role.COORDINATOR, (UnitLevel.PROVINCE,)
            )
        if role == RecipientRole.PROVINCE_COORDINATOR:
            return _members(commune, Role.COORDINATOR, (UnitLevel.PROVINCE,))
        if role == RecipientRole.LEADER:
            return _members(commune, Role.LEADER, (UnitLevel.PROVINCE,))
        return []

    def describe(self, deadline) -> Description:
        case = CaseFile.objects.select_related("commune").get(pk=deadline.target_id)
        with translation.override("vi"):
            label = DeadlineKind(deadline.kind).label if deadline.kind in DeadlineKind.values else deadline.kind
            due = timezone.localtime(deadline.due_at).strftime("%H:%M %d/%m/%Y")
            overdue = timezone.now() > deadline.due_at
            state = "QUÁ HẠN" if overdue else "sắp đến hạn"
            # No child's name: messages travel by email and SMS gateways outside the system.
            title = f"[{case.reference}] {label}: {state} ({due})"
            body = f"Hồ sơ {case.reference} – {case.commune.name}. {label}, hạn {due}."
        return Description(title=title, body=body, url=reverse("cases:detail", args=[case.pk]))
