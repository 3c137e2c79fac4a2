"""Reading one's own case files with no signal: the page (the same for everyone, kept by the service
worker: the summaries are filled in from the encrypted store) and the summaries it stores (never cached)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .. import access
from ..selectors.offline_reading import SUMMARY_LIMIT, own_case_summaries


@login_required
@require_GET
def offline_my_cases(request):
    return render(request, "offline/cases.html", {"limit": SUMMARY_LIMIT, "kept_on_phone": True})


@never_cache
@require_GET
def offline_case_summaries(request):
    if not request.user.is_authenticated:
        return JsonResponse(
            {"code": "login_required", "detail": _("Log in again to send what is waiting on this phone.")}, status=401
        )
    if not access.may_receive_reports(request.user):
        raise PermissionDenied(_("Your role does not allow this."))
    return JsonResponse({"fetched_at": timezone.now().isoformat(), "cases": own_case_summaries(request.user)})
