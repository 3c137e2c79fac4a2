"""Who may look at which unit's figures and reports: anyone whose jurisdiction covers the unit, with a role
that works on reports. Outside the jurisdiction: 404."""

from django.http import Http404

from agencies.access import active_memberships, jurisdiction_of
from agencies.models import AdministrativeUnit, Role

from .models import PeriodicReport

REPORT_ROLES = frozenset({Role.COMMUNE_OFFICER, Role.CHAIRMAN, Role.COORDINATOR, Role.LEADER, Role.SYSTEM_ADMIN})


def default_unit(user) -> AdministrativeUnit | None:
    """The top unit of the user's report roles (None: the whole country)."""
    if jurisdiction_of(user, REPORT_ROLES).is_nationwide:
        return None
    units = [m.unit for m in active_memberships(user) if m.role in REPORT_ROLES and m.unit is not None]
    if not units:
        raise Http404
    return min(units, key=lambda unit: unit.path.count("/"))


def report_unit(user, code: str | None) -> AdministrativeUnit | None:
    """The unit with official CODE if the user's report roles cover it; "VN" is the whole country."""
    if not code:
        return default_unit(user)
    jurisdiction = jurisdiction_of(user, REPORT_ROLES)
    if code.upper() == "VN":
        if jurisdiction.is_nationwide:
            return None
        raise Http404
    candidates = AdministrativeUnit.objects.filter(code=code, is_active=True)
    for unit in candidates:
        if jurisdiction.covers_path(unit.path):
            return unit
    raise Http404


def report_for_user(user, pk) -> PeriodicReport:
    report = PeriodicReport.objects.select_related("unit").filter(pk=pk).first()
    if report is None or not jurisdiction_of(user, REPORT_ROLES).covers_path(report.unit.path):
        raise Http404
    return report
