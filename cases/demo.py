"""Demo case files over the last two years in the demo province (embedded default only).

Two sets, walked through the services (cases.walker) as their officers, chairmen and agencies would:
- Xã Tân Biên has a case file at every step of the procedure, received over the last weeks, so that its
  officer, its chairman, the agencies and the coordinators each have something to do (and a few things
  overdue);
- about one report a month over the last two years in five communes (under the former district and
  directly under the province), mostly closed, so that every report period and dashboard shows figures.

The clock is set to when each step happened (agencies.demo.clock), so that receipts, decisions, deadlines
met or missed and closures fall in their real periods.
"""

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from agencies.access import province_pk_of
from agencies.demo import COMMUNES, clock
from agencies.models import AdministrativeUnit, Agency

from . import services
from .choices import OPEN_STATES
from .models import Assignment, CaseFile, ExtraField, ListEntry
from .walker import walk_to

FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý")
MIDDLE_NAMES = {"male": ("Văn", "Minh", "Hoàng", "Quốc", "Thanh"), "female": ("Thị", "Ngọc", "Thu", "Kim", "Mỹ")}
GIVEN_NAMES = {
    "male": ("Bình", "Phúc", "Khang", "Huy", "Tài", "Nam", "Long", "Hiếu", "Tín", "Lộc", "Đạt", "Khôi"),
    "female": ("Anh", "Thu", "Vy", "Trang", "Ngân", "Hân", "My", "Linh", "Nhi", "Thảo", "Yến", "Châu"),
}
ABUSE_FORMS = (
    "violence",
    "violence",
    "violence",
    "neglect",
    "neglect",
    "sexual_molestation",
    "sexual_rape",
    "exploitation",
    "abandonment",
    "trafficking",
    "other",
)
SOURCES = ("school", "hotline_111", "collaborator", "walk_in", "phone", "police", "health")
SETTINGS = ("family", "family", "family", "school", "community", "online")
NARRATIVE = "Dữ liệu minh họa (không phải trường hợp thật)."

# When each step is taken, counted from the receipt of the report (the late plan of some cases included).
STEP_AFTER = {
    "assess": datetime.timedelta(hours=3),
    "assess_emergency": datetime.timedelta(hours=2),
    "record_emergency": datetime.timedelta(hours=6),
    "mark_not_child_protection": datetime.timedelta(days=1),
    "investigate": datetime.timedelta(days=2),
    "submit_plan": datetime.timedelta(days=4),
    "return_plan": datetime.timedelta(days=5),
    "approve_plan": datetime.timedelta(days=6),
    "review_close": datetime.timedelta(days=80),
    "review_replan": datetime.timedelta(days=80),
    "approve_closure": datetime.timedelta(days=85),
}


@dataclass(frozen=True)
class DemoCase:
    commune: str  # key of agencies.demo.COMMUNES
    received_ago: datetime.timedelta
    state: str
    # What the agencies did with their assignments: accept, progress, done, decline (in that order).
    agency_steps: tuple[str, ...] = ()
    late_plan: bool = False  # the plan submitted after the 5 working days
    transfer_to: str = ""  # a transfer to this commune, pending its answer
    review_ago: datetime.timedelta | None = None  # when the review was held, if not 80 days after receipt


DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)

# One case file of Xã Tân Biên at each step of the procedure.
EVERY_STEP = (
    DemoCase("tan_bien", 2 * HOUR, "received"),
    DemoCase("tan_bien", 3 * DAY, "received"),  # no decision within 12 hours: overdue, escalated
    DemoCase("tan_bien", 1 * DAY, "assessed"),
    DemoCase("tan_bien", 2 * DAY, "emergency_handled"),
    DemoCase("tan_bien", 4 * DAY, "investigated"),
    DemoCase("tan_bien", 5 * DAY, "plan_submitted"),
    DemoCase("tan_bien", 7 * DAY, "plan_returned"),
    DemoCase("tan_bien", 12 * DAY, "in_intervention", ("accept", "progress")),
    DemoCase("tan_bien", 10 * DAY, "in_intervention", ("decline",)),
    DemoCase("tan_bien", 9 * DAY, "in_intervention"),  # assignments still to accept
    DemoCase("tan_bien", 45 * DAY, "in_intervention", ("accept",)),  # its assignment is overdue
    DemoCase("tan_bien", 100 * DAY, "reviewed", ("accept", "progress", "done"), review_ago=3 * DAY),
    DemoCase("tan_bien", 95 * DAY, "closure_proposed", ("accept", "progress", "done"), review_ago=2 * DAY),
    DemoCase("tan_bien", 120 * DAY, "closed", ("accept", "progress", "done")),
    DemoCase("tan_bien", 1 * DAY, "assessed", transfer_to="tan_chau"),
    DemoCase("tan_bien", 3 * DAY, "not_child_protection"),
)


