import datetime
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from plans.importer import PlanImportError, parse
from plans.models import Plan, PlanTask, TaskOccurrence
from plans.schedule import add_months
from plans.services import plan_import
from tests.plans.conftest import seed_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# Section IV of 103/KH-UBND: the 13 responsibility groups and how many tasks the text gives each.
TAN_BIEN_GROUPS = {
    "1": ("Phòng Lao động - Thương binh và Xã hội huyện Tân Biên", 10),
    "2": ("Phòng Tư pháp huyện Tân Biên", 6),
    "3": ("Trung tâm Y tế huyện Tân Biên", 4),
    "4": ("Phòng Giáo dục và Đào tạo huyện Tân Biên", 5),
    "5": ("Phòng Văn hóa – Thông tin huyện Tân Biên", 4),
    "6": ("Trung tâm Văn hóa – Thể thao và Truyền thanh huyện Tân Biên", 3),
    "7": ("Phòng Nội vụ huyện Tân Biên", 1),
    "8": ("Phòng Tài chính - Kế hoạch huyện Tân Biên", 1),
    "9": ("Công an huyện Tân Biên", 4),
    "10": ("Các cơ quan, đơn vị huyện Tân Biên", 1),
    "11": ("Ủy ban MTTQ Việt Nam huyện Tân Biên và các tổ chức thành viên", 2),
    "12": ("Huyện đoàn Tân Biên", 4),
    "13": ("Ủy ban nhân dân các xã, thị trấn huyện Tân Biên", 5),
}


def _import(name):
    return plan_import(actor=None, spec=parse(seed_text(name)))


def test_tan_bien_plan_imports_every_responsibility_group_with_its_lead(seed_units):
    plan = _import("tan-bien")
    assert (plan.number, plan.issued_on, plan.signer) == ("103/KH-UBND", datetime.date(2020, 6, 5), "Trần Văn Lộc")
    assert plan.unit.code == "705"
    assert "Kế hoạch số 984/KH-UBND" in plan.legal_bases[0]
    section_iv = plan.sections.get(number="IV", parent=None)
    groups = {section.number: section for section in section_iv.children.all()}
    assert set(groups) == set(TAN_BIEN_GROUPS)
    for number, (agency, count) in TAN_BIEN_GROUPS.items():
        tasks = list(groups[number].tasks.select_related("lead_agency"))
        assert len(tasks) == count, number
        assert {task.lead_agency.name for task in tasks} == {agency}, number
    assert plan.tasks.count() == 55  # 50 in section IV, 5 in section II
    by_agency = Counter(plan.tasks.values_list("lead_agency__name", flat=True))
    assert by_agency["Phòng Lao động - Thương binh và Xã hội huyện Tân Biên"] == 14
    # Cooperating agencies are kept, and "phối hợp với Huyện đoàn" is one of them.
    forum = plan.tasks.get(content__startswith="Phối hợp với Huyện đoàn")
    assert [a.name for a in forum.cooperating_agencies.all()] == ["Huyện đoàn Tân Biên"]
    # Tasks with no date in the text fall due at the end of the period and say so.
    undated = plan.tasks.filter(note__startswith="Văn bản không nêu thời hạn")
    assert undated.count() > 30
    assert set(undated.values_list("due_date", flat=True)) == {datetime.date(2020, 12, 31)}


def test_thai_binh_plan_imports_completely(seed_units):
    plan = _import("thai-binh")
    assert plan.unit.code == "33"
    assert plan.tasks.count() == 26
    assert Counter(plan.sections.filter(parent=None).values_list("number", flat=True)) == Counter(
        ["1", "2", "3", "4", "5", "6"]
    )
    assert Counter(t.section.number for t in plan.tasks.select_related("section")) == {
        "1": 5,
        "2": 6,
        "3": 5,
        "4": 5,
        "5": 4,
        "6": 1,
    }
    assert plan.tasks.filter(lead_agency__name="Quỹ Bảo trợ trẻ em tỉnh Thái Bình").count() == 1


