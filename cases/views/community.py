"""Reports from the community, inside the application: the collaborator's short form and their own list,
and the officer's page to verify one (record it as a report, or close it)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from agencies.models import AdministrativeUnit

from .. import access, forms, services
from ..downloads import photo_response
from ..models import CommunityReportStatus
from ..selectors.community import own_reports, public_status
from .common import apply_errors


@login_required
def community_new(request):
    """The collaborator's short form, from their hamlet (any other user: 403, said plainly)."""
    places = access.collaborator_places(request.user)
    if not places:
        raise PermissionDenied(_("Only a collaborator of a hamlet can send this form."))
    communes = access.collaborator_communes(request.user)
    hamlets = AdministrativeUnit.objects.filter(pk__in=[hamlet.pk for _c, hamlet in places if hamlet is not None])
    form = forms.CommunityReportForm(
        request.POST or None, hamlets=hamlets, communes=communes, initial={"hamlet": places[0][1], "urgency": "soon"}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            commune, hamlet = access.collaborator_place(
                request.user, data["hamlet"].pk if data.get("hamlet") else None, data.get("commune")
            )
            services.community_report_submit(
                actor=request.user,
                data=services.CommunityReportInput(
                    commune=commune,
                    hamlet=hamlet,
                    child=data["child"],
                    place=data["place"],
                    what=data["what"],
                    urgency=data["urgency"],
                ),
            )
        except ValidationError as error:
            apply_errors(error, form)
        else:
            messages.success(request, _("Sent: the commune officer will verify it. Its status is below."))
            return redirect("cases:community_mine")
    return render(request, "cases/community_new.html", {"form": form, "communes": communes})


@login_required
@require_GET
def community_mine(request):
    """What the collaborator sent and the three-word status of each: nothing of the case file."""
    return render(
        request,
        "cases/community_mine.html",
        {"rows": own_reports(request.user), "may_report": access.may_report_as_collaborator(request.user)},
    )


@login_required
@require_GET
def community_detail(request, pk):
    found = access.community_report_for_officer(request.user, pk)
    return render(
        request,
        "cases/community_detail.html",
        {
            "found": found,
            "status": public_status(found),
            "to_verify": found.status == CommunityReportStatus.TO_VERIFY,
            "close_form": forms.CommunityCloseForm(),
        },
    )


@login_required
@require_POST
def community_close(request, pk):
    found = access.community_report_for_officer(request.user, pk, purpose=None)
    form = forms.CommunityCloseForm(request.POST)
    if form.is_valid():
        try:
            services.community_report_close(
                actor=request.user, community_report=found, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_errors(error, form)
        else:
            messages.success(request, _("Closed without a case file."))
            return redirect("cases:community_detail", pk=found.pk)
    return render(
        request,
        "cases/community_detail.html",
        {"found": found, "status": public_status(found), "to_verify": True, "close_form": form},
        status=400,
    )


@login_required
@require_GET
def community_photo(request, pk):
    found = access.community_report_for_officer(request.user, pk, purpose="download")
    if not found.photo:
        raise Http404
    return photo_response(found)
