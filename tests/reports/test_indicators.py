import datetime
import io
import re
import shutil
import subprocess
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from cases import services as case_services
from reports import documents, services
from reports.indicators import compute
from reports.periods import PeriodError, parse
from tests.factories import AgencyFactory, MembershipFactory, assess, child_input

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NAMES = ["Đỗ Thị An", "Đỗ Văn Bảo", "Lưu Thị Cúc", "Tạ Văn Dũng", "Mai Văn Én", "Kha Văn Phong", "Vi Thị Gấm"]
H1 = parse("2026-H1")


def _at(*args):
    return datetime.datetime(*args, tzinfo=HCM)


@pytest.fixture
def counted(tree, cast, receive):
    """Hand-counted: in the first half of 2026 province P has 4 abused children in 3 cases (vụ)."""
    officers = {
        unit.pk: MembershipFactory(
            role="commune_officer", agency=AgencyFactory(name=f"Phòng VH-XH {unit.name}", unit=unit)
        ).user
        for unit in (tree.commune_c2, tree.commune_c3, tree.commune_c4)
    }
    officers[tree.commune_c1.pk] = cast.officer

    def report(commune, children, when, **fields):
        with time_machine.travel(when + datetime.timedelta(minutes=30), tick=False):
            return receive(
                actor=officers[commune.pk],
                commune=commune,
                received_at=when,
                children=[child_input(commune, name=name, birth=birth, sex=sex) for name, birth, sex in children],
                **fields,
            )

    march = _at(2026, 3, 10, 8, 0)
    r1 = report(
        tree.commune_c1,
        [(NAMES[0], datetime.date(2015, 1, 1), "female"), (NAMES[1], datetime.date(2020, 5, 5), "male")],
        march,
        abuse_forms=["violence", "neglect"],
        setting="family",
        source="school",
    )
    report(
        tree.commune_c2,
        [(NAMES[2], datetime.date(2012, 2, 2), "female")],
        march,
        abuse_forms=["sexual_molestation"],
        setting="school",
        source="hotline_111",
    )
    report(
        tree.commune_c3,
        [(NAMES[3], datetime.date(2018, 6, 1), "male")],
        march,
        abuse_forms=["violence"],
        setting="community",
        source="police",
    )
    r4 = report(tree.commune_c1, [(NAMES[4], datetime.date(2016, 1, 1), "male")], march, source="school")
    with time_machine.travel(march + datetime.timedelta(hours=1), tick=False):
        case_services.case_mark_not_child_protection(actor=cast.officer, case=r4.case_files.get(), reason="Dân sự")
        assess(r1.case_files.first(), cast.officer)
    report(tree.commune_c4, [(NAMES[5], datetime.date(2014, 1, 1), "male")], march)  # another province
    report(tree.commune_c1, [(NAMES[6], datetime.date(2014, 1, 1), "female")], _at(2026, 7, 2, 8, 0))  # H2
    return officers


def test_each_indicator_equals_the_hand_count(tree, counted):
    data = compute(tree.province_p, H1, today=datetime.date(2026, 11, 1))["indicators"]
    abused = data["abused_children"]
    assert abused["total"] == 4
    assert abused["by_sex"] == {"female": 2, "male": 2}
    assert abused["by_age_group"] == {"0-5": 1, "11-15": 2, "6-10": 1}
    assert abused["by_abuse_form"] == {"neglect": 2, "sexual_molestation": 1, "violence": 3}
    assert abused["by_setting"] == {"community": 1, "family": 2, "school": 1}
    assert abused["by_subunit"] == {"901": 3, "90003": 1}
    assert data["abuse_cases"]["total"] == 3
    assert data["abuse_cases"]["by_abuse_form"] == {"neglect": 1, "sexual_molestation": 1, "violence": 2}
    assert data["reports_by_source"]["by_source"] == {"hotline_111": 1, "police": 1, "school": 2}
    assert data["timeliness"]["emergency_decision"] == {"on_time": 1, "total": 4, "share": 25.0}
    assert data["case_files"]["open"] == 4
    # All four missed the 5-working-day plan deadline (three also missed the 12-hour decision).
    assert data["case_files"]["overdue"] == 4


