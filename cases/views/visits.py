"""Visits to the child (schedule, record, cancel) and flags for attention (raise, lift)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access, forms, services
from ..choices import VisitStatus
from ..selectors import visits as visit_selectors
from .common import apply_errors


@login_required
def visits(request, pk):
    """The case file's visits, and the form that schedules one (for the commune officer)."""
    need = access.Need.EDIT if request.method == "POST" else access.Need.VIEW
    case = access.case_for_user(request.user, pk, need=need)
    rights = access.rights_on(request.user, case)
    form = forms.VisitScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_schedule(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(error, form)
        else:
            messages.success(request, _("Visit scheduled."))
            return redirect("cases:visits", pk=case.pk)
    context = {
        "case": case,
        "rights": rights,
        "form": form,
        "visits": visit_selectors.visits_of(case),
        "contact": visit_selectors.contact_summary(case),
    }
    return render(request, "cases/visits.html", context, status=400 if form.errors else 200)


@login_required
def visit_record(request, pk, visit_pk=None):
    """Record a visit done: a planned one (VISIT_PK), or one that was not scheduled."""
    case = access.case_for_user(request.user, pk, need=access.Need.EDIT)
    planned = None
    if visit_pk is not None:
        planned = visit_selectors.visit_of_case(case, visit_pk)
        if planned is None:
            raise Http404
        if planned.status != VisitStatus.PLANNED:
            messages.warning(request, _("This visit was already recorded or cancelled."))
            return redirect("cases:visits", pk=case.pk)
    initial = {"done_on": timezone.localdate(), "visitors": [request.user.pk]}
    if planned is not None:
        initial["kind"] = planned.kind
    form = forms.VisitRecordForm(
        request.POST or None, initial=initial, companions=visit_selectors.visit_companions(case)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        record = services.VisitRecord(
            kind=data["kind"],
            done_on=data["done_on"],
            child_seen=data["child_seen"] == "yes",
            observations=data["observations"],
            visitors=list(data["visitors"]),
            other_visitors=data["other_visitors"],
            people_seen=data["people_seen"],
            next_visit_on=data["next_visit_on"],
        )
        try:
            services.visit_record(actor=request.user, case=case, data=record, planned=planned)
        except ValidationError as error:
            apply_errors(error, form)
        else:
            messages.success(request, _("Visit recorded: the count of days without contact starts again."))
            return redirect("cases:detail", pk=case.pk)
    context = {"case": case, "form": form, "planned": planned}
    return render(request, "cases/visit_record.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def visit_cancel(request, pk, visit_pk):
    case = access.case_for_user(request.user, pk, need=access.Need.EDIT)
    visit = visit_selectors.visit_of_case(case, visit_pk)
    if visit is None:
        raise Http404
    try:
        services.visit_cancel(actor=request.user, case=case, visit=visit)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The planned visit is cancelled."))
    return redirect("cases:visits", pk=case.pk)


@login_required
def flag(request, pk):
    """Flag the case file for attention (why, until when), or see the flag holding and lift it."""
    case = access.case_for_user(request.user, pk, need=access.Need.FLAG)
    form = forms.FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_raise(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(error, form)
        else:
            messages.success(request, _("Flagged: the officer is told, and the case file heads the work lists."))
            return redirect("cases:detail", pk=case.pk)
    context = {"case": case, "form": form, "flag": visit_selectors.active_flag(case)}
    return render(request, "cases/flag.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def flag_lift(request, pk):
    case = access.case_for_user(request.user, pk, need=access.Need.FLAG)
    try:
        services.flag_lift(actor=request.user, case=case)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The flag is lifted."))
    return redirect("cases:detail", pk=case.pk)
