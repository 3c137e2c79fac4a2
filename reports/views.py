import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from config.errors import Conflict
from config.replicas import reads_from_replica
from outgoing.services import issuing_bodies_of
from outgoing.tables import for_print

from . import access, documents, selectors, services
from . import open_data as open_data_format
from .forms import PeriodForm
from .indicators import compute
from .models import RenderState, ReportStatus
from .periods import Period, PeriodError, parse


def _integer(value: str, field: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValidationError({field: [_("Choose one of the options.")]}) from None


def _period(request) -> Period:
    code = request.GET.get("period") or request.POST.get("period")
    return parse(code) if code else selectors.current_period()


def _chosen_period(request) -> tuple[Period, PeriodForm]:
    """The period chosen in the picker (?kind=…), or given by a link (?period=2026-H1), else the current
    half-year; with the picker showing it (and what was wrong, if it was)."""
    if "kind" in request.GET:
        picker = PeriodForm(request.GET)
        if picker.is_valid():
            return picker.cleaned_data["period"], picker
        return selectors.current_period(), picker
    try:
        period = _period(request)
    except PeriodError as error:
        messages.error(request, str(error))
        period = selectors.current_period()
    return period, PeriodForm(initial=PeriodForm.initial_for(period))


@login_required
@require_GET
@reads_from_replica
def dashboard(request):
    unit = access.report_unit(request.user, request.GET.get("unit"))
    period, picker = _chosen_period(request)
    context = {"unit": unit, "period": period, "picker": picker, **selectors.dashboard(unit, period)}
    return render(request, "reports/dashboard.html", context)


@login_required
@reads_from_replica  # the list only: a POST (a new draft) reads and writes the primary
def submissions(request):
    unit = access.report_unit(request.user, request.GET.get("unit") or request.POST.get("unit"))
    if unit is None:
        raise Http404
    if request.method == "POST":
        try:
            period = _period(request)
        except PeriodError as error:
            messages.error(request, str(error))
            return redirect("reports:dashboard")
        report = services.report_draft(actor=request.user, unit=unit, period=period)
        return redirect("reports:detail", pk=report.pk)
    period, picker = _chosen_period(request)
    return render(
        request,
        "reports/submissions.html",
        {"unit": unit, "period": period, "picker": picker, **selectors.submissions(unit, period)},
    )


@login_required
def detail(request, pk):
    report = access.report_for_user(request.user, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in ("save", "submit") and request.POST.get("issuing_body"):
                services.report_set_issuer(
                    actor=request.user, report=report, body_id=_integer(request.POST["issuing_body"], "issuing_body")
                )
            if action == "save":
                services.report_update(
                    actor=request.user,
                    report=report,
                    assessment=request.POST.get("assessment", ""),
                    proposals=request.POST.get("proposals", ""),
                )
            elif action == "submit":
                # Saved, then checked on a page of its own before it is frozen (submit_confirm).
                services.report_update(
                    actor=request.user,
                    report=report,
                    assessment=request.POST.get("assessment", ""),
                    proposals=request.POST.get("proposals", ""),
                )
                return redirect("reports:submit", pk=report.pk)
            elif action == "preview":
                services.preview_request(actor=request.user, report=report)
            elif action in ("accept", "return"):
                services.report_review(
                    actor=request.user,
                    report=report,
                    accept=action == "accept",
                    comment=request.POST.get("comment", ""),
                )
            else:
                raise Http404
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except Conflict as conflict:
            messages.error(request, str(conflict))
        except PermissionDenied as refusal:
            messages.error(request, str(refusal))
        else:
            done = {
                "preview": _(
                    "The PDF is being prepared with the current figures; the button to download it appears here."
                ),
                "accept": _("The report is accepted; its authors are told."),
                "return": _("The report is returned for correction; its authors are told."),
            }
            messages.success(request, done.get(action, _("Saved.")))
        return redirect("reports:detail", pk=report.pk)
    period = Period(report.period_start, report.period_end, report.period_code)
    data = report.data if report.status != ReportStatus.DRAFT and report.data else None
    live = None if data else compute(report.unit, period)
    editable = report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED) and access.may_author(
        request.user, report.unit
    )
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "period": period,
            "tables": [for_print(table) for table in documents.tables(data or live)],
            "issuing_bodies": issuing_bodies_of(report.unit) if editable else [],
            "editable": editable,
            "is_frozen": data is not None,
            # Submitted before its period ended: the reviewer reads up to when its figures go.
            "figures_until": _day((data or {}).get("period", {}).get("figures_until")),
            "can_review": report.status == ReportStatus.SUBMITTED and access.may_review(request.user, report),
        },
    )


def _day(iso: str | None):
    return datetime.date.fromisoformat(iso) if iso else None


@login_required
def submit_confirm(request, pk):
    """Check the answers before submitting: the figures are frozen for good, and the sub-units that have
    not reported yet are named."""
    report = access.report_for_user(request.user, pk)
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        return redirect("reports:detail", pk=report.pk)
    if request.method == "POST":
        try:
            services.report_submit(actor=request.user, report=report)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The report is submitted: its figures and files are frozen."))
            return redirect("reports:detail", pk=report.pk)
    period = Period(report.period_start, report.period_end, report.period_code)
    today = timezone.localdate()
    return render(
        request,
        "reports/submit.html",
        {
            "report": report,
            "period": period,
            "figures": selectors.key_figures(report.unit, period),
            "missing": selectors.not_reported(report),
            "issuer": services.issue_preview(report),
            # Before the period's end the figures stop at today, and the document says so; a period not begun
            # has nothing to report.
            "early": today <= report.period_end,
            "not_started": today < report.period_start,
            "today": today,
        },
    )


@login_required
@require_GET
def progress(request, pk):
    report = access.report_for_user(request.user, pk)
    return JsonResponse(
        {"state": report.preview_state, "progress": report.preview_progress, "error": report.preview_error}
    )


@login_required
@require_GET
def download(request, pk, extension):
    report = access.report_for_user(request.user, pk)
    if extension == "preview.pdf":
        stored = report.preview_pdf if report.preview_state == RenderState.DONE else None
        extension = "pdf"
    elif report.status == ReportStatus.DRAFT:
        stored = None
    else:
        stored = report.pdf if extension == "pdf" else report.xlsx
    if not stored:
        raise Http404
    access.record_download(report)
    return FileResponse(
        stored.open("rb"), as_attachment=True, filename=f"bao-cao-{report.unit.code}-{report.period_code}.{extension}"
    )


@login_required
@require_GET
def open_data(request, pk, extension):
    """A submitted report's indicators as open data (JSON or CSV): whoever may see the report."""
    report = access.report_for_user(request.user, pk)
    if not open_data_format.is_published(report):
        raise Http404
    access.record_download(report, fields={"open_data": extension, "schema_version": open_data_format.SCHEMA_VERSION})
    return open_data_format.response(report, extension)
