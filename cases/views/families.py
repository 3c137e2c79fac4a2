"""The family group of a case file (link another child's file, take the child out) and the history
snapshot shown while a report is recorded for a child already registered."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import access, forms, selectors, services
from .common import apply_errors


def _page(request, case, form, status=200):
    family = selectors.family_of_case(request.user, case)
    return render(request, "cases/household.html", {"case": case, "form": form, "family": family}, status=status)


@login_required
def household(request, pk):
    case = access.case_for_user(request.user, pk, need=access.Need.EDIT)
    form = forms.HouseholdLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        other = access.case_by_reference_for_user(request.user, form.cleaned_data["reference"], need=access.Need.EDIT)
        if other is None:
            form.add_error("reference", _("No case file with this reference that you can change."))
        else:
            try:
                services.household_link(actor=request.user, case=case, other=other)
            except ValidationError as error:
                apply_errors(error, form)
            else:
                messages.success(request, _("Linked: the two children are now in one family group."))
                return redirect("cases:detail", pk=case.pk)
    return _page(request, case, form, status=400 if form.errors else 200)


@login_required
@require_POST
def household_leave(request, pk):
    case = access.case_for_user(request.user, pk, need=access.Need.EDIT)
    form = forms.HouseholdLinkForm()
    try:
        services.household_leave(actor=request.user, case=case)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _page(request, case, form, status=400)
    messages.success(request, _("The child is no longer in the family group."))
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_GET
def child_history(request, pk):
    """The history snapshot of a child already registered, shown at once on the report form when the
    officer picks the child (an HTML fragment)."""
    child = access.child_for_user(request.user, pk, purpose="view")
    if child.pk != pk:  # a record merged into another leads to the kept one
        return redirect("cases:child_history", pk=child.pk)
    snapshot = selectors.history_snapshot(request.user, child)
    # A fragment: no page context (menu counts, the bell) to compute.
    return HttpResponse(render_to_string("cases/_history.html", {"snapshot": snapshot, "compact": True}))
