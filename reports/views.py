from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from config.errors import Conflict

from . import access, documents, selectors, services
from .indicators import compute
from .models import RenderState, ReportStatus
from .periods import Period, PeriodError, parse


def _period(request) -> Period:
    code = request.GET.get("period") or request.POST.get("period")
    return parse(code) if code else selectors.current_period()


@login_required
@require_GET
def dashboard(request):
    unit = access.report_unit(request.user, request.GET.get("unit"))
    try:
        period = _period(request)
    except PeriodError as error:
        messages.error(request, str(error))
        period = selectors.current_period()
    context = {"unit": unit, "period": period, **selectors.dashboard(unit, period)}
    return render(request, "reports/dashboard.html", context)


@login_required
def submissions(request):
    unit = access.report_unit(request.user, request.GET.get("unit") or request.POST.get("unit"))
    if unit is None:
        raise Http404
    try:
        period = _period(request)
    except PeriodError as error:
        messages.error(request, str(error))
        return redirect("reports:dashboard")
    if request.method == "POST":
        report = services.report_draft(actor=request.user, unit=unit, period=period)
        return redirect("reports:detail", pk=report.pk)
    return render(
        request, "reports/submissions.html", {"unit": unit, "period": period, **selectors.submissions(unit, period)}
    )


@login_required
def detail(request, pk):
    report = access.report_for_user(request.user, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "save":
                services.report_update(
                    actor=request.user,
                    report=report,
                    assessment=request.POST.get("assessment", ""),
                    proposals=request.POST.get("proposals", ""),
                )
            elif action == "submit":
                services.report_update(
                    actor=request.user,
                    report=report,
                    assessment=request.POST.get("assessment", ""),
                    proposals=request.POST.get("proposals", ""),
                )
                services.report_submit(actor=request.user, report=report)
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
        else:
            messages.success(request, _("Saved."))
        return redirect("reports:detail", pk=report.pk)
    period = Period(report.period_start, report.period_end, report.period_code)
    data = report.data if report.status != ReportStatus.DRAFT and report.data else None
    live = None if data else compute(report.unit, period)
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "tables": documents.tables(data or live),
            "is_frozen": data is not None,
            "can_review": report.unit.parent_id is not None and report.status == ReportStatus.SUBMITTED,
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
