"""The hotline 111's pages: for its supervisor, the reports the hotline passed on, per province, with how many
of each legal limit were met in time, late or missed, one province's reports by reference (no names); for its
operators, the reports they passed on and where each stands."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import access
from ..choices import DeadlineKind
from ..selectors.hotline import (
    INTAKE_DEADLINES,
    Outcome,
    passed_on_page,
    passed_on_statuses,
    supervisor_statuses,
    timeliness_by_province,
)
from ..text import number


@login_required
@require_GET
def hotline_timeliness(request):
    if not access.may_supervise_hotline(request.user):
        raise Http404
    province = request.GET.get("province", "")[:10]
    statuses = supervisor_statuses(request.user)
    lines = timeliness_by_province(statuses)
    chosen = [status for status in statuses if status.province_code == province] if province else []
    labels = dict(DeadlineKind.choices)
    return render(
        request,
        "cases/hotline.html",
        {
            "lines": lines,
            "kinds": [(kind, labels[kind]) for kind in INTAKE_DEADLINES],
            "outcomes": Outcome,
            "province": province,
            "chosen": chosen,
            "chosen_name": next((line.name for line in lines if line.code == province), ""),
        },
    )


@login_required
@require_GET
def passed_on(request):
    """The reports the user's hotline passed on, newest first: the commune, the case files' references and
    each legal limit (no child's name: the case files are the communes'). After recording one (?saved=ID) it
    is shown first, with the references to give the caller."""
    if not access.may_follow_passed_on_reports(request.user):
        raise Http404
    page, reports = passed_on_page(request.user, request.GET.get("page"))
    saved = number(request.GET.get("saved", ""))
    just_saved = passed_on_statuses(request.user, report_id=saved) if saved is not None else []
    return render(request, "cases/passed_on.html", {"page_obj": page, "reports": reports, "saved": just_saved[:1]})
