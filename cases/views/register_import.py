"""Bringing a commune's register in: the template, the upload, the columns, the check and the import."""

import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.recorder import record

from .. import access, forms
from ..models import ImportStatus, RegisterImport, RegisterImportRow, RowStatus
from ..register import COLUMNS, problems_text, template_workbook
from ..services import register_import as service
from .common import apply_errors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS_SHOWN = 200


def _require_importer(user) -> None:
    if not access.may_import_registers(user):
        raise PermissionDenied(
            _("Only a commune's officer or chairman, or a coordinator over it, imports its register.")
        )


@login_required
@require_http_methods(["GET", "POST"])
def register_import(request):
    _require_importer(request.user)
    communes = access.communes_for_register_import(request.user)
    form = forms.RegisterUploadForm(request.POST or None, request.FILES or None, communes=communes)
    if request.method == "POST" and form.is_valid():
        try:
            upload = service.register_upload(
                actor=request.user, commune=form.cleaned_data["commune"], upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            apply_errors(error, form)
        else:
            return redirect("cases:register_mapping", upload.pk)
    recent = RegisterImport.objects.filter(commune__in=communes).select_related("commune").order_by("-uploaded_at")[:10]
    return render(request, "cases/register_import.html", {"form": form, "recent": recent})


@login_required
@require_GET
def register_template(request):
    _require_importer(request.user)
    response = HttpResponse(template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-so-theo-doi-baove.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def register_mapping(request, pk):
    upload = access.register_import_for_user(request.user, pk)
    form = forms.RegisterMappingForm(
        request.POST or None, columns=COLUMNS, headings=upload.headings, mapping=upload.mapping
    )
    if request.method == "POST" and form.is_valid():
        try:
            service.register_mapping_save(actor=request.user, register_import=upload, mapping=form.cleaned_data)
        except ValidationError as error:
            apply_errors(error, form)
        else:
            return redirect("cases:register_detail", upload.pk)
    return render(request, "cases/register_mapping.html", {"upload": upload, "form": form})


@login_required
@require_GET
def register_detail(request, pk):
    upload = access.register_import_for_user(request.user, pk)
    shown = (
        RegisterImportRow.objects.filter(
            register_import=upload, status__in=[RowStatus.BAD, RowStatus.DUPLICATE, RowStatus.ALREADY_IMPORTED]
        )
        .select_related("match__residence_commune")
        .order_by("position")[:ROWS_SHOWN]
    )
    rows = [
        {
            "row": row,
            "name": row.values.get("full_name") or "—",
            "number": row.values.get("row_number") or "—",
            "problems": list(
                zip(
                    problems_text(row.problems, language="vi"),
                    problems_text(row.problems, language="en"),
                    strict=True,
                )
            ),
        }
        for row in shown
    ]
    return render(
        request,
        "cases/register_detail.html",
        {
            "upload": upload,
            "rows": rows,
            "more": max(0, upload.bad_rows + upload.duplicate_rows + upload.already_imported_rows - ROWS_SHOWN),
            "working": upload.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING),
            "may_resume": service.may_resume(upload),
            "imported_so_far": cache.get(service.progress_key(upload.pk), 0),
        },
    )


@login_required
@require_GET
def register_progress(request, pk):
    upload = access.register_import_for_user(request.user, pk)
    rows = upload.progress
    if upload.status == ImportStatus.IMPORTING:
        rows = cache.get(service.progress_key(upload.pk), 0)
    return JsonResponse({"status": upload.status, "rows": rows})


@login_required
@require_POST
def register_resume(request, pk):
    upload = access.register_import_for_user(request.user, pk)
    try:
        if service.register_work_resume(actor=request.user, register_import=upload):
            messages.success(request, _("Started again."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("cases:register_detail", upload.pk)


@login_required
@require_POST
def register_run(request, pk):
    upload = access.register_import_for_user(request.user, pk)
    try:
        service.register_import_start(actor=request.user, register_import=upload)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("cases:register_detail", upload.pk)


@login_required
@require_GET
def register_rejected(request, pk):
    """The rows not imported, with the reason: the file's own columns, to correct and import again."""
    upload = access.register_import_for_user(request.user, pk)
    if not upload.error_file or not os.path.exists(service.stored_path(upload.error_file)):
        raise Http404
    record("download", "case_list", upload.pk, fields={"register_import_rejected": upload.pk})
    stem = upload.file_name.rsplit(".", 1)[0][:60]
    return FileResponse(
        open(service.stored_path(upload.error_file), "rb"),
        as_attachment=True,
        filename=f"{stem}-dong-chua-nhap.xlsx",
        content_type=XLSX,
    )
