"""What the navigation bar shows a person: the menu entries their roles open (decided by each app's access
door, never by the template) and how much work waits for them."""

from agencies.access import active_memberships
from agencies.models import Role
from cases import access as case_access
from plans import access as plan_access
from reports import access as report_access

from .selectors import work_count


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = {membership.role for membership in active_memberships(user)}
    if user.is_superuser:
        roles.add(Role.SYSTEM_ADMIN)
    nav = {
        "cases": bool(roles & case_access.VIEW_ROLES),
        "coordination": case_access.may_coordinate(user),
        "data_requests": bool(roles & case_access.PRIVACY_ROLES),
        "inbox": Role.FOCAL_POINT in roles,
        "audit": case_access.may_search_audit(user),
        "reports": bool(roles & report_access.REPORT_ROLES),
        "plan_tasks": bool(roles & set(plan_access.AGENCY_ROLES)),
        "import_plans": plan_access.may_import_plans(user),
        "administration": user.is_staff,
    }
    return {"nav": nav, "work_count": work_count(user) if active_memberships(user) else 0}
