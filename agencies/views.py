from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .access import active_memberships
from .models import Role, UnitLevel
from .selectors import agencies_for_user, unit_counts_for_user

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
}


@login_required
def home(request):
    memberships = active_memberships(request.user)
    counts = unit_counts_for_user(request.user)
    context = {
        "memberships": memberships,
        "cards": [(membership, ROLE_GUIDANCE[membership.role]) for membership in memberships],
        "unit_counts": [(level, label, counts[level]) for level, label in UnitLevel.choices],
    }
    return render(request, "home.html", context)


@login_required
def directory(request):
    page = Paginator(agencies_for_user(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "agencies/directory.html", {"page_obj": page})