def _over_two_years(rng: random.Random, now: datetime.datetime) -> list[DemoCase]:
    """A report in each of the last 23 calendar months (two in every third), in turn in each commune;
    those old enough are mostly closed."""
    communes = list(COMMUNES)
    cases = []
    for month in range(1, 24):
        year, month_of_year = divmod(now.month - 1 - month, 12)
        for extra in range(2 if month % 3 == 0 else 1):
            received = now.replace(
                year=now.year + year, month=month_of_year + 1, day=rng.randint(1, 26), hour=rng.randint(7, 17)
            )
            received_ago = now - received
            commune = communes[(month + extra) % len(communes)]
            if received_ago < 90 * DAY:
                state = "in_intervention"
            elif month % 7 == 0:
                state = "not_child_protection"
            elif month % 11 == 0:
                state = "in_intervention"  # the review is overdue
            else:
                state = "closed"
            steps = ("accept", "progress", "done") if state == "closed" else ("accept", "progress")
            cases.append(DemoCase(commune, received_ago, state, steps, late_plan=month % 4 == 0))
    return cases


@transaction.atomic
def seed() -> dict[str, int]:
    communes = {key: AdministrativeUnit.objects.get(level="commune", code=code) for key, code in COMMUNES.items()}
    if CaseFile.objects.filter(commune__in=communes.values()).exists():
        return {"case files": 0}
    users = get_user_model().objects.in_bulk(field_name="username")
    people = {
        key: (users[f"canbo.{key.replace('_', '')}"], users[f"chutich.{key.replace('_', '')}"]) for key in communes
    }
    _lists(communes["tan_bien"], users["admin"])
    rng = random.Random(2026)  # noqa: S311 - made-up demo data, the same on every run
    now = timezone.now().replace(second=0, microsecond=0)
    cases = [*EVERY_STEP, *_over_two_years(rng, timezone.localtime(now))]
    with clock(now) as time:
        for number, demo in enumerate(cases):
            _walk(demo, number, rng=rng, now=now, move=time.move_to, communes=communes, people=people, users=users)
        family = _family(rng=rng, now=now, move=time.move_to, communes=communes, people=people)
        twice = _registered_twice(now=now, move=time.move_to, communes=communes, people=people)
        _visits_and_flags(now=now, move=time.move_to, commune=communes["tan_bien"], people=people, users=users)
    _community_reports(communes["tan_bien"], users)
    _share_caseload(communes["tan_bien"], users)
    _register(communes["tan_bien"], users)
    return {"case files": len(cases) + family + twice}


