"""Restricting a sensitive case file to named users, and lifting the restriction."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import access, forms, services
from .common import submit


@login_required
def case_restrict(request, pk):
    """Mark a sensitive case file restricted and name who may still see it."""
    case = access.case_for_user(request.user, pk, need=access.Need.RESTRICT)
    staff = (
        get_user_model()
        .objects.filter(pk__in=access.staff_with_full_access_to(case))
        .order_by("first_name", "username")
    )
    form = forms.RestrictForm(request.POST or None, staff=staff, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        done = submit(
            request,
            form,
            lambda data: services.case_restrict(
                actor=request.user,
                case=case,
                named_users=list(data["named_users"]),
                reason=data["reason"],
                expected_version=data["version"],
            ),
            _("The case file is now restricted to the named users."),
        )
        if done:
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/restrict.html", {"case": case, "form": form}, status=400 if form.errors else 200)


@login_required
def case_unrestrict(request, pk):
    """Lift a restriction: the case file is seen again by role and area."""
    case = access.case_for_user(request.user, pk, need=access.Need.RESTRICT)
    if not case.is_restricted:
        messages.info(request, _("This case file is not restricted."))
        return redirect("cases:detail", pk=case.pk)
    form = forms.UnrestrictForm(request.POST or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        done = submit(
            request,
            form,
            lambda data: services.case_unrestrict(
                actor=request.user, case=case, reason=data["reason"], expected_version=data["version"]
            ),
            _("The restriction is lifted."),
        )
        if done:
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/unrestrict.html", {"case": case, "form": form}, status=400 if form.errors else 200)
