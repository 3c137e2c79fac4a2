"""The hotline 111 supervisor's page: the reports the hotline passed on, per province, with how many of
each legal limit were met in time, late or missed; one province's reports by reference (no names)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import access
from ..choices import DeadlineKind
from ..selectors.hotline import INTAKE_DEADLINES, Outcome, supervisor_statuses, timeliness_by_province


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