def _register(commune, users) -> None:
    """The commune's old register, uploaded and checked, ready for its officer or chairman to import: good
    rows at several steps, a date typed wrong, and the girl already registered twice (a duplicate shown)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    from .models import Child
    from .register import COLUMNS
    from .services import register_import

    han = Child.objects.filter(residence_commune=commune, full_name="Nguyễn Thị Ngọc Hân").first()
    born = han.birth_date.strftime("%d/%m/%Y") if han else "01/01/2016"
    today = timezone.localdate()
    rows = [
        (1, "Lê Văn Tài", "12/05/2013", "Nam", "Ấp Thạnh Hiệp", "03/02/2025", "Bạo lực", "Cao", "Đang can thiệp", ""),
        (2, "Trần Thị Mỹ", "2012", "Nữ", "", "14/04/2025", "Bỏ mặc", "Thấp", "Đã kết thúc", "30/06/2025"),
        (3, "Phan Văn Lộc", "31/02/2014", "Nam", "", "20/05/2025", "Bóc lột", "", "Đã thu thập thông tin", ""),
        (4, "Nguyễn Thị Ngọc Hân", born, "Nữ", "", "10/07/2025", "Bỏ mặc", "", "Mới tiếp nhận", ""),
        (5, "Huỳnh Thị Thu", "08/09/2015", "Nữ", "", (today - datetime.timedelta(days=1)).strftime("%d/%m/%Y"),
         "Dâm ô", "Cao", "Mới tiếp nhận", ""),
        (6, "Đỗ Minh Quân", "17/11/2011", "Nam", "", "02/09/2025", "Bạo lực", "Trung bình", "Đã đánh giá ban đầu", ""),
    ]  # fmt: skip
    codes = ("row_number", "full_name", "birth_date", "sex", "address", "received_on", "abuse_forms", "risk_level",
             "status", "closed_on")  # fmt: skip
    headings = {column.code: column.heading for column in COLUMNS}
    workbook = Workbook()
    workbook.active.append([headings[code] for code in codes])
    for row in rows:
        workbook.active.append(list(row))
    content = io.BytesIO()
    workbook.save(content)
    officer = users["canbo.tanbien"]
    upload = register_import.register_upload(
        actor=officer, commune=commune, upload=SimpleUploadedFile("so-theo-doi-2025.xlsx", content.getvalue())
    )
    register_import.register_mapping_save(actor=officer, register_import=upload, mapping=upload.mapping)
    register_import.register_check(upload.pk)  # what the worker does; the demo is seeded in one go


def _lists(commune, admin) -> None:
    """What the province's administrator added to the lists: its own sub-form of violence (counted as
    violence) and a few extra fields on the report and the case file."""
    province = AdministrativeUnit.objects.get(pk=province_pk_of(commune))
    services.list_entry_save(
        actor=admin,
        entry=ListEntry(
            kind="abuse_form",
            code="tn_online_violence",
            legal_code="violence",
            province=province,
            label_vi="Bạo lực trên không gian mạng",
            label_en="Online violence",
            sort_order=15,
        ),
    )
    fields = [
        ("report", "hotline_ticket", "Mã phiếu của Tổng đài tỉnh", "text", "", False),
        ("case", "counselling_sessions", "Số buổi tư vấn tâm lý đã thực hiện", "number", "", False),
        ("case", "joint_meeting_on", "Ngày họp liên ngành", "date", "", False),
        ("case", "support_package", "Gói hỗ trợ của tỉnh", "choice", "Hỗ trợ học phí\nHỗ trợ dinh dưỡng\nKhác", False),
    ]
    for order, (target, key, label, kind, options, required) in enumerate(fields, start=1):
        services.extra_field_save(
            actor=admin,
            field=ExtraField(
                province=province,
                target=target,
                key=key,
                label=label,
                field_type=kind,
                options=options,
                is_required=required,
                sort_order=order * 10,
            ),
        )


def _share_caseload(commune, users) -> None:
    """The chairman of Tân Biên gives a few of its open files to the commune's second officer, so that the
    caseload page shows two officers (and a handover has someone to hand to)."""
    second = users.get("canbo2.tanbien")
    if second is None:
        return
    chairman = users["chutich.tanbien"]
    shared = CaseFile.objects.filter(commune=commune, state__in=OPEN_STATES).order_by("opened_at")[:4]
    for case in shared:
        services.case_assign_officer(
            actor=chairman, case=case, officer=second, reason="Chia sẻ khối lượng công việc trong xã."
        )


def _family(*, rng, now, move: Callable, communes, people) -> int:
    """A family of Xã Tân Biên: the eldest child's file of last year (closed; the father recorded as the
    alleged perpetrator), and a new report naming him again with his sister and brother: the three form a
    family group, the new files wait for the initial assessment (to record once for all three), and each
    shows the history snapshot."""
    commune = communes["tan_bien"]
    officer, chairman = people["tan_bien"]
    address = "Tổ 3, ấp Thạnh Phú"
    father = services.CaregiverInput(full_name="Trần Văn Hùng", relation="bố", is_alleged_perpetrator=True)
    mother = services.CaregiverInput(full_name="Lê Thị Hạnh", relation="mẹ", is_legal_representative=True)

    def report(received, children, **extra):
        return services.report_receive(
            actor=officer,
            report=services.ReportInput(
                received_at=received,
                receiving_point="commune",
                commune=commune,
                source="school",
                setting="family",
                abuse_forms=["violence"],
                narrative=NARRATIVE,
                reporter_is_anonymous=True,
                **extra,
            ),
            children=children,
        )

    def child(name, years, sex, caregivers):
        return services.ChildInput(
            full_name=name,
            birth_date=(now - datetime.timedelta(days=365 * years + 40)).date(),
            sex=sex,
            ethnicity="01",
            residence_commune=commune,
            address=address,
            caregivers=caregivers,
        )

    earlier = now - 200 * DAY
    move(earlier)
    first = report(earlier, [child("Trần Văn Khải", 12, "male", [father, mother])], perpetrator_relation="bố đẻ")
    case = first.case_files.get()
    walk_to(
        case,
        "closed",
        officer=officer,
        chairman=chairman,
        measures=_measures(rng, "tan_bien", communes, (earlier + 40 * DAY).date()),
        before=lambda step: move(min(earlier + STEP_AFTER[step], now)),
    )
    received = now - 2 * HOUR
    move(received)
    again = report(
        received,
        [
            services.ChildInput(existing_id=case.child_id),
            child("Trần Thị Mai", 9, "female", [mother]),
            child("Trần Minh Tú", 6, "male", [mother]),
        ],
        perpetrator_relation="bố đẻ",
    )
    # The elder brother's new file: high risk (the father still lives with the family) — a safety plan, its
    # review ten days away, with what the father must not see left out of the family's copy.
    brother = again.case_files.get(child_id=case.child_id)
    services.safety_plan_record(
        actor=officer,
        case=brother,
        items=_safety_items(),
        review_date=(now + 10 * DAY).date(),
    )
    move(now)
    return 1 + again.case_files.count()


def _registered_twice(*, now, move: Callable, communes, people) -> int:
    """Children of Xã Tân Biên registered twice: a girl reported by her school, then by the hotline 111 with
    her name typed without diacritics (same birth date and mother: a possible duplicate to compare), and a boy
    whose two records the officer merged three days ago (the merge can still be undone)."""
    commune = communes["tan_bien"]
    officer, _chairman = people["tan_bien"]
    born = (now - datetime.timedelta(days=365 * 10 + 75)).date()

    def report(received, name, mother, *, point="commune", source="school", sex="female"):
        move(received)
        return (
            services.report_receive(
                actor=officer,
                report=services.ReportInput(
                    received_at=received,
                    receiving_point=point,
                    commune=commune,
                    source=source,
                    setting="family",
                    abuse_forms=["neglect"],
                    narrative="Em thường xuyên ở nhà một mình, bỏ học nhiều buổi.",
                    reporter_is_anonymous=True,
                ),
                children=[
                    services.ChildInput(
                        full_name=name,
                        birth_date=born,
                        sex=sex,
                        residence_commune=commune,
                        address="Ấp Thạnh Hiệp",
                        caregivers=[services.CaregiverInput(full_name=mother, relation="mẹ")],
                    )
                ],
            )
            .case_files.select_related("child")
            .get()
        )

    report(now - 90 * DAY, "Nguyễn Thị Ngọc Hân", "Phạm Thị Lan")
    report(now - 5 * DAY, "Nguyen Thi Ngoc Han", "Pham Thi Lan", point="hotline_111", source="hotline_111")
    kept = report(now - 60 * DAY, "Võ Minh Khang", "Đặng Thị Thu", sex="male")
    merged = report(now - 4 * DAY, "Vo Minh Khang", "Dang Thi Thu", sex="male", source="health")
    move(now - 3 * DAY)
    services.child_merge(
        actor=officer,
        kept=kept.child,
        merged=merged.child,
        reason="Cùng ngày sinh, cùng mẹ; trạm y tế nhập họ tên không dấu.",
    )
    move(now)
    return 4


def _safety_items() -> list:
    item = services.SafetyItemInput
    return [
        item(kind="risk", text="Bố uống rượu và đánh các con vào buổi tối, nhất là cuối tuần."),
        item(kind="risk", text="Em Khải đã bị đánh năm ngoái; bố vẫn sống cùng nhà."),
        item(
            kind="action",
            text="Khi bố uống rượu, mẹ đưa ba con sang nhà bà ngoại ở tổ 5, ấp Thạnh Phú.",
            who="Mẹ (Lê Thị Hạnh)",
            is_hidden_from_perpetrator=True,
        ),
        item(
            kind="action",
            text="Đến nhà khi được báo; lập biên bản và ngăn chặn hành vi bạo lực.",
            who="Công an xã Tân Biên",
            phone="0276 3874 113",
        ),
        item(
            kind="action",
            text="Gặp em Khải mỗi tuần ở trường; báo ngay cho cán bộ xã khi em có vết thương hoặc nghỉ học.",
            who="Cô giáo chủ nhiệm",
        ),
        item(kind="action", text="Thăm gia đình hai tuần một lần.", who="Cán bộ bảo vệ trẻ em xã"),
        item(kind="warning_sign", text="Bố uống rượu từ chiều; to tiếng, đập phá đồ đạc."),
        item(kind="warning_sign", text="Em Khải nghỉ học, mặc áo dài tay khi trời nóng, sợ về nhà."),
        item(kind="contact", text="Tổng đài quốc gia bảo vệ trẻ em (miễn phí, 24/7)", who="Tổng đài 111", phone="111"),
        item(
            kind="contact", text="Bà ngoại", who="Bà Lê Thị Sen", phone="0918 204 377", is_hidden_from_perpetrator=True
        ),
        item(kind="contact", text="Cán bộ bảo vệ trẻ em xã Tân Biên", who="Chị Nguyễn Thị Lan", phone="0276 3874 108"),
    ]


def _visits_and_flags(*, now, move: Callable, commune, people, users) -> None:
    """Xã Tân Biên's case files in intervention: one visited five days ago with the next visit due in two
    days; one visited at school three days ago; the oldest not seen since its needs meeting (past the 30
    days: red on its page, on the officer's list) and flagged by the chairman."""
    officer, chairman = people["tan_bien"]
    collaborator = users["ctv.tanbien"]
    cases = list(
        CaseFile.objects.filter(commune=commune, state="in_intervention", opened_at__lt=now - 6 * DAY).order_by(
            "opened_at"
        )
    )
    if len(cases) < 3:
        return
    oldest, middle, recent = cases[0], cases[-2], cases[-1]
    today = timezone.localtime(now).date()
    move(now - 5 * DAY)
    services.visit_record(
        actor=officer,
        case=recent,
        data=services.VisitRecord(
            kind="home",
            done_on=today - 5 * DAY,
            child_seen=True,
            visitors=[officer, collaborator],
            other_visitors="Bà Nguyễn Thị Lệ, chi hội trưởng Phụ nữ ấp",
            people_seen="mẹ, bà ngoại",
            observations="Em đã đi học lại, vết bầm đã mờ. Mẹ hợp tác; bố dượng đi làm xa. Nhà cửa gọn gàng.",
            next_visit_on=today + 2 * DAY,
        ),
    )
    move(now - 3 * DAY)
    services.visit_record(
        actor=officer,
        case=middle,
        data=services.VisitRecord(
            kind="school",
            done_on=today - 3 * DAY,
            child_seen=True,
            visitors=[officer],
            other_visitors="Cô Phạm Thị Hồng, giáo viên chủ nhiệm",
            people_seen="giáo viên chủ nhiệm, hiệu phó",
            observations="Em đi học đều, điểm số ổn định; em còn ít nói với bạn bè. Nhà trường tiếp tục theo dõi.",
        ),
    )
    move(now - 1 * DAY)
    services.flag_raise(
        actor=chairman,
        case=oldest,
        reason="Gia đình có dấu hiệu chuyển đi nơi khác; hơn một tháng chưa ai gặp trẻ. Đề nghị đến thăm ngay.",
        until=today + 10 * DAY,
    )
    move(now)


def _community_reports(commune, users) -> None:
    """Two reports waiting in Xã Tân Biên's list "to verify": one from the hamlet's collaborator, one from
    the public page (its receipt code is not kept, so it cannot be looked up in the demo)."""
    services.community_report_submit(
        actor=users["ctv.tanbien"],
        data=services.CommunityReportInput(
            commune=commune,
            hamlet=users["ctv.tanbien"].memberships.get().unit,
            child="Cháu gái khoảng 10 tuổi, con nhà thứ ba sau chợ",
            place="Ấp Thạnh Phú, sau chợ",
            what="Hàng xóm nghe tiếng cháu khóc và tiếng đánh nhiều tối liền; sáng nay cháu không đi học.",
            urgency="danger_now",
        ),
    )
    services.community_report_submit(
        actor=None,
        data=services.CommunityReportInput(
            commune=commune,
            child="Một bé trai khoảng 7 tuổi",
            place="Quán nước đầu ấp",
            what="Bé thường phải bán vé số đến khuya, không ai đưa đón.",
            urgency="soon",
        ),
    )


def _child(rng: random.Random, received: datetime.datetime, commune) -> services.ChildInput:
    sex = rng.choice(("male", "female"))
    age_days = rng.randint(2 * 365, 15 * 365)
    return services.ChildInput(
        full_name=f"{rng.choice(FAMILY_NAMES)} {rng.choice(MIDDLE_NAMES[sex])} {rng.choice(GIVEN_NAMES[sex])}",
        birth_date=(received - datetime.timedelta(days=age_days)).date(),
        sex=sex,
        ethnicity=rng.choice(("01", "01", "01", "04", "05")),
        residence_commune=commune,
        school=f"Trường THCS {commune.name.removeprefix('Xã ')}",
    )


def _measures(rng, commune_key: str, communes, due: datetime.date) -> list[tuple]:
    """Measures for the agencies that serve the commune: its own where it has them, else the province's."""
    commune = communes[commune_key]
    local = {agency.agency_type.code: agency for agency in Agency.objects.filter(unit=commune)}
    health = local.get("health") or Agency.objects.get(name="Sở Y tế tỉnh Tây Ninh")
    police = local.get("police") or Agency.objects.get(name="Công an tỉnh Tây Ninh")
    measures = [(health, "medical", "Khám sức khỏe, tư vấn tâm lý cho trẻ.", due)]
    if rng.random() < 0.6:
        measures.append((police, "police", "Xác minh, ngăn chặn hành vi xâm hại.", due))
    if "education" in local and rng.random() < 0.5:
        measures.append((local["education"], "education", "Theo dõi việc học, hỗ trợ trẻ tại trường.", due))
    return measures


def _walk(demo: DemoCase, number: int, *, rng, now, move: Callable, communes, people, users) -> None:
    received = now - demo.received_ago
    commune = communes[demo.commune]
    officer, chairman = people[demo.commune]
    move(received)
    report = services.report_receive(
        actor=officer,
        report=services.ReportInput(
            received_at=received,
            receiving_point="hotline_111" if number % 5 == 1 else "commune",
            commune=commune,
            source=rng.choice(SOURCES),
            setting=rng.choice(SETTINGS),
            abuse_forms=[rng.choice(ABUSE_FORMS)],
            narrative=NARRATIVE,
            reporter_is_anonymous=True,
        ),
        children=[_child(rng, received, commune)],
    )
    case = report.case_files.get()
    review_at = now - demo.review_ago if demo.review_ago else None
    acted = []

    def agencies_act() -> None:
        """Once the plan is approved and before its review: the agencies' work on their assignments."""
        if demo.agency_steps and not acted:
            acted.append(True)
            _agencies_act(case, demo, received, now=now, move=move, users=users)

    def before(step: str) -> None:
        if step.startswith("review"):
            agencies_act()
        at = received + STEP_AFTER[step]
        if step == "submit_plan" and demo.late_plan:
            at += 5 * DAY
        if step.startswith("review") and review_at:
            at = review_at
        if step == "approve_closure" and review_at:
            at = review_at + DAY
        move(min(at, now))

    due = (received + 40 * DAY).date()
    walk_to(
        case,
        demo.state,
        officer=officer,
        chairman=chairman,
        measures=_measures(rng, demo.commune, communes, due),
        before=before,
        level=rng.choice(("low", "medium", "medium", "high")),
    )
    if demo.transfer_to:
        move(min(received + 5 * HOUR, now))
        services.case_transfer(
            actor=officer, case=case, to_commune=communes[demo.transfer_to], reason="Gia đình đã chuyển nơi ở."
        )
    agencies_act()
    move(now)


# The focal point of each demo agency that takes assignments.
FOCAL_POINTS = {
    "Trạm Y tế xã Tân Biên": "yte.tanbien",
    "Công an xã Tân Biên": "congan.tanbien",
    "Trường THCS Tân Biên": "truong.tanbien",
    "Sở Y tế tỉnh Tây Ninh": "yte.tayninh",
    "Công an tỉnh Tây Ninh": "congan.tayninh",
}


def _agencies_act(case, demo: DemoCase, received, *, now, move: Callable, users) -> None:
    at = {
        "accept": received + 7 * DAY,
        "decline": received + 7 * DAY,
        "progress": received + 20 * DAY,
        "done": received + 45 * DAY,
    }
    for assignment in Assignment.objects.filter(case=case, status="proposed").select_related("agency"):
        actor = users[FOCAL_POINTS[assignment.agency.name]]
        for step in demo.agency_steps:
            move(min(at[step], now))
            assignment.refresh_from_db()
            if step == "accept":
                services.assignment_accept(actor=actor, assignment=assignment)
            elif step == "decline":
                services.assignment_decline(
                    actor=actor, assignment=assignment, reason="Việc này thuộc thẩm quyền của cơ quan cấp trên."
                )
                break
            elif step == "progress":
                services.assignment_report_progress(
                    actor=actor, assignment=assignment, text="Đã làm việc với gia đình, trẻ được khám và tư vấn."
                )
            elif step == "done":
                services.assignment_close(
                    actor=actor, assignment=assignment, is_done=True, outcome="Trẻ đã được hỗ trợ, ổn định."
                )
