"""The public reporting page: no login, a few questions in plain Vietnamese, anonymous allowed, a photo
optional, a receipt code to check the status later (three words, nothing else). Abuse is held off with a
proof-of-work challenge and rate limits per address (config.abuse), and size limits on every field."""

import datetime

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from agencies.models import AdministrativeUnit
from config import abuse

from .. import forms, services
from ..selectors.community import status_by_receipt
from ..services.community import PHOTO_MAX_BYTES as PHOTO_MAX
from ..text import fold
from .common import apply_errors

SUBMIT_LIMIT = (5, datetime.timedelta(hours=1))  # reports per address
LOOKUP_LIMIT = (20, datetime.timedelta(minutes=10))  # receipt look-ups per address
CHALLENGE_LIMIT = (30, datetime.timedelta(minutes=10))  # challenges per address
RECEIPT_SESSION_KEY = "public-receipt"
# Above this the request is refused before it is read (a photo of 8 MB and the text fields).
MAX_BODY_BYTES = 9 * 1024 * 1024


def _limited(request, scope: str, limit) -> bool:
    count, window = limit
    return abuse.rate_limit_exceeded(scope, abuse.client_address(request), limit=count, window=window)


def _too_many(request, template: str, context: dict):
    context["too_many"] = True
    return render(request, template, context, status=429)


def _altcha_strings() -> dict:
    return {
        "label": _("I am not a robot"),
        "verifying": _("Checking…"),
        "verified": _("Checked"),
        "error": _("The check failed: try again."),
        "expired": _("The check expired: try again."),
        "waitAlert": _("Checking… please wait."),
        "verificationRequired": _("Wait for the security check to finish."),
        "verify": _("Check"),
        "loading": _("Loading…"),
        "reload": _("Try again"),
        "footer": "",
    }


def _report_context(form) -> dict:
    return {"form": form, "altcha_strings": _altcha_strings(), "photo_max": PHOTO_MAX}


@require_http_methods(["GET", "POST"])
def public_report(request):
    if request.method == "POST" and int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
        # Refused before the body is read; the page's script stops a photo this large before it is sent.
        form = forms.PublicReportForm()
        form.add_error("photo", _("The photo is larger than %(limit)s MB.") % {"limit": 8})
        return render(
            request,
            "cases/public_report.html",
            {"form": form, "altcha_strings": _altcha_strings(), "photo_max": PHOTO_MAX},
            status=413,
        )
    form = forms.PublicReportForm(request.POST or None, request.FILES or None)
    context = _report_context(form)
    if request.method == "POST":
        if _limited(request, "public-report", SUBMIT_LIMIT):
            return _too_many(request, "cases/public_report.html", context)
        if not abuse.challenge_verify(request.POST.get("altcha", "")):
            form.is_valid()  # keep what was typed, with its own errors
            form.add_error(None, _("The security check did not pass: wait for it to finish, then send again."))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                _found, code = services.community_report_submit(
                    actor=None,
                    data=services.CommunityReportInput(
                        commune=data["commune"],
                        child=data["child"],
                        place=data["place"],
                        what=data["what"],
                        urgency=data["urgency"],
                        reporter_name=data["reporter_name"],
                        reporter_phone=data["reporter_phone"],
                        photo=data.get("photo"),
                    ),
                )
            except ValidationError as error:
                apply_errors(error, form)
            else:
                request.session[RECEIPT_SESSION_KEY] = code
                return redirect("cases:public_sent")
        return render(request, "cases/public_report.html", context, status=400)
    return render(request, "cases/public_report.html", context)


@require_GET
def public_sent(request):
    """The receipt code, shown once (it is not kept: only its digest is)."""
    code = request.session.pop(RECEIPT_SESSION_KEY, None)
    if not code:
        return redirect("cases:public_status")
    return render(request, "cases/public_sent.html", {"code": code})


@require_http_methods(["GET", "POST"])
def public_status(request):
    """The status of a report by its receipt code (POST: the code stays out of addresses and logs). An
    unknown code gets the same answer whatever it is; a look-up costs as much whether it exists or not."""
    form = forms.ReceiptForm(request.POST or None)
    context = {"form": form, "checked": False}
    if request.method == "POST":
        if _limited(request, "public-status", LOOKUP_LIMIT):
            return _too_many(request, "cases/public_status.html", context)
        if form.is_valid():
            context.update(checked=True, status=status_by_receipt(form.cleaned_data["code"]))
        else:
            return render(request, "cases/public_status.html", context, status=400)
    return render(request, "cases/public_status.html", context)


@require_GET
def public_challenge(request):
    """A new proof-of-work challenge for the widget."""
    if _limited(request, "public-challenge", CHALLENGE_LIMIT):
        return JsonResponse(
            {"error": _("Too many attempts from your address: try again in a few minutes.")}, status=429
        )
    return JsonResponse(abuse.challenge_create())


@require_GET
def public_communes(request):
    """The communes of a province (?province=ID), or those whose name contains ?q= (diacritics optional),
    for the phone-friendly pickers: official units only."""
    communes = AdministrativeUnit.objects.filter(level="commune", is_active=True)
    province = request.GET.get("province", "")
    query = fold(request.GET.get("q", "")).strip()
    if province.isdigit():
        unit = AdministrativeUnit.objects.filter(level="province", pk=province).first()
        rows = communes.filter(path__startswith=unit.path).order_by("name") if unit else communes.none()
        found = [{"id": c.pk, "name": c.name, "province": unit.pk} for c in rows]
    elif len(query) >= 3:
        provinces = {p.pk: p for p in AdministrativeUnit.objects.filter(level="province")}
        found = []
        for commune in communes.order_by("name").only("pk", "name", "path"):
            if query in fold(commune.name):
                province_pk = int(commune.path.strip("/").split("/")[0])
                found.append(
                    {
                        "id": commune.pk,
                        "name": f"{commune.name} – {provinces[province_pk].name}",
                        "province": province_pk,
                    }
                )
                if len(found) >= 20:
                    break
    else:
        found = []
    return JsonResponse({"communes": found})
