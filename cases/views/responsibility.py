"""Handing a case file to another officer of its commune."""

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import access, forms, handoffs, services
from .common import submit


@login_required
def case_assign_officer(request, pk):
    case = access.case_for_user(request.user, pk, need=access.Need.RESPONSIBILITY)
    officers = get_user_model().objects.filter(pk__in=[u.pk for u in handoffs.officers_of_commune(case.commune)])
    form = forms.AssignOfficerForm(
        request.POST or None, officers=officers.order_by("first_name", "username"), initial={"version": case.version}
    )
    if request.method == "POST" and form.is_valid():
        done = submit(
            request,
            form,
            lambda data: services.case_assign_officer(
                actor=request.user,
                case=case,
                officer=data["officer"],
                reason=data["reason"],
                expected_version=data["version"],
            ),
            _("The case file now has a new responsible officer; both of you are told."),
        )
        if done:
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/responsible.html", {"case": case, "form": form}, status=400 if form.errors else 200)
