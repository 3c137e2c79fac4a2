"""Working without signal: the installable app's service worker and manifest, the offline forms (the
shell the service worker keeps), the queue page, and the key that encrypts what the phone holds.

Nothing the service worker keeps names a child: the shell pages are the same for every report; what
the officer types and the case files kept for reading live only in the encrypted store (offline.js).
"""

import base64
import hashlib
import json
import uuid
from functools import cache

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.http.request import RawPostDataException
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .. import access, forms, lists, services
from ..choices import ReceivingPoint, ReportSource, RiskLevel, Setting, VisitKind
from ..models import ExtraFieldTarget, Urgency
from ..selectors.offline import own_open_assignments, own_open_cases
from .intake import _provinces_of

WORKBOX = "vendor/workbox-7.4.1"
# What the phone needs with no network: the shell pages and their assets (all the same for everyone).
SHELL_PAGES = ["/offline/", "/offline/queue/", "/offline/my-cases/"]
SHELL_ASSETS = [
    "vendor/bootstrap-5.3.8/css/bootstrap.min.css",
    "vendor/bootstrap-5.3.8/js/bootstrap.bundle.min.js",
    "css/baove.css",
    "css/work.css",
    "favicon.svg",
    "icons/baove-192.png",
    "icons/baove-512.png",
    "js/offline.js",
    "js/offline-forms.js",
    "js/offline-cases.js",
    f"{WORKBOX}/workbox-core.prod.js",
    f"{WORKBOX}/workbox-routing.prod.js",
    f"{WORKBOX}/workbox-strategies.prod.js",
    f"{WORKBOX}/workbox-precaching.prod.js",
]


@cache
def _revision(path: str) -> str:
    found = finders.find(path)
    if not found:
        return "missing"
    with open(found, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:16]


def _shell_revision() -> str:
    """Changes whenever an asset of the shell changes: the browser then installs the new worker."""
    return hashlib.sha256("".join(_revision(path) for path in SHELL_ASSETS).encode()).hexdigest()[:16]


@require_GET
def service_worker(request):
    """The service worker at the root, so that its scope covers the whole app."""
    precache = [{"url": static(path), "revision": _revision(path)} for path in SHELL_ASSETS]
    body = render(
        request,
        "offline/sw.js",
        {
            "workbox_sw": static(f"{WORKBOX}/workbox-sw.js"),
            "workbox_prefix": static(WORKBOX),
            "precache": json.dumps(precache),
            "shell_pages": json.dumps(SHELL_PAGES),
            "revision": _shell_revision(),
            "static_prefix": static(""),
        },
        content_type="application/javascript; charset=utf-8",
    )
    body["Service-Worker-Allowed"] = "/"
    body["Cache-Control"] = "no-cache"
    return body


