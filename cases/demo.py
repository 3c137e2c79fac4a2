"""Demo case files in Xã Tân Biên, at several steps of the procedure (embedded default only)."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from agencies.models import AdministrativeUnit, Agency

from . import services
from .models import CaseFile

DEMO_CHILDREN = (
    # name, birth, sex, abuse form, source, how far the case goes
    ("Nguyễn Văn Bình", datetime.date(2015, 4, 12), "male", "violence", "school", "received"),
    ("Trần Thị Ngọc Anh", datetime.date(2012, 8, 3), "female", "sexual_molestation", "hotline_111", "emergency"),
    ("Lê Hoàng Phúc", datetime.date(2017, 1, 20), "male", "neglect", "collaborator", "plan_submitted"),
    ("Phạm Thị Thu", datetime.date(2011, 11, 5), "female", "exploitation", "walk_in", "in_intervention"),
)


@transaction.atomic
def seed() -> dict[str, int]:
    commune = AdministrativeUnit.objects.get(level="commune", code="25486")
    if CaseFile.objects.filter(commune=commune).exists():
        return {"case files": 0}
    users = get_user_model().objects.in_bulk(["canbo.tanbien", "chutich.tanbien"], field_name="username")
    officer, chairman = users["canbo.tanbien"], users["chutich.tanbien"]
    health = Agency.objects.get(unit=commune, name="Trạm Y tế xã Tân Biên")
    now = timezone.now()
    for index, (name, birth, sex, form, source, stage) in enumerate(DEMO_CHILDREN):
        report = services.report_receive(
            actor=officer,
            report=services.ReportInput(
                received_at=now - datetime.timedelta(days=index * 2, hours=3),
                receiving_point="hotline_111" if source == "hotline_111" else "commune",
                commune=commune,
                source=source,
                setting="family",
                abuse_forms=[form],
                narrative="Dữ liệu minh họa (không phải trường hợp thật).",
                reporter_is_anonymous=True,
            ),
            children=[
                services.ChildInput(
                    full_name=name,
                    birth_date=birth,
                    sex=sex,
                    ethnicity="01",
                    residence_commune=commune,
                    school="Trường THCS Tân Biên",
                )
            ],
        )
        case = report.case_files.get()
        if stage == "received":
            continue
        emergency = stage == "emergency"
        services.case_assess(
            actor=officer,
            case=case,
            severity="high" if emergency else "medium",
            perpetrator_access="medium",
            care_environment="medium",
            child_capacity="medium",
            is_emergency=emergency,
        )
        if emergency:
            services.case_record_emergency(
                actor=officer,
                case=case,
                description="Đưa trẻ đến nơi an toàn.",
                taken_by="Công an xã Tân Biên",
                taken_at=now - datetime.timedelta(hours=1),
            )
            continue
        services.case_investigate(
            actor=officer,
            case=case,
            information="Đã làm việc với gia đình.",
            risk_level="medium",
            needs="Khám sức khỏe, tư vấn tâm lý.",
            meeting_at=now - datetime.timedelta(hours=2),
            participants="Cán bộ xã, gia đình.",
            minutes="Thống nhất kế hoạch hỗ trợ.",
        )
        services.case_submit_plan(
            actor=officer,
            case=case,
            objectives="Bảo đảm an toàn, sức khỏe và việc học của trẻ.",
            measures=[
                services.MeasureInput(
                    health, "medical", "Khám sức khỏe cho trẻ.", timezone.localdate() + datetime.timedelta(days=10)
                )
            ],
        )
        if stage == "in_intervention":
            services.case_approve_plan(actor=chairman, case=case, decision_number="12/QĐ-UBND")
    return {"case files": len(DEMO_CHILDREN)}
