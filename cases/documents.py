"""The forms of Decree 56/2017/NĐ-CP (Mẫu 01–06), filled from a case file."""

from django.utils import timezone
from django.utils.translation import gettext as _

from config.pdf import render_pdf

from .choices import PlanStatus
from .models import CaseFile, current_plan

FORMS = {
    1: "Phiếu tiếp nhận thông tin, thông báo, tố giác về hành vi xâm hại trẻ em",
    2: "Biên bản đánh giá nguy cơ ban đầu",
    3: "Biên bản thu thập thông tin, đánh giá cụ thể và họp đánh giá nhu cầu",
    4: "Kế hoạch hỗ trợ, can thiệp",
    5: "Quyết định phê duyệt kế hoạch hỗ trợ, can thiệp",
    6: "Báo cáo rà soát, đánh giá việc thực hiện kế hoạch hỗ trợ, can thiệp",
}


def printable_forms() -> list[tuple[int, str]]:
    """(number, label) of each printable form, for the case page's buttons."""
    return [(number, _("Form %(number)s") % {"number": f"{number:02d}"}) for number in FORMS]


def place_name(commune_name: str) -> str:
    for prefix in ("Xã ", "Phường ", "Đặc khu "):
        if commune_name.startswith(prefix):
            return commune_name[len(prefix) :]
    return commune_name


def form_pdf(case: CaseFile, number: int) -> bytes:
    """Mẫu NUMBER for CASE (already fetched through the access door, with its relations)."""
    plan = current_plan(case.plans.all())
    if number == 5 and (plan is None or plan.status != PlanStatus.APPROVED):
        plan = None  # Mẫu 05 is the approval decision: nothing to print before it
    officer = case.officer.get_full_name() if case.officer else ""
    context = {
        "case": case,
        "number": number,
        "plan": plan,
        "form_number": f"Mẫu số {number:02d} (Nghị định 56/2017/NĐ-CP)",
        "issuer_parent": "" if number == 5 else f"Ủy ban nhân dân {case.commune.name}",
        "issuer": f"Ủy ban nhân dân {case.commune.name}" if number == 5 else "Bộ phận bảo vệ trẻ em",
        "document_number": plan.decision_number if number == 5 and plan else "",
        "document_date": (plan.decided_at if number == 5 and plan and plan.decided_at else timezone.now()),
        "place": place_name(case.commune.name),
        "document_title": FORMS[number],
        "document_subtitle": f"Hồ sơ {case.reference}",
        "signer_title": "Chủ tịch" if number == 5 else "Người lập",
        "signer_name": (plan.decided_by.get_full_name() if number == 5 and plan and plan.decided_by else officer),
        "seal": number == 5,
        "recipients": (["Như Điều 2", "Lưu: VT, hồ sơ trẻ em"] if number == 5 else []),
    }
    return render_pdf("cases/pdf/form.html", context)