def test_a_parent_equals_the_sum_of_its_subunits_for_every_indicator(tree, counted):
    def totals(unit):
        indicators = compute(unit, H1)["indicators"]
        return {
            "abused": indicators["abused_children"]["total"],
            "cases": indicators["abuse_cases"]["total"],
            "reports": indicators["reports_by_source"]["total"],
            "supported": indicators["children_supported"]["total"],
            "special": indicators["special_circumstances"]["total"],
            "assignments": indicators["assignments"]["total"],
            "open": indicators["case_files"]["open"],
            "overdue": indicators["case_files"]["overdue"],
            "on_time": indicators["timeliness"]["emergency_decision"]["on_time"],
            "deadlines": indicators["timeliness"]["emergency_decision"]["total"],
        }

    province = totals(tree.province_p)
    district, c3 = totals(tree.district_d), totals(tree.commune_c3)
    assert province == {key: district[key] + c3[key] for key in province}
    c1, c2 = totals(tree.commune_c1), totals(tree.commune_c2)
    assert district == {key: c1[key] + c2[key] for key in district}
    country = totals(None)
    q = totals(tree.province_q)
    assert country == {key: province[key] + q[key] for key in country}


def test_a_submitted_report_is_frozen_and_its_hashes_verify(tree, cast, counted, receive, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = services.report_draft(actor=cast.officer, unit=tree.commune_c1, period=H1)
    services.report_update(
        actor=cast.officer, report=report, assessment="Tình hình ổn định.", proposals="Tăng cường tập huấn."
    )
    report = services.report_submit(actor=cast.officer, report=report)
    frozen = report.data
    assert frozen["indicators"]["abused_children"]["total"] == 2
    assert services.verify(report)
    with time_machine.travel(_at(2026, 4, 1, 9, 0), tick=False):
        receive(received_at=_at(2026, 4, 1, 8, 0))  # a new case in the period, after submission
    report.refresh_from_db()
    assert report.data == frozen
    assert services.verify(report)
    assert compute(tree.commune_c1, H1)["indicators"]["abused_children"]["total"] == 3
    with pytest.raises(ValidationError, match="already been submitted"):
        services.report_submit(actor=cast.officer, report=report)
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.report_update(actor=cast.officer, report=report, assessment="x", proposals="y")
    # The level above: only the coordinator of the district reviews it, and a return needs a comment.
    with pytest.raises(PermissionDenied):
        services.report_review(actor=cast.officer, report=report, accept=True)
    with pytest.raises(ValidationError):
        services.report_review(actor=cast.coordinator_district, report=report, accept=False, comment=" ")
    services.report_review(actor=cast.coordinator_district, report=report, accept=True)
    report.refresh_from_db()
    assert report.status == "accepted"
    district = services.report_draft(actor=cast.coordinator_district, unit=tree.district_d, period=H1)
    district = services.report_submit(actor=cast.coordinator_district, report=district)
    rows = {row["code"]: row for row in district.data["rollup"]}
    assert rows["90001"]["submitted"] == 2
    assert rows["90001"]["live"] == 3
    assert rows["90001"]["differs"] is True
    assert rows["90002"]["submitted"] is None


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed (CI installs it)")
def test_the_pdf_and_xlsx_carry_the_json_numbers_and_no_child_name(tree, counted, tmp_path):
    data = compute(tree.province_p, H1)
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=documents.report_pdf(data, issuer="UBND Tỉnh P"), capture_output=True, check=True
    ).stdout.decode()
    text = re.sub(r"\s+", " ", text)
    assert "BÁO CÁO TÌNH HÌNH XÂM HẠI TRẺ EM VÀ CÔNG TÁC BẢO VỆ TRẺ EM" in text
    assert "Tỉnh P" in text
    assert "6 tháng đầu năm 2026" in text
    for table in documents.tables(data):
        if table["id"] == "abused_children":
            for label, value in table["rows"]:
                assert label in text
                assert str(value) in text
    workbook = openpyxl.load_workbook(io.BytesIO(documents.report_xlsx(data)))
    cells = " ".join(str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row)
    for name in NAMES:
        assert name not in text
        assert name not in cells
    assert "Tổng số" in cells