@require_GET
def manifest(request):
    data = {
        "name": _("BaoVe – child protection"),
        "short_name": "BaoVe",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0d6efd",
        "lang": request.LANGUAGE_CODE,
        "icons": [
            {"src": static("icons/baove-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/baove-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


def _choices(choices) -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in choices]


def _province_of(path: str) -> int:
    return int(path.strip("/").split("/")[0])


@login_required
def offline_shell(request):
    """The offline forms: a new report (several children, the province's extra fields, photos), a visit, a
    note, a risk assessment; an agency's progress report on its assignment; a collaborator's short report
    (and none of the officer's forms, which they may not use)."""
    intake_communes = access.communes_for_intake(request.user)
    communes = [
        {"code": row["code"], "name": row["name"], "province": _province_of(row["path"])}
        for row in intake_communes.values("code", "name", "path")
    ]
    provinces = _provinces_of(intake_communes)
    may_report_progress = access.may_act_for_an_agency(request.user)
    may_report_short = access.intake_form_for(request.user) == access.IntakeForm.SHORT
    tabs = []
    if communes:
        tabs.append(("report", _("New report")))
    may_keep_case_files = access.may_keep_case_files(request.user)
    if may_keep_case_files:  # visits, notes and assessments: on the officer's own case files
        tabs += [("visit", _("Visit")), ("note", _("Note")), ("assess", _("Risk assessment"))]
    if may_report_short:
        tabs.append(("community", _("Report a child at risk")))
    if may_report_progress:
        tabs.append(("progress", _("Progress report")))
    return render(
        request,
        "offline/shell.html",
        {
            "communes": communes,
            "receiving_points": _choices(ReceivingPoint.choices),
            "sources": _choices(ReportSource.choices),
            "settings_": _choices(Setting.choices),
            # What the online form offers: the kept list's labels, the province's own entries, none withdrawn.
            "abuse_forms": lists.offered("abuse_form", provinces),
            # The province's own questions on a report, asked of a report for a commune of that province.
            "extra_fields": [
                (province, definition)
                for province in provinces
                for definition in lists.extra_definitions(province, ExtraFieldTarget.REPORT)
            ],
            "risk_levels": _choices(RiskLevel.choices),
            "assess_fields": [
                (name, str(forms.AssessForm.base_fields[name].label))
                for name in ("severity", "perpetrator_access", "care_environment", "child_capacity")
            ],
            "visit_kinds": _choices(VisitKind.choices),
            "hamlets": [hamlet for _commune, hamlet in access.collaborator_places(request.user) if hamlet],
            "collaborator_communes": access.collaborator_communes(request.user),
            "urgencies": _choices(Urgency.choices),
            "may_report": bool(communes),
            "may_keep_case_files": may_keep_case_files,
            "may_report_short": may_report_short,
            "may_report_progress": may_report_progress,
            "tabs": tabs,
            "first_tab": tabs[0][0] if tabs else "",
            "kept_on_phone": True,  # its menu names no one: see config/templatetags/navigation.py
        },
    )


@login_required
def offline_queue(request):
    """What waits on the phone, what went, what failed and why (read from the encrypted store)."""
    return render(request, "offline/queue.html", {"kept_on_phone": True})


def _json_login_required(request):
    return JsonResponse(
        {"code": "login_required", "detail": _("Log in again to send what is waiting on this phone.")}, status=401
    )


@never_cache
@require_POST
def offline_key(request):
    """Issue a key (no key_id sent), or confirm the phone's key is still valid (403 when revoked: wipe).

    With "restore", the key's material again, to its own user only: the phone drops a user's usable key
    while someone else is logged in on it, so that they cannot read that user's store."""
    if not request.user.is_authenticated:
        return _json_login_required(request)
    try:
        # The app sends JSON; a form post (its body already read by the CSRF check) carries no key id.
        body = json.loads(request.body or b"{}") if request.content_type == "application/json" else {}
        key_id = uuid.UUID(body["key_id"]) if body.get("key_id") else None
        restore = body.get("restore") is True
    except (ValueError, TypeError, KeyError, AttributeError, RawPostDataException):
        return JsonResponse({"code": "bad_request", "detail": _("The request could not be read.")}, status=400)
    if not request.session.session_key:
        request.session.save()
    session_key = request.session.session_key
    if key_id is None:
        key = services.offline_key_issue(actor=request.user, session_key=session_key)
        return JsonResponse(
            {
                "key_id": str(key.key_id),
                "key": base64.b64encode(bytes(key.material)).decode(),
                "checked_at": timezone.now().isoformat(),
            }
        )
    key = services.offline_key_check(actor=request.user, session_key=session_key, key_id=key_id)
    if key is None:
        return JsonResponse(
            {"code": "key_revoked", "detail": _("This phone's offline data was wiped: the key was revoked.")},
            status=403,
        )
    checked = {"key_id": str(key.key_id), "checked_at": timezone.now().isoformat()}
    if restore:
        checked["key"] = base64.b64encode(bytes(key.material)).decode()
    return JsonResponse(checked)


@never_cache
@require_GET
def offline_cases(request):
    """The officer's own open case files for offline reading: stored encrypted on the phone, never cached."""
    if not request.user.is_authenticated:
        return _json_login_required(request)
    receives, acts = access.may_receive_reports(request.user), access.may_act_for_an_agency(request.user)
    if not receives and not acts:
        raise PermissionDenied(_("Your role does not allow this."))
    return JsonResponse(
        {
            "cases": own_open_cases(request.user) if receives else [],
            "assignments": own_open_assignments(request.user) if acts else [],
        }
    )
