"""Pages of the register: search it, open a document, download it, sign it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import access, selectors, services, signing
from .forms import RegisterSearchForm, SignForm
from .models import SigningDevice
from .subjects import subject_of


@login_required
@require_GET
def register(request):
    form = RegisterSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    documents = selectors.register_search(
        request.user, query=filters.get("query") or "", year=filters.get("year"), kind=filters.get("kind") or ""
    )
    page = Paginator(documents, 50).get_page(request.GET.get("page"))
    kept = request.GET.copy()  # the search, kept by the links to the other pages
    kept.pop("page", None)
    return render(request, "documents/register.html", {"form": form, "page": page, "kept": kept.urlencode()})


@login_required
@require_GET
def detail(request, pk):
    document = access.document_for_user(request.user, pk)
    verification = None
    if document.signed_pdf:
        verification = signing.verify(services.document_pdf(document, signed=True))
    subject = subject_of(document.subject_kind)
    devices = SigningDevice.objects.filter(user=request.user, is_active=True)
    context = {
        "document": document,
        "verification": verification,
        "subject_url": subject.url(document) if subject else "",
        "sign_form": SignForm(devices=devices) if access.may_sign(request.user, document) and devices else None,
        "may_sign_without_device": access.may_sign(request.user, document) and not devices,
    }
    return render(request, "documents/document.html", context)


@login_required
@require_GET
def download(request, pk, variant):
    document = access.document_file_for_user(request.user, pk)
    signed = variant == "signed"
    if signed and not document.signed_pdf:
        raise Http404
    content = services.document_pdf(document, signed=signed)
    access.record_download(document, signed=signed)
    response = HttpResponse(content, content_type="application/pdf")
    stem = f"{document.number}-{document.symbol}-{document.year}".replace("/", "-")
    response["Content-Disposition"] = f'attachment; filename="{stem}{"-da-ky" if signed else ""}.pdf"'
    return response


@login_required
@require_POST
def sign(request, pk):
    document = access.document_file_for_user(request.user, pk)
    form = SignForm(request.POST, devices=SigningDevice.objects.filter(user=request.user, is_active=True))
    if not form.is_valid():
        messages.error(request, _("Choose your signing device and type its PIN or pass phrase."))
        return redirect("outgoing:detail", pk=document.pk)
    try:
        services.document_sign(
            actor=request.user,
            document=document,
            device=form.cleaned_data["device"],
            secret=form.cleaned_data["secret"],
        )
    except (ValidationError, PermissionDenied, signing.SigningError) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, text)
    else:
        messages.success(request, _("Signed."))
    return redirect("outgoing:detail", pk=document.pk)
