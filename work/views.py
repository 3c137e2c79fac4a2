from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from agencies.access import active_memberships
from agencies.models import Role
from notifications.work import remember_count

from .selectors import work_for

ROLE_GUIDANCE = {
    Role.COMMUNE_OFFICER: _(
        "You receive reports, assess risk, draft the support and intervention plan and follow each case file "
        "of your commune."
    ),
    Role.COLLABORATOR: _("You pass on reports of children at risk in your hamlet to the commune officer."),
    Role.CHAIRMAN: _("You decide on emergency measures and approve or return intervention plans and closures."),
    Role.FOCAL_POINT: _("You accept the interventions assigned to your agency and report their progress."),
    Role.COORDINATOR: _("You follow the case files and assignments of every unit in your area and reassign late work."),
    Role.LEADER: _("You follow plans and periodic reports; you see figures, not children's names."),
    Role.SYSTEM_ADMIN: _("You configure units, agencies, staff and the deadline rules."),
    Role.HOTLINE_SUPERVISOR: _(
        "You follow the reports the hotline 111 passed on: whether each commune met the legal time limits."
    ),
}


@login_required
@require_GET
def home(request):
    """Home is work: what waits for this person, the most urgent first, each one tap from its action."""
    memberships = active_memberships(request.user)
    work = work_for(request.user)
    remember_count(request.user, work.count)  # the menu's badge, without counting twice
    return render(
        request,
        "home.html",
        {
            "work": work,
            "memberships": memberships,
            "guidance": [(m, ROLE_GUIDANCE[m.role]) for m in memberships],
        },
    )
