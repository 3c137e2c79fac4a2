"""Personal-data duties of a case file: lawful basis, consents, disclosures, data-subject requests,
the export of everything held about the child, and the register of requests."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from config.pdf import render_pdf

from .. import access, documents, forms, privacy_export, selectors
from ..models import CaseFile, Consent, DataSubjectRequest, RequestKind, RequestStatus
from ..services import privacy
from .common import submit


def _case(request, pk, *, need=access.Need.VIEW, purpose=None):
    queryset = CaseFile.objects.select_related("commune", "child")
    return access.case_for_user(request.user, pk, need=need, queryset=queryset, purpose=purpose)


def _page(request, case, status=200, **bound):
    caregivers = case.child.caregivers.filter(is_legal_representative=True)
    active_consents = case.consents.filter(withdrawn_on__isnull=True)
    context = {
        "case": case,
        "can_manage": access.can_manage_privacy(request.user, case),
        "consents": case.consents.select_related("representative"),
        "disclosures": case.disclosures.prefetch_related("consents"),
        "data_requests": case.data_requests.all(),
        "basis_form": bound.get("basis_form")
        or forms.LawfulBasisForm(
            initial={
                "version": case.version,
                "lawful_basis": case.lawful_basis,
                "lawful_basis_note": case.lawful_basis_note,
            }
        ),
        "consent_form": bound.get("consent_form")
        or forms.ConsentForm(caregivers=caregivers, initial={"given_on": timezone.localdate()}),
        "disclosure_form": bound.get("disclosure_form")
        or forms.DisclosureForm(consents=active_consents, initial={"disclosed_on": timezone.localdate()}),
        "request_form": bound.get("request_form")
        or forms.DataRequestForm(initial={"received_at": timezone.localtime().replace(second=0, microsecond=0)}),
        "answer_forms": {
            r.pk: forms.DataRequestAnswerForm(initial={"version": r.version}, prefix=f"answer-{r.pk}")
            for r in case.data_requests.all()
            if r.status == RequestStatus.OPEN
        },
    }
    if "answer_form" in bound:
        pk, form = bound["answer_form"]
        context["answer_forms"][pk] = form
    return render(request, "cases/privacy.html", context, status=status)


@login_required
@require_GET
def privacy_page(request, pk):
    return _page(request, _case(request, pk, purpose="view"))


def _managed_case(request, pk):
    """The case file, for those who handle its personal-data duties (403 for other full-access roles)."""
    return _case(request, pk, need=access.Need.PRIVACY)


def _write(request, case, form, call, success: str, *, bound: dict):
    """Run CALL(cleaned data) for a valid form; on refusal show the page again with what was typed."""
    if form.is_valid() and submit(request, form, call, success):
        return redirect("cases:privacy", pk=case.pk)
    return _page(request, case, status=400, **bound)


@login_required
@require_POST
def basis_set(request, pk):
    case = _managed_case(request, pk)
    form = forms.LawfulBasisForm(request.POST)

    def call(data):
        privacy.lawful_basis_set(
            actor=request.user,
            case=case,
            basis=data["lawful_basis"],
            note=data["lawful_basis_note"],
            expected_version=data["version"],
        )

    return _write(request, case, form, call, _("The lawful basis is recorded."), bound={"basis_form": form})


@login_required
@require_POST
def consent_add(request, pk):
    case = _managed_case(request, pk)
    form = forms.ConsentForm(request.POST, caregivers=case.child.caregivers.filter(is_legal_representative=True))

    def call(data):
        privacy.consent_record(actor=request.user, case=case, **data)

    return _write(request, case, form, call, _("The consent is recorded."), bound={"consent_form": form})


@login_required
@require_POST
def consent_withdraw(request, pk, consent_pk):
    case = _managed_case(request, pk)
    consent = Consent.objects.filter(pk=consent_pk, case=case).first()
    if consent is None:
        raise Http404
    try:
        privacy.consent_withdraw(actor=request.user, consent=consent)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The consent is marked withdrawn."))
    return redirect("cases:privacy", pk=case.pk)


@login_required
@require_POST
def disclosure_add(request, pk):
    case = _managed_case(request, pk)
    form = forms.DisclosureForm(request.POST, consents=case.consents.all())

    def call(data):
        privacy.disclosure_record(
            actor=request.user,
            case=case,
            recipient=data["recipient"],
            purpose=data["purpose"],
            disclosed_on=data["disclosed_on"],
            consents=list(data["consents"]),
        )

    return _write(request, case, form, call, _("The disclosure is recorded."), bound={"disclosure_form": form})


@login_required
@require_POST
def request_add(request, pk):
    case = _managed_case(request, pk)
    form = forms.DataRequestForm(request.POST)

    def call(data):
        privacy.request_record(actor=request.user, case=case, **data)

    success = _("The request is registered; answer it within 2 working days.")
    return _write(request, case, form, call, success, bound={"request_form": form})


def _managed_request(request, pk, request_pk):
    case = _managed_case(request, pk)
    data_request = DataSubjectRequest.objects.filter(pk=request_pk, case=case).first()
    if data_request is None:
        raise Http404
    return case, data_request


@login_required
@require_POST
def request_answer(request, pk, request_pk):
    case, data_request = _managed_request(request, pk, request_pk)
    form = forms.DataRequestAnswerForm(request.POST, prefix=f"answer-{data_request.pk}")

    def call(data):
        privacy.request_answer(
            actor=request.user,
            request=data_request,
            status=data["status"],
            answer=data["answer"],
            expected_version=data["version"],
        )

    return _write(
        request, case, form, call, _("The answer is recorded."), bound={"answer_form": (data_request.pk, form)}
    )


@login_required
@require_GET
def request_export(request, pk, request_pk, extension):
    """Everything held about the child, only for an open access request, by who handles it."""
    if extension not in ("json", "pdf"):
        raise Http404
    case, data_request = _managed_request(request, pk, request_pk)
    if data_request.kind != RequestKind.ACCESS or data_request.status != RequestStatus.OPEN:
        raise PermissionDenied(_("The export is only for an open request for access."))
    cases = list(selectors.case_files_of_child(request.user, case))
    data = privacy_export.dossier(case.child, cases)
    access.record_export_of_child(case, request=data_request, extension=extension)
    name = f"du-lieu-tre-em-{case.reference}-yeu-cau-{data_request.pk}"
    if extension == "json":
        response = HttpResponse(privacy_export.as_json(data), content_type="application/json; charset=utf-8")
    else:
        pdf = render_pdf(
            "documents/child_export.html",
            {
                "lines": privacy_export.flatten(data),
                "data_request": data_request,
                **documents.answer_letterhead(case, request.user),
                "document_date": timezone.now(),
                "document_type": "Thông tin cá nhân của trẻ em đang được lưu giữ",
                "document_summary": f"Trả lời yêu cầu số {data_request.pk}, hồ sơ {case.reference}",
                "recipients": [data_request.requester_name, "Lưu: hồ sơ trẻ em"],
            },
        )
        response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def request_register(request):
    """Data-subject requests in the user's area, open ones first, soonest due first."""
    rows = selectors.data_requests_in_area(request.user)
    return render(request, "cases/privacy_register.html", {"rows": rows, "now": timezone.now()})
