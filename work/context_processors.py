"""What the navigation bar shows a person: the menu entries their roles open (decided by each app's access
door, never by the template) and how much work waits for them."""

from agencies.access import active_memberships, kept_for, may_keep_lists
from cases import access as case_access
from outgoing import access as outgoing_access
from plans import access as plan_access
from reports import access as report_access

from .selectors import work_count


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # A function of the person's memberships and account flags only: kept with the memberships, whose every
    # change renews it (agencies.access.kept_for); the flags are in its name.
    flags = f"{int(user.is_staff)}{int(user.is_superuser)}{int(user.is_active)}"
    nav = kept_for(user, f"nav:{flags}", lambda: _entries(user))
    return {"nav": nav, "work_count": work_count(user) if active_memberships(user) else 0}


def _entries(user) -> dict[str, bool]:
    return {
        "cases": case_access.may_open_case_files(user),
        "coordination": case_access.may_coordinate(user),
        "caseload": case_access.may_see_caseloads(user),
        "data_requests": case_access.may_handle_privacy(user),
        "inbox": case_access.may_act_for_an_agency(user),
        "receive": case_access.may_receive_reports(user),
        "case_work": case_access.may_keep_case_files(user),
        "audit": case_access.may_search_audit(user),
        "community_report": case_access.may_report_as_collaborator(user),
        # The offline forms: the officer's, an agency's progress report on its assignment, and the
        # collaborator's short report from a hamlet without signal.
        "offline": case_access.may_receive_reports(user)
        or case_access.may_act_for_an_agency(user)
        or case_access.may_report_as_collaborator(user),
        "hotline": case_access.may_supervise_hotline(user),
        "passed_on": case_access.may_follow_passed_on_reports(user),
        "reports": report_access.may_see_reports(user),
        "register": outgoing_access.may_see_register(user),
        "plan_tasks": bool(plan_access.agency_ids_of(user)),
        "import_plans": plan_access.may_import_plans(user),
        "lists": may_keep_lists(user),
        "administration": user.is_staff,
    }
