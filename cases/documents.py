"""The forms of Decree 56/2017/NĐ-CP (Mẫu 01–06), filled from a case file, in the Decree 30/2020 layout.

Each form is issued by the commune's People's Committee (its default issuing body, configurable). Its date
is the date of the step it records (Mẫu 01: the report's receipt; Mẫu 02: the assessment…), never the
print's. Printed before it is issued it is a draft ("Số:      /BB-UBND"); `form_issue` gives it the next number
of the outgoing register, once per record (an issued form prints with its number ever after, and is signed
from the register)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.selectors import agency_names_on
from config.pdf import RenderedPdf, render_document
from outgoing.letterhead import letterhead
from outgoing.models import DocumentKind, OutgoingDocument, SubjectKind
from outgoing.names import full_name, in_text
from outgoing.services import Issue, document_issue, issuing_body_default

from .choices import PlanStatus
from .lists import extra_pairs
from .models import CaseFile, current_plan


@dataclass(frozen=True)
class Form:
    document_type: str
    summary: str
    kind: DocumentKind
    signer_title: str  # who signs it, when not the People's Committee's chairman


FORMS = {
    1: Form(
        "Phiếu tiếp nhận thông tin, thông báo, tố giác về hành vi xâm hại trẻ em",
        "",
        DocumentKind.RECORD,
        "Người tiếp nhận",
    ),
    2: Form("Biên bản", "Đánh giá nguy cơ ban đầu", DocumentKind.MINUTES, "Người đánh giá"),
    3: Form(
        "Biên bản",
        "Thu thập thông tin, đánh giá cụ thể và họp đánh giá nhu cầu",
        DocumentKind.MINUTES,
        "Người lập biên bản",
    ),
    4: Form("Kế hoạch", "Hỗ trợ, can thiệp đối với trẻ em", DocumentKind.PLAN, "Người lập kế hoạch"),
    5: Form("Quyết định", "Về việc phê duyệt kế hoạch hỗ trợ, can thiệp", DocumentKind.DECISION, ""),
    6: Form(
        "Báo cáo",
        "Rà soát, đánh giá việc thực hiện kế hoạch hỗ trợ, can thiệp",
        DocumentKind.REPORT,
        "Người làm công tác bảo vệ trẻ em",
    ),
}


def printable_forms() -> list[tuple[int, str]]:
    """(number, label) of each printable form, for the case page's buttons."""
    return [(number, _("Form %(number)s") % {"number": f"{number:02d}"}) for number in FORMS]


def answer_letterhead(case: CaseFile, user) -> dict:
    """The letterhead of an answer to a data-subject request: the commune's People's Committee, signed by the
    officer who prepared it."""
    head = letterhead(issuing_body_default(case.commune))
    head["signer"] = {"authority": "", "title": "Người lập", "name": user.get_full_name()}
    # A letter (công văn) carries the body's symbol alone: "Số:      /UBND".
    return head


def _latest(records, moment: str):
    records = list(records)
    return max(records, key=lambda record: (getattr(record, moment), record.pk)) if records else None


def source_of(case: CaseFile, number: int):
    """The record form NUMBER writes out, its date and its author: (record, moment, user), or None before the
    step was taken. From rows the case page's query already fetched."""
    plan = current_plan(case.plans.all())
    if number == 1:
        return case.report, case.report.received_at, case.report.received_by
    if number == 2:
        record = _latest(case.initial_assessments.all(), "assessed_at")
        return (record, record.assessed_at, record.assessed_by) if record else None
    if number == 3:
        record = _latest(case.specific_assessments.all(), "assessed_at")
        return (record, record.assessed_at, record.assessed_by) if record else None
    if number == 4:
        return (plan, plan.submitted_at, plan.drafted_by) if plan else None
    if number == 5:
        if plan is None or plan.status != PlanStatus.APPROVED or plan.decided_at is None:
            return None  # Mẫu 05 is the approval decision: nothing to issue before it
        return plan, plan.decided_at, plan.decided_by
    record = _latest(case.reviews.all(), "reviewed_at")
    return (record, record.reviewed_at, record.reviewed_by) if record else None


def subject_key(case: CaseFile, number: int, record) -> str:
    return f"case:{case.pk}:form:{number}:{type(record).__name__.lower()}:{record.pk}"


def issued_form(case: CaseFile, number: int) -> OutgoingDocument | None:
    source = source_of(case, number)
    if source is None:
        return None
    return OutgoingDocument.objects.filter(
        subject_kind=SubjectKind.CASE_FORM, subject_key=subject_key(case, number, source[0])
    ).first()


