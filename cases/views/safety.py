"""The safety plan of a case file: its page (every version), the form to record or review it, and the
family's printed copy (without anything the alleged perpetrator must not see)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from agencies.selectors import providers_serving
from config.errors import Conflict

from .. import access, forms, selectors, services
from ..choices import OPEN_STATES
from ..safety import family_copy, family_print_pdf
from .common import apply_errors, numbered_as_forms


@login_required
@require_GET
def safety_plan(request, pk):
    case = selectors.safety_case(request.user, pk)
    plans = selectors.safety_plans_of(case)
    number = request.GET.get("version")
    shown = plans[0] if plans else None
    if number:
        shown = next((plan for plan in plans if str(plan.number) == number), None)
        if shown is None:
            raise Http404
    copy = family_copy(case, shown) if shown else None
    return render(
        request,
        "cases/safety_plan.html",
        {
            "case": case,
            "plans": plans,
            "plan": shown,
            "is_current": shown is not None and shown.is_current,
            "copy": copy,
            "left_out_ids": {item.pk for item in copy.left_out} if copy else set(),
            "may_edit": access.can_edit(request.user, case) and case.state in OPEN_STATES,
        },
    )


def _initial_items(plan) -> list[dict]:
    return [
        {
            "kind": item.kind,
            "text": item.text,
            "who": item.who,
            "phone": item.phone,
            "provider": item.provider_id,
            "is_hidden_from_perpetrator": item.is_hidden_from_perpetrator,
        }
        for item in plan.items.all()
    ]


@login_required
def safety_plan_edit(request, pk):
    """Record the safety plan, or review it (the form starts from the current version)."""
    case = selectors.safety_case(request.user, pk, need=access.Need.EDIT, purpose=None)
    plans = selectors.safety_plans_of(case)
    current = next((plan for plan in plans if plan.is_current), None)
    providers = providers_serving(case.commune)
    form = forms.SafetyPlanForm(request.POST or None, initial={"version": case.version}, is_review=current is not None)
    formset = forms.SafetyItemFormSet(
        request.POST or None,
        prefix="items",
        form_kwargs={"providers": providers},
        initial=_initial_items(current) if current and request.method != "POST" else None,
    )
    if current is not None and request.method != "POST":
        formset.extra = 0
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and formset.is_valid():
            filled = formset.filled_forms()
            data = form.cleaned_data
            try:
                services.safety_plan_record(
                    actor=request.user,
                    case=case,
                    items=[services.SafetyItemInput(**item.cleaned_data) for item in filled],
                    review_date=data["review_date"],
                    review_note=data.get("review_note", ""),
                    expected_version=data["version"],
                )
            except Conflict as conflict:
                form.add_error(None, str(conflict))
                status = 409
            except ValidationError as error:
                apply_errors(numbered_as_forms(error, "items", filled), form, *filled)
            else:
                messages.success(
                    request, _("Safety plan saved.") if current is None else _("Safety plan reviewed: a new version.")
                )
                return redirect("cases:safety", pk=case.pk)
    return render(
        request,
        "cases/safety_plan_form.html",
        {"case": case, "form": form, "formset": formset, "current": current},
        status=status,
    )


@login_required
@require_GET
def safety_plan_family_pdf(request, pk):
    """The family's copy of the current version (or of ?version=N)."""
    case = selectors.safety_case(request.user, pk, purpose="print", fields={"document": "safety_plan_family"})
    plans = selectors.safety_plans_of(case)
    number = request.GET.get("version")
    plan = next((p for p in plans if (str(p.number) == number if number else p.is_current)), None)
    if plan is None:
        messages.error(request, _("There is no safety plan to print yet."))
        return redirect("cases:safety", pk=case.pk)
    response = HttpResponse(family_print_pdf(case, plan), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{case.reference}-ke-hoach-an-toan-{plan.number}.pdf"'
    return response