def test_recurring_tasks_expand_into_their_occurrences(seed_units):
    tan_bien, thai_binh = _import("tan-bien"), _import("thai-binh")
    meeting = tan_bien.tasks.get(content__contains="họp Ban Điều hành")
    assert list(meeting.occurrences.values_list("due_date", flat=True)) == [
        datetime.date(2020, 6, 30),
        datetime.date(2020, 12, 31),
    ]
    month = thai_binh.tasks.get(content__startswith="Tổ chức Tháng hành động")
    assert list(month.occurrences.values_list("starts_on", "due_date")) == [
        (datetime.date(2024, 6, 1), datetime.date(2024, 6, 30))
    ]
    reports = thai_binh.tasks.get(content__startswith="Thực hiện nghiêm túc chế độ thông tin")
    assert list(reports.occurrences.values_list("due_date", flat=True)) == [
        datetime.date(2024, 6, 30),
        datetime.date(2024, 12, 31),
    ]
    yearly = tan_bien.tasks.get(content__startswith="Hàng năm báo cáo")
    assert yearly.occurrences.count() == 1


def test_a_monthly_task_over_a_year_and_month_ends():
    assert add_months(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)
    assert add_months(datetime.date(2024, 6, 30), 6) == datetime.date(2024, 12, 31)
    assert add_months(datetime.date(2024, 1, 15), 12) == datetime.date(2025, 1, 15)


def test_only_an_issued_plan_registers_deadlines(seed_units):
    from notifications.models import Deadline

    _import("tan-bien")  # closed: historical
    assert not Deadline.objects.filter(kind="plan_task").exists()
    thai_binh = _import("thai-binh")
    assert (
        Deadline.objects.filter(kind="plan_task").count()
        == TaskOccurrence.objects.filter(task__plan=thai_binh).count()
        == 27
    )


BASE = """
number: 1/KH-UBND
title: Thử
issuing_unit: {level: province, code: "80"}
issuing_body: UBND tỉnh
issued_on: 2026-01-05
period: {start: 2026-01-01, end: 2026-12-31}
agencies:
  a: {type: social_affairs, name: Sở A}
  b: {type: police, name: Công an B}
sections:
  - number: "1"
    title: Một
    tasks:
      - content: Việc
        lead: a
        cooperating: [b]
        schedule: {kind: once, date: 2026-12-31}
"""


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("type: police", "type: navy", "Line 10, field “agencies.b.type”: unknown agency type “navy”"),
        ("cooperating: [b]", "cooperating: [a]", "Line 15, field “cooperating”: the lead agency “a” cannot"),
        (
            "{kind: once, date: 2026-12-31}",
            "{kind: window, start: 2026-06-30, end: 2026-06-01}",
            "field “schedule.end”: the window ends before it starts",
        ),
        (
            "{kind: once, date: 2026-12-31}",
            "{kind: recurring, every: yearly}",
            "field “schedule.first”: a recurring task needs its first date",
        ),
        ("lead: a", "lead: z", "field “lead”: “z” is not one of the plan's agencies"),
        ("issued_on: 2026-01-05", "issued_on: 2026-13-45", "field “issued_on”"),
        ("title: Một", "title: [Một", "not valid YAML"),
    ],
)
def test_a_bad_file_is_refused_naming_line_and_field_and_nothing_is_imported(seed_units, old, new, message):
    with pytest.raises(PlanImportError, match=message.replace("(", r"\(").replace(")", r"\)")):
        plan_import(actor=None, spec=parse(BASE.replace(old, new)))
    assert not Plan.objects.exists()
    assert not PlanTask.objects.exists()


def test_the_command_imports_and_refuses_a_second_import(seed_units, tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(BASE, encoding="utf-8")
    call_command("plan_import", str(path), stdout=open("/dev/null", "w"))  # noqa: SIM115
    with pytest.raises(CommandError, match="already in BaoVe"):
        call_command("plan_import", str(path))
    assert Plan.objects.count() == 1
