"""The forms of Decree 56/2017/NĐ-CP (Mẫu 01–06), filled from a case file."""

from django.utils import timezone

from config.pdf import render_pdf

from .models import CaseFile

FORMS = {
    1: "Phiếu tiếp nhận thông tin, thông báo, tố giác về hành vi xâm hại trẻ em",
    2: "Biên bản đánh giá nguy cơ ban đầu",
    3: "Biên bản thu thập thông tin, đánh giá cụ thể và họp đánh giá nhu cầu",
    4: "Kế hoạch hỗ trợ, can thiệp",
    5: "Quyết định phê duyệt kế hoạch hỗ trợ, can thiệp",
    6: "Báo cáo rà soát, đánh giá việc thực hiện kế hoạch hỗ trợ, can thiệp",
}


def place_name(commune_name: str) -> str:
    for prefix in ("Xã ", "Phường ", "Đặc khu "):
        if commune_name.startswith(prefix):
            return commune_name[len(prefix) :]
    return commune_name


def form_pdf(case: CaseFile, number: int) -> bytes:
    """Mẫu NUMBER for CASE (already fetched through the access door, with its relations)."""
    plans = [plan for plan in case.plans.all() if plan.status != "superseded"]
    plan = plans[-1] if plans else None
    approved = next((p for p in reversed(case.plans.all()) if p.status == "approved"), None)
    if number == 5:
        plan = approved
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
