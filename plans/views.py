from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from config.errors import Conflict
from outgoing.models import SubjectKind
from outgoing.selectors import documents_issued

from . import access, documents, forms, selectors, services
from .importer import PlanImportError
from .models import OccurrenceStatus


@login_required
@require_GET
def plan_list(request):
    return render(request, "plans/list.html", {"rows": selectors.overview(request.user)})


@login_required
@require_GET
def plan_detail(request, pk):
    return _detail_page(request, access.plan_for_user(request.user, pk))


def _detail_page(request, plan, *, period_form=None, issue_form=None, status=200):
    """The plan's page; PERIOD_FORM or ISSUE_FORM: the results report's period as typed, refused, with its
    errors at its fields."""
    may_issue = access.may_import_for(request.user, plan.unit)
    return render(
        request,
        "plans/detail.html",
        {
            "plan": plan,
            "progress": selectors.progress_by_agency(plan),
            "sections": selectors.tasks_by_section(plan),
            "period_form": period_form or forms.PeriodForm(),
            "issue_form": issue_form or forms.PeriodForm(auto_id="issue_%s"),
            "today": timezone.localdate(),
            "may_issue": may_issue,
            # Who issues the results report, said before the number is taken (not the plan's own body when that
            # was a former district's).
            "issuer": documents.results_issuer(plan) if may_issue else None,
            "issued": documents_issued(request.user, SubjectKind.PLAN_RESULTS, plan.pk),
        },
        status=status,
    )


@login_required
@require_GET
def my_tasks(request):
    """The tasks to report on (overdue first), each with its form; the closed ones apart."""
    return _tasks_page(request)


def _tasks_page(request, failed=None):
    """FAILED: (occurrence pk, its bound form) of a report refused: shown again, open, with what was typed and
    its errors at their fields."""
    occurrences = selectors.my_occurrences(request.user)
    refused, refused_form = failed if failed else (None, None)
    # The refused one stays open too when it has just closed (another agency's report came first): what was
    # typed is shown with why, not thrown away.
    shown_open = [o for o in occurrences if o.is_reportable or o.pk == refused]
    open_rows = [
        (
            occurrence,
            refused_form
            if occurrence.pk == refused
            else forms.ProgressForm(
                initial={"version": occurrence.version, "status": _initial_status(occurrence)},
                prefix=f"o{occurrence.pk}",
                is_lead=occurrence.is_lead,
            ),
        )
        for occurrence in shown_open
    ]
    open_pks = {occurrence.pk for occurrence in shown_open}
    closed = [occurrence for occurrence in occurrences if occurrence.pk not in open_pks]
    return render(
        request,
        "plans/my_tasks.html",
        {
            "open_rows": open_rows,
            "closed": closed,
            "today": timezone.localdate(),
            "failed": refused,
        },
    )


def _initial_status(occurrence) -> str:
    """The lead starts from the task's status; a cooperating agency from its own last word on its part."""
    if occurrence.is_lead:
        return occurrence.status
    return occurrence.own_report.status if occurrence.own_report else OccurrenceStatus.IN_PROGRESS


@login_required
@require_POST
def report_progress(request, occurrence_pk):
    occurrence = access.occurrence_for_user(request.user, occurrence_pk)
    is_lead = occurrence.task.lead_agency_id in access.agency_ids_of(request.user)
    form = forms.ProgressForm(request.POST, request.FILES, prefix=f"o{occurrence.pk}", is_lead=is_lead)
    if form.is_valid():
        data = form.cleaned_data
        figures = {data["figure_name"]: data["figure_value"]} if data.get("figure_name") else {}
        try:
            services.progress_report_add(
                actor=request.user,
                occurrence=occurrence,
                status=data["status"],
                narrative=data["narrative"],
                figures=figures,
                expected_version=data["version"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        except Conflict as conflict:
            form.add_error(None, str(conflict))
        else:
            messages.success(request, _("Progress reported."))
            return redirect("plans:my_tasks")
    # What was typed stays, with each error at its field (a file chosen must be chosen again: browsers never
    # fill a file input).
    return _tasks_page(request, failed=(occurrence.pk, form))


@login_required
@require_GET
def results(request, pk, extension):
    plan = access.plan_for_user(request.user, pk)
    form = forms.PeriodForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return _detail_page(request, plan, period_form=form, status=400)
    date_from, date_to = (
        (form.cleaned_data.get("date_from"), form.cleaned_data.get("date_to")) if form.is_bound else (None, None)
    )
    name = f"bao-cao-ket-qua-{plan.number.replace('/', '-')}"
    if extension == "pdf":
        response = HttpResponse(documents.results_pdf(plan, date_from, date_to), content_type="application/pdf")
    else:
        response = HttpResponse(
            documents.results_xlsx(plan, date_from, date_to),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    return response


@login_required
@require_POST
def results_issue(request, pk):
    """Issue the results report for the period chosen: it takes a number in the register and opens there."""
    plan = access.plan_for_user(request.user, pk)
    form = forms.PeriodForm(request.POST, auto_id="issue_%s")
    if not form.is_valid():
        return _detail_page(request, plan, issue_form=form, status=400)
    try:
        document = services.plan_results_issue(
            actor=request.user,
            plan=plan,
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
        )
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return _detail_page(request, plan, issue_form=form, status=400)
    messages.success(request, _("Issued as %(number)s.") % {"number": document.number_symbol})
    return redirect("outgoing:detail", pk=document.pk)


@login_required
def plan_import_page(request):
    """Create a plan in the browser by uploading its YAML; every refusal names the line and field."""
    if not access.may_import_plans(request.user):
        raise PermissionDenied(_("Coordinators, leaders and administrators add plans."))
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            text = form.cleaned_data["file"].read().decode("utf-8")
            plan = services.plan_import_upload(actor=request.user, text=text)
        except UnicodeDecodeError:
            form.add_error("file", _("The file is not UTF-8 text."))
        except PlanImportError as error:
            form.add_error("file", str(error))
        else:
            messages.success(request, _("Plan %(number)s added.") % {"number": plan.number})
            return redirect("plans:detail", pk=plan.pk)
    return render(request, "plans/import.html", {"form": form}, status=400 if form.errors else 200)
