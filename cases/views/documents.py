"""The forms of a case file as outgoing documents: which are issued (with their number), issue one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from outgoing.models import SubjectKind
from outgoing.selectors import documents_issued

from .. import access, documents, selectors


@login_required
@require_GET
def forms_page(request, pk):
    case = selectors.case_detail(request.user, pk)
    issued = {
        document.subject_key: document for document in documents_issued(request.user, SubjectKind.CASE_FORM, case.pk)
    }
    rows = []
    for number, form in documents.FORMS.items():
        source = documents.source_of(case, number)
        key = documents.subject_key(case, number, source[0]) if source else None
        rows.append({"number": number, "form": form, "ready": source is not None, "document": issued.get(key)})
    return render(
        request,
        "documents/case_forms.html",
        {"case": case, "rows": rows, "may_issue": access.can_edit(request.user, case)},
    )


@login_required
@require_POST
def form_issue(request, pk, number):
    if number not in documents.FORMS:
        raise Http404
    case = selectors.case_detail(request.user, pk, purpose=None)
    access.case_for_user(request.user, case.pk, need=access.Need.EDIT)
    try:
        document = documents.form_issue(actor=request.user, case=case, number=number)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Issued as %(number)s.") % {"number": document.number_symbol})
    return redirect("cases:forms", pk=case.pk)
