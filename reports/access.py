"""Who may look at which unit's figures and reports: anyone whose jurisdiction covers the unit, with a role
that works on reports. Outside the jurisdiction: 404."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from agencies.access import active_memberships, jurisdiction_of, roles_covering
from agencies.models import AdministrativeUnit, Role
from audit.recorder import record

from .models import PeriodicReport

REPORT_ROLES = frozenset({Role.COMMUNE_OFFICER, Role.CHAIRMAN, Role.COORDINATOR, Role.LEADER, Role.SYSTEM_ADMIN})
# Who writes and submits a unit's report: the unit's own people (a membership at the unit itself, never
# one above it: a province leader does not write a commune's report, which the commune signs); and who
# accepts or returns the reports of the units below.
AUTHOR_ROLES = frozenset({Role.COMMUNE_OFFICER, Role.CHAIRMAN, Role.COORDINATOR, Role.LEADER})
REVIEW_ROLES = frozenset({Role.COORDINATOR, Role.LEADER, Role.SYSTEM_ADMIN})


def may_see_reports(user) -> bool:
    return not jurisdiction_of(user, REPORT_ROLES).is_empty


def require_role(user, unit: AdministrativeUnit, roles: frozenset[str]) -> None:
    if not roles_covering(user, unit) & roles:
        raise PermissionDenied(_("Your role does not allow this for this unit's report."))


def may_author(user, unit: AdministrativeUnit) -> bool:
    """Whether USER writes and submits UNIT's report: an author's role held at the unit itself."""
    return any(m.unit_id == unit.pk and m.role in AUTHOR_ROLES for m in active_memberships(user))


def require_author(user, unit: AdministrativeUnit) -> None:
    if not may_author(user, unit):
        raise PermissionDenied(_("Only the unit's own officers and leaders write and submit its report."))


def may_review(user, report: PeriodicReport) -> bool:
    """Whether USER accepts or returns REPORT: a reviewer's role over the unit above, once submitted."""
    parent = report.unit.parent
    return parent is not None and bool(roles_covering(user, parent) & REVIEW_ROLES)


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
    """The report if the user's report roles cover its unit, else 404."""
    report = PeriodicReport.objects.select_related("unit").filter(pk=pk).first()
    if report is None or not jurisdiction_of(user, REPORT_ROLES).covers_path(report.unit.path):
        raise Http404
    return report


def record_download(report: PeriodicReport, *, fields: dict | None = None) -> None:
    """A report's file handed out (after the caller found it exists)."""
    record("download", "periodic_report", report.pk, fields=fields)
