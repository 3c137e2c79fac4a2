"""Notes and attachments on a case file."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import access, forms, services
from ..downloads import attachment_response


@login_required
@require_POST
def note_add(request, pk):
    case = access.case_for_user(request.user, pk, need=access.Need.EDIT)
    form = forms.NoteForm(request.POST)
    if form.is_valid():
        try:
            services.note_add(actor=request.user, case=case, text=form.cleaned_data["text"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Note added."))
    else:
        messages.error(request, _("The note is empty."))
    return redirect(f"{reverse('cases:detail', args=[case.pk])}#notes")


@login_required
@require_POST
def attachment_add(request, pk):
    case = access.case_for_user(request.user, pk, need=access.Need.EDIT)
    form = forms.AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                actor=request.user,
                case=case,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("File attached."))
    else:
        messages.error(request, _("Choose a file to attach."))
    return redirect(f"{reverse('cases:detail', args=[case.pk])}#attachments")


@login_required
@require_GET
def attachment_download(request, pk, attachment_pk):
    return attachment_response(access.attachment_for_user(request.user, pk, attachment_pk))
