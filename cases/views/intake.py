"""Recording a report (Mẫu 01) in the browser, and the duplicate search while a child's name is typed."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access, forms, selectors, services
from ..choices import ReceivingPoint, ReportSource
from ..models import CommunityReportStatus, CommunitySource
from .common import apply_errors, numbered_as_forms


def _child_inputs(child_forms, commune) -> list[services.ChildInput]:
    children = []
    for form in child_forms:
        data = form.cleaned_data
        if data.get("existing_id"):
            children.append(services.ChildInput(existing_id=data["existing_id"]))
            continue
        caregivers = []
        if data.get("caregiver_name"):
            caregivers.append(
                services.CaregiverInput(
                    full_name=data["caregiver_name"],
                    relation=data["caregiver_relation"] or "",
                    phone=data["caregiver_phone"] or "",
                    is_legal_representative=data["caregiver_is_legal_representative"],
                    is_alleged_perpetrator=data["caregiver_is_alleged_perpetrator"],
                )
            )
        children.append(
            services.ChildInput(
                full_name=data.get("full_name") or "",
                birth_date=data.get("birth_date"),
                birth_year_only=data.get("birth_year_only", False),
                sex=data.get("sex") or "unknown",
                ethnicity=data.get("ethnicity") or "",
                personal_id=data.get("personal_id") or "",
                residence_commune=commune,
                address=data.get("address") or "",
                school=data.get("school") or "",
                disability=data.get("disability") or "",
                circumstances=data.get("circumstances") or [],
                caregivers=caregivers,
            )
        )
    return children


@login_required
def report_new(request):
    form_kind = access.intake_form_for(request.user)
    if form_kind == access.IntakeForm.SHORT:
        return redirect("cases:community_new")  # a collaborator reports with the short form
    communes = access.communes_for_intake(request.user)
    if form_kind == access.IntakeForm.NONE or not communes.exists():
        raise PermissionDenied(_("Your role does not allow recording reports."))
    community = _community_report(request)
    report_form = forms.ReportForm(
        request.POST or None,
        communes=communes,
        province_ids=_provinces_of(communes.filter(pk=_posted_pk(request))) or _provinces_of(communes),
        initial=_from_community(community) if community else _defaults_for(request.user),
    )
    formset = forms.ChildFormSet(request.POST or None, prefix="children")
    if request.method == "POST" and report_form.is_valid() and formset.is_valid():
        data = report_form.cleaned_data
        extra = forms.extra_values(report_form)
        child_forms = formset.filled_forms()
        try:
            report = services.report_receive(
                actor=request.user,
                report=services.ReportInput(**data, extra=extra),
                children=_child_inputs(child_forms, data["commune"]),
                community_report=community,
            )
        except ValidationError as error:
            apply_errors(numbered_as_forms(error, "children", child_forms), report_form, *child_forms)
        else:
            cases = list(report.case_files.order_by("pk"))
            messages.success(
                request,
                _("Report recorded: %(count)s case file(s) opened (%(references)s), the legal deadlines are running.")
                % {"count": len(cases), "references": ", ".join(case.reference for case in cases)},
            )
            if not access.cases_visible_to(request.user).filter(pk=cases[0].pk).exists():
                # The hotline passes reports on to communes whose case files it does not open.
                if access.may_follow_passed_on_reports(request.user):
                    return redirect(f"{reverse('cases:passed_on')}?saved={report.pk}")
                return redirect(f"{reverse('home')}?saved=report")
            target = reverse("cases:detail", args=[cases[0].pk]) if len(cases) == 1 else reverse("cases:list")
            return redirect(f"{target}?saved=report")
    if communes.count() == 1 and not report_form.is_bound:
        report_form.fields["commune"].initial = communes.first()
    return render(request, "cases/report_new.html", {"form": report_form, "formset": formset, "community": community})


def _defaults_for(user) -> dict | None:
    """The hotline's operators receive every report by the hotline 111: the form says so from the start."""
    if access.may_follow_passed_on_reports(user):
        return {"receiving_point": ReceivingPoint.HOTLINE_111, "source": ReportSource.HOTLINE_111}
    return None


def _posted_pk(request) -> int | None:
    """The commune posted: a report is asked the extra fields (and offered the own entries) of its province only,
    whatever the provinces of the other communes the user may record reports for."""
    pk = request.POST.get("commune", "")
    return int(pk) if pk.isdigit() else None


def _provinces_of(communes) -> list[int]:
    """The provinces of the communes offered (one, for nearly everyone): their extra fields are asked."""
    paths = communes.order_by().values_list("path", flat=True).distinct()[:200]
    return sorted({int(path.strip("/").split("/")[0]) for path in paths if path})


def _community_report(request):
    """The report from the community being recorded (?community=ID): an officer's, still to verify."""
    pk = request.GET.get("community")
    if not pk:
        return None
    found = access.community_report_for_officer(request.user, pk, purpose=None)
    if found.status != CommunityReportStatus.TO_VERIFY:
        raise PermissionDenied(_("This report was already handled."))
    return found


def _from_community(found) -> dict:
    """The report form filled from what the collaborator or the public typed: the 12 hours count from
    the moment it arrived."""
    is_public = found.source == CommunitySource.PUBLIC
    return {
        "received_at": timezone.localtime(found.received_at).replace(second=0, microsecond=0),
        "receiving_point": ReceivingPoint.COMMUNE,
        "commune": found.commune,
        "source": ReportSource.ONLINE if is_public else ReportSource.COLLABORATOR,
        "reporter_is_anonymous": is_public and not found.reporter_name,
        "reporter_name": found.reporter_name or ("" if is_public else found.submitted_by.get_full_name()),
        "reporter_phone": found.reporter_phone,
        "place_of_occurrence": found.place[:255],
        # (Outside an f-string: makemessages reads no call inside one.)
        "narrative": found.what + "\n\n" + _("Child concerned: %(child)s") % {"child": found.child},
    }


@login_required
@require_POST
def child_similar(request):
    """Possible existing children while the officer types a name (duplicate search).

    A POST, so that the child's name never appears in a URL, a browser history or an access log.
    """
    birth = None
    if request.POST.get("birth_date"):
        try:
            birth = datetime.date.fromisoformat(request.POST["birth_date"])
        except ValueError:
            birth = None
    try:
        commune_id = int(request.POST.get("commune") or 0) or None
    except ValueError:
        commune_id = None
    matches = selectors.child_search(
        request.user, request.POST.get("name", ""), birth_date=birth, commune_id=commune_id
    )
    return JsonResponse(
        {
            "results": [
                {
                    "id": match.child.pk,
                    "full_name": match.child.full_name,
                    "birth": (
                        str(match.child.birth_date.year)
                        if match.child.birth_year_only
                        else match.child.birth_date.strftime("%d/%m/%Y")
                    ),
                    "commune": match.child.residence_commune.name,
                    "score": match.score,
                }
                for match in matches
            ]
        }
    )
