"""Who holds each recipient role of a ladder's step, for the handlers of the apps whose deadlines
escalate: the membership role that answers to it, at which level, and where to look when nobody
holds it there."""

from agencies.models import Role, UnitLevel
from agencies.selectors import AgencyStaff, AreaStaff

from .models import RecipientRole

# Recipient role → (membership role, unit levels, fallback levels when nobody holds it there)
ROLE_MEMBERS = {
    RecipientRole.RESPONSIBLE: (Role.COMMUNE_OFFICER, (UnitLevel.COMMUNE,), ()),
    RecipientRole.SUPERVISOR: (Role.CHAIRMAN, (UnitLevel.COMMUNE,), ()),
    # Where there is no intermediate level (most provinces since 2025): the province's coordinators.
    RecipientRole.INTERMEDIATE_COORDINATOR: (Role.COORDINATOR, (UnitLevel.INTERMEDIATE,), (UnitLevel.PROVINCE,)),
    RecipientRole.PROVINCE_COORDINATOR: (Role.COORDINATOR, (UnitLevel.PROVINCE,), ()),
    RecipientRole.LEADER: (Role.LEADER, (UnitLevel.PROVINCE,), ()),
}


class Area:
    """The staff of the area of a batch of units, by recipient role (one query)."""

    def __init__(self, units, recipient_roles):
        roles = {ROLE_MEMBERS[role][0] for role in recipient_roles if role in ROLE_MEMBERS}
        self._staff = AreaStaff(units, roles)

    def holders(self, unit, recipient_role: str) -> list:
        membership_role, levels, fallback = ROLE_MEMBERS[recipient_role]
        return self._staff.at(unit, membership_role, levels) or (
            self._staff.at(unit, membership_role, fallback) if fallback else []
        )


def roles_of(wanted) -> set[str]:
    """The recipient roles asked for in a batch ((deadline pk, role) pairs)."""
    return {role for _pk, role in wanted}


__all__ = ["ROLE_MEMBERS", "AgencyStaff", "Area", "roles_of"]
