"""Take a new case file to any step of the procedure through the services, as its officer and chairman
would: for the demo data (cases/demo.py) and the tests (tests/factories.py).

`before` is called with the name of each step before it is taken; the demo uses it to move its clock,
so that a case received a year ago was also assessed, planned and closed back then.
"""

from collections.abc import Callable, Iterable

from django.utils import timezone

from . import services

# The steps on the way to each state, in order (the review closes the plan unless the state is "reviewed").
PATHS = {
    "received": (),
    "assessed": ("assess",),
    "not_child_protection": ("mark_not_child_protection",),
    "emergency_handled": ("assess_emergency", "record_emergency"),
    "investigated": ("assess", "investigate"),
    "plan_submitted": ("assess", "investigate", "submit_plan"),
    "plan_returned": ("assess", "investigate", "submit_plan", "return_plan"),
    "in_intervention": ("assess", "investigate", "submit_plan", "approve_plan"),
    "reviewed": ("assess", "investigate", "submit_plan", "approve_plan", "review_replan"),
    "closure_proposed": ("assess", "investigate", "submit_plan", "approve_plan", "review_close"),
    "closed": ("assess", "investigate", "submit_plan", "approve_plan", "review_close", "approve_closure"),
}


def assess(case, officer, *, is_emergency=False, level="low"):
    """The initial risk assessment (Mẫu 02), LEVEL on the first two criteria, high in an emergency."""
    level = "high" if is_emergency else level
    services.case_assess(
        actor=officer,
        case=case,
        severity=level,
        perpetrator_access=level,
        care_environment="low",
        child_capacity="low",
        is_emergency=is_emergency,
    )
    return case


def walk_to(
    case,
    state: str,
    *,
    officer,
    chairman,
    measures: Iterable = (),
    before: Callable[[str], None] | None = None,
    level: str = "low",
):
    """Take a new case file to STATE. MEASURES [(agency, service, text, due)] for the plan, from
    "plan_submitted" on; LEVEL the risk found by the assessments."""
    if state not in PATHS:
        raise ValueError(f"walk_to does not know the state {state}")
    for step in PATHS[state]:
        if before is not None:
            before(step)
        _take(step, case, officer=officer, chairman=chairman, measures=measures, level=level)
    return case


def _take(step: str, case, *, officer, chairman, measures, level):
    if step == "assess":
        assess(case, officer, level=level)
    elif step == "assess_emergency":
        assess(case, officer, is_emergency=True)
    elif step == "record_emergency":
        services.case_record_emergency(
            actor=officer,
            case=case,
            description="Tách trẻ khỏi nơi nguy hiểm, đưa đến nơi an toàn.",
            taken_by="Công an xã",
            taken_at=timezone.now(),
        )
    elif step == "mark_not_child_protection":
        services.case_mark_not_child_protection(actor=officer, case=case, reason="Tranh chấp dân sự.")
    elif step == "investigate":
        services.case_investigate(
            actor=officer,
            case=case,
            information="Đã làm việc với gia đình và nhà trường.",
            risk_level=level,
            needs="Hỗ trợ y tế, tư vấn tâm lý cho trẻ và gia đình.",
            meeting_at=timezone.now(),
            participants="Cán bộ xã, gia đình.",
            minutes="Thống nhất kế hoạch.",
        )
    elif step == "submit_plan":
        plan = [services.MeasureInput(*measure) for measure in measures]
        services.case_submit_plan(actor=officer, case=case, objectives="Bảo đảm an toàn cho trẻ.", measures=plan)
    elif step == "return_plan":
        services.case_return_plan(actor=chairman, case=case, note="Bổ sung biện pháp.")
    elif step == "approve_plan":
        services.case_approve_plan(actor=chairman, case=case, decision_number=f"{case.pk}/QĐ-UBND")
    elif step in ("review_close", "review_replan"):
        closing = step == "review_close"
        services.case_review(
            actor=officer,
            case=case,
            findings="Trẻ an toàn, ổn định." if closing else "Cần thêm biện pháp hỗ trợ.",
            child_is_safe=closing,
            recommendation="close" if closing else "replan",
            closure_reason="safe_and_stable" if closing else "",
        )
    elif step == "approve_closure":
        services.case_approve_closure(actor=chairman, case=case)