def _context(case: CaseFile, number: int, *, number_symbol: str) -> dict:
    form = FORMS[number]
    body = issuing_body_default(case.commune)
    source = source_of(case, number)
    moment, author = (source[1], source[2]) if source else (None, None)
    plan = current_plan(case.plans.all())
    if number == 5:
        if source is None:
            plan = None
        head = letterhead(body, signer_name=author.get_full_name() if author else body.signer_name)
        recipients = ["Như Điều 2", "Lưu: VT, hồ sơ trẻ em"]
    else:
        head = letterhead(body, signer_name=author.get_full_name() if author else "")
        head["signer"] = {"authority": "", "title": form.signer_title, "name": head["signer"]["name"]}
        recipients = ["Lưu: hồ sơ trẻ em"]
    day = timezone.localtime(moment).date() if moment else timezone.localdate()
    measures = list(plan.measures.all()) if plan else []
    # Each agency under the name it bore on the form's date: a renaming since does not rewrite old forms.
    names = agency_names_on({measure.agency_id for measure in measures}, day)
    return {
        **head,
        "recipients": recipients,
        "case": case,
        "number": number,
        "plan": plan,
        "measures": [(measure, names.get(measure.agency_id, measure.agency.name)) for measure in measures],
        "extra_report": extra_pairs(case.report, target="report") if number == 1 else [],
        "extra_case": extra_pairs(case, target="case") if number == 3 else [],
        "form_number": f"Mẫu số {number:02d}",
        "symbol": f"{form.kind}-{body.symbol}",
        "number_symbol": number_symbol,
        "draft": not number_symbol,  # marked DỰ THẢO on every page
        "document_date": moment,
        "document_type": form.document_type,
        "document_summary": form.summary,
        "moment": moment,
        "closing": _closing(number, moment, case),
    }


def _closing(number: int, moment, case: CaseFile) -> str:
    """The last line of the form's body, printed with the signer block (never a page of its own)."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    at = f"lúc {local:%H} giờ {local:%M} phút ngày {local:%d/%m/%Y}"
    commune = in_text(full_name(case.commune))
    return {
        1: f"Phiếu tiếp nhận được lập {at}./.",
        2: f"Biên bản được lập {at}./.",
        3: f"Biên bản được lập {at}./.",
        4: f"Kế hoạch được lập ngày {local:%d/%m/%Y}, trình Chủ tịch Ủy ban nhân dân {commune} phê duyệt./.",
        5: "Điều 3. Quyết định này có hiệu lực kể từ ngày ký./.",
        6: f"Báo cáo được lập ngày {local:%d/%m/%Y}./.",
    }[number]


def form_document(case: CaseFile, number: int, *, number_symbol: str = "") -> RenderedPdf:
    """Mẫu NUMBER for CASE (fetched through the access door, with its relations)."""
    return render_document("cases/pdf/form.html", _context(case, number, number_symbol=number_symbol))


def form_pdf(case: CaseFile, number: int) -> bytes:
    """The form as printed: the issued one with its number, else a draft with the number left blank."""
    document = issued_form(case, number)
    if document is not None:
        from outgoing.services import document_pdf

        return document_pdf(document, signed=bool(document.signed_pdf))
    return form_document(case, number).content


@transaction.atomic
def form_issue(*, actor, case: CaseFile, number: int) -> OutgoingDocument:
    """Number Mẫu NUMBER of CASE in the commune's outgoing register (once per record it writes out).

    CASE comes through the access door with the right to change it."""
    if number not in FORMS:
        raise ValidationError(_("There is no such form."))
    source = source_of(case, number)
    if source is None:
        raise ValidationError(_("This step has not been recorded yet: there is nothing to issue."))
    record, moment, author = source
    key = subject_key(case, number, record)
    # Two officers issuing the same form at once: the second waits here, then finds the first's number.
    CaseFile.objects.select_for_update().filter(pk=case.pk).first()
    existing = OutgoingDocument.objects.filter(subject_kind=SubjectKind.CASE_FORM, subject_key=key).first()
    if existing is not None:
        return existing
    form = FORMS[number]
    body = issuing_body_default(case.commune)
    signer_title = body.signer_line if number == 5 else form.signer_title
    issue = Issue(
        kind=form.kind,
        title=f"{' '.join(filter(None, (form.document_type, form.summary.lower())))} (Mẫu số {number:02d}), "
        f"hồ sơ {case.reference}",
        subject_kind=SubjectKind.CASE_FORM,
        subject_id=case.pk,
        subject_key=key,
        render=lambda number_symbol, _issued_on: form_document(case, number, number_symbol=number_symbol),
        signer_title=signer_title,
        signer_name=author.get_full_name() if author else "",
        signer=author,
        issued_on=timezone.localtime(moment).date(),
    )
    return document_issue(actor=actor, body=body, issue=issue)
