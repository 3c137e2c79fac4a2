"""The caseloads of an area's officers, and handing an officer's open files to another (leave, departure)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from .. import access, forms, handoffs, selectors, services
from ..choices import OPEN_STATES, CaseState
from ..models import CaseFile
from .common import apply_errors


def _require_caseloads(user) -> None:
    if not access.may_see_caseloads(user):
        raise PermissionDenied(_("Only a chairman or a coordinator follows the officers' caseloads."))


@login_required
@require_GET
def caseload(request):
    _require_caseloads(request.user)
    communes = selectors.caseload(request.user)
    return render(
        request,
        "cases/caseload.html",
        {
            "communes": communes,
            "states": [(state, CaseState(state).label) for state in OPEN_STATES],
            "list_url": reverse("cases:list"),
            "totals": _totals(communes),
        },
    )


def _totals(communes) -> dict:
    return {
        "open": sum(commune.open for commune in communes),
        "overdue": sum(commune.overdue for commune in communes),
        "officers": sum(1 for commune in communes for officer in commune.officers if officer.is_officer),
        "without_officer": sum(1 for commune in communes if commune.open and not commune.has_officer),
    }


@login_required
def handover(request, commune_pk):
    """All open files of one officer of the commune to another, at once (a chairman or a coordinator)."""
    _require_caseloads(request.user)
    commune = access.caseload_commune_for_user(request.user, commune_pk)
    if not access.may_hand_over_caseload(request.user, commune):
        raise PermissionDenied(_("Only the commune's chairman or a coordinator hands over an officer's case files."))
    users = get_user_model().objects.order_by("first_name", "username")
    holder_ids = set(
        CaseFile.objects.filter(commune=commune, state__in=OPEN_STATES, officer__isnull=False)
        .values_list("officer_id", flat=True)
        .distinct()
    )
    officers = users.filter(pk__in=handoffs.commune_officer_ids(commune))
    form = forms.HandoverForm(
        request.POST or None,
        holders=users.filter(pk__in=holder_ids),
        officers=officers,
        initial={"from_officer": request.GET.get("from")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.caseload_hand_over(
                actor=request.user,
                commune=commune,
                from_officer=data["from_officer"],
                to_officer=data["to_officer"],
                reason=data["reason"],
            )
        except ValidationError as error:
            apply_errors(error, form)
        else:
            _report(request, result)
            return redirect("cases:caseload")
    return render(
        request,
        "cases/handover.html",
        {"commune": commune, "form": form, "has_holders": bool(holder_ids)},
        status=400 if form.errors else 200,
    )


def _name(user) -> str:
    return user.get_full_name() or user.username


def _report(request, result: services.Handover) -> None:
    """Say what was handed over and, by name, every file that was not (never dropped silently)."""
    values = {"count": len(result.handed), "to": _name(result.to_officer), "from": _name(result.from_officer)}
    messages.success(
        request,
        ngettext(
            "%(count)s case file handed from %(from)s to %(to)s; each of them is told once.",
            "%(count)s case files handed from %(from)s to %(to)s; each of them is told once.",
            len(result.handed),
        )
        % values,
    )
    if result.kept:
        shown = [kept.reference for kept in result.kept if kept.is_visible]
        unseen = len(result.kept) - len(shown)
        text = ngettext(
            "%(kept)s restricted case file stays with %(from)s: it does not name %(to)s. "
            "Name them on it first, then hand it over.",
            "%(kept)s restricted case files stay with %(from)s: they do not name %(to)s. "
            "Name them on each first, then hand them over.",
            len(result.kept),
        ) % {**values, "kept": len(result.kept)}
        if shown:
            text += " " + ", ".join(shown) + "."
        if unseen:
            text += " " + ngettext(
                "%(unseen)s of them you may not open: ask someone named on it.",
                "%(unseen)s of them you may not open: ask someone named on them.",
                unseen,
            ) % {"unseen": unseen}
        messages.warning(request, text)