def test_the_command_writes_each_format_and_refuses_bad_input(tree, counted, tmp_path):
    import json

    out = tmp_path / "p.json"
    call_command("report_generate", unit="91", period="2026-H1", format="json", output=out, stdout=io.StringIO())
    assert json.loads(out.read_text())["indicators"]["abused_children"]["total"] == 4
    call_command(
        "report_generate",
        unit="91",
        period="2026-01-01..2026-06-30",
        format="xlsx",
        output=tmp_path / "p.xlsx",
        stdout=io.StringIO(),
    )
    assert (tmp_path / "p.xlsx").read_bytes()[:2] == b"PK"
    with pytest.raises(CommandError, match="before its start"):
        call_command("report_generate", unit="91", period="2026-06-30..2026-01-01", output=out)
    with pytest.raises(CommandError, match="not a period"):
        call_command("report_generate", unit="91", period="2026-H3", output=out)
    with pytest.raises(CommandError, match="Unknown"):
        call_command("report_generate", unit="12345678", period="2026", output=out)


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        ("2026", "2026-01-01", "2026-12-31"),
        ("2026-H2", "2026-07-01", "2026-12-31"),
        ("2026-Q1", "2026-01-01", "2026-03-31"),
        ("2026-02", "2026-02-01", "2026-02-28"),
    ],
)
def test_periods(code, start, end):
    period = parse(code)
    assert (period.start.isoformat(), period.end.isoformat()) == (start, end)
    with pytest.raises(PeriodError):
        parse("2026-13")
    assert parse("2026-H1").previous().code == "2025-H2"


@pytest.mark.usefixtures("default_ladders")
def test_drafts_open_at_the_end_of_the_half_year_and_late_ones_escalate(tree, cast, settings, tmp_path):
    from notifications.engine import scan
    from notifications.models import Notification
    from notifications.services import ladders_ensure_defaults
    from reports.models import PeriodicReport
    from reports.tasks import open_period_reports

    settings.MEDIA_ROOT = tmp_path
    ladders_ensure_defaults()
    with time_machine.travel(_at(2026, 7, 1, 1, 30), tick=False):
        assert open_period_reports() == 4  # C1–C4
        assert open_period_reports() == 0  # idempotent
    assert open_period_reports(today="2026-07-15") == 0  # not the day after a period's end
    c1 = PeriodicReport.objects.get(unit=tree.commune_c1, period_code="2026-H1")
    assert Notification.objects.filter(user=cast.officer, url=f"/reports/{c1.pk}/").exists()

    def told():
        return list(
            Notification.objects.filter(deadline__target_id=c1.pk, deadline__kind="report_submission")
            .order_by("pk")
            .values_list("user__username", "step")
        )

    with time_machine.travel(_at(2026, 7, 12, 12, 0), tick=False):
        scan()
    assert told() == [("officer", 0)]
    with time_machine.travel(_at(2026, 7, 16, 0, 30), tick=False):
        scan()
    assert told()[-1] == ("chairman", 1)
    c2 = PeriodicReport.objects.get(unit=tree.commune_c2, period_code="2026-H1")
    with time_machine.travel(_at(2026, 7, 10, 9, 0), tick=False):
        services.report_submit(actor=cast.coordinator_district, report=c2)
    with time_machine.travel(_at(2026, 7, 30, 9, 0), tick=False):
        scan()
    assert not Notification.objects.filter(deadline__target_id=c2.pk, deadline__kind="report_submission").exists()
