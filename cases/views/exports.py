"""Exports: asking for a file of a filtered case list or of the audit trail (built by a task), its page
(waiting, ready, expired) and its download, encrypted with a password the user types there; and the
caseload (counts, no personal data) as a direct download."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from audit.recorder import record

from .. import access, exports, forms, selectors
from ..models import ExportKind, ExportState
from ..services import exports as export_services
from .common import apply_errors


def _request_page(request, *, kind: str, back: str, count: int | None):
    """The shared page that asks for an export of KIND with the filter of the page it came from."""
    query = request.GET.urlencode() if request.method == "GET" else request.POST.get("query", "")
    form = forms.ExportForm(request.POST or None)
    # An empty list has nothing to prepare: the page says so and asks for no file.
    if request.method == "POST" and count != 0 and form.is_valid():
        try:
            export = export_services.export_request(
                actor=request.user, kind=kind, file_format=form.cleaned_data["file_format"], query=query
            )
        except ValidationError as error:
            apply_errors(error, form)
        else:
            return redirect("cases:export_detail", token=export.token)
    return render(
        request,
        "cases/export_request.html",
        {"form": form, "kind": ExportKind(kind), "query": query, "back": f"{back}?{query}" if query else back,
         "count": count},
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def case_export(request):
    if not access.may_open_case_files(request.user):
        raise Http404
    query = request.GET.urlencode() if request.method == "GET" else request.POST.get("query", "")
    count = selectors.case_list(request.user, selectors.case_filters(request.user, query)).count()
    return _request_page(request, kind=ExportKind.CASE_LIST, back=reverse("cases:list"), count=count)


@login_required
@require_http_methods(["GET", "POST"])
def audit_export(request):
    access.audit_scope(request.user)  # 404 for anyone who may not search the trail
    return _request_page(request, kind=ExportKind.AUDIT, back=reverse("cases:audit"), count=None)


@sensitive_post_parameters("password", "password_again")  # never in an error report or a log
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def export_detail(request, token):
    """Waiting (the page refreshes itself), ready (the password form, then the encrypted file), failed or
    expired (said in words, 410: never a 500)."""
    export = access.export_for_user(request.user, token)
    now = timezone.now()
    if export.state == ExportState.EXPIRED or export.expires_at <= now:
        return render(request, "cases/export_expired.html", {"export": export}, status=410)
    form = forms.ExportPasswordForm(
        request.POST if request.method == "POST" else None, username=request.user.get_username()
    )
    if request.method == "POST" and export.state == ExportState.READY and form.is_valid():
        try:
            name, package = export_services.export_package(
                actor=request.user, export=export, password=form.cleaned_data["password"]
            )
        except ValidationError as error:
            apply_errors(error, form)
        else:
            response = HttpResponse(package, content_type="application/zip")
            response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
            response["X-Content-Type-Options"] = "nosniff"
            return response
    waiting = export.state in (ExportState.QUEUED, ExportState.RUNNING)
    return render(
        request,
        "cases/export_detail.html",
        {"export": export, "form": form, "waiting": waiting, "file_name": export_services.export_file_name(export)},
        status=400 if request.method == "POST" and form.errors else 200,
    )


@login_required
@require_GET
def caseload_export(request, extension: str):
    """The caseload of the user's area as XLSX or CSV: counts and officers' names, nothing about a child, so
    it needs no password; recorded in the trail."""
    if not access.may_see_caseloads(request.user):
        raise PermissionDenied(_("Only a chairman or a coordinator follows the officers' caseloads."))
    if extension not in exports.CONTENT_TYPES:
        raise Http404
    rows = selectors.caseload_rows(request.user)
    output, count = exports.write(exports.CASELOAD, extension, rows)
    with output:
        content = output.read()
    record("export", "caseload", "", fields={"format": extension, "rows": count})
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[extension])
    stamp = timezone.localtime().strftime("%Y%m%d")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"khoi-luong-ho-so-{stamp}.{extension}"
    )
    return response
