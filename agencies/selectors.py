"""Reads of units, agencies and staff, always scoped by the user's jurisdiction."""

from django.db.models import Count, Q, QuerySet

from .access import jurisdiction_of, units_visible_to
from .models import Agency, StaffMembership, UnitLevel


def unit_counts_for_user(user) -> dict[str, int]:
    """How many active units of each level the user's jurisdiction covers."""
    counts = (
        units_visible_to(user)
        .filter(is_active=True)
        .aggregate(**{level: Count("pk", filter=Q(level=level)) for level in UnitLevel.values})
    )
    return {level: counts[level] for level in UnitLevel.values}


def agencies_for_user(user) -> QuerySet[Agency]:
    """Agencies serving a unit in the user's jurisdiction, and national agencies."""
    return (
        Agency.objects.filter(jurisdiction_of(user).q("unit__path") | Q(unit__isnull=True), is_active=True)
        .select_related("agency_type", "unit")
        .order_by("unit__path", "agency_type__sort_order", "name")
    )


def staff_for_user(user) -> QuerySet[StaffMembership]:
    return (
        StaffMembership.objects.filter(jurisdiction_of(user).q("unit__path"), is_active=True)
        .select_related("user", "agency", "unit")
        .order_by("unit__path", "role", "user__username")
    )
