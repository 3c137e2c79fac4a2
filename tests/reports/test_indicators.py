import datetime
import io
import re
import shutil
import subprocess

import openpyxl
import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from reports import documents, services
from reports.indicators import compute
from reports.periods import PeriodError, parse
from tests.factories import assess
from tests.reports.handcount import H1, NAMES, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_each_indicator_equals_the_hand_count(tree, counted):
    data = compute(tree.province_p, H1, today=datetime.date(2026, 11, 1))["indicators"]
    abused = data["abused_children"]
    # Verified abuse only: An (girl, 11), Bảo (boy, 5), Cúc (girl, 14); not Dũng (never assessed), not Én.
    assert abused["total"] == 3
    assert abused["by_sex"] == {"female": 2, "male": 1}
    assert abused["by_age_group"] == {"0-5": 1, "11-15": 2}
    assert abused["by_abuse_form"] == {"neglect": 2, "sexual_molestation": 1, "violence": 2}
    assert abused["by_setting"] == {"family": 2, "school": 1}
    assert abused["by_subunit"] == {"901": 3}
    assert abused["by_commune"] == {"90001": 2, "90002": 1}
    assert abused["cross_abuse_form"]["violence"] == {
        "total": 2,
        "by_sex": {"female": 1, "male": 1},
        "by_age_group": {"0-5": 1, "11-15": 1},
    }
    assert abused["sexual_abuse"] == {"total": 1, "by_sex": {"female": 1}, "by_age_group": {"11-15": 1}}
    assert abused["verified_case_files"] == 3
    assert data["abuse_cases"]["total"] == 2
    assert data["abuse_cases"]["by_abuse_form"] == {"neglect": 1, "sexual_molestation": 1, "violence": 1}
    # Reported and not verified, and not child protection: each in its own indicator.
    assert data["reported_unverified"] == {
        "total": 1,
        "by_sex": {"male": 1},
        "by_subunit": {"90003": 1},
        "by_commune": {"90003": 1},
    }
    assert data["not_child_protection"]["total"] == 1
    assert data["not_child_protection"]["by_commune"] == {"90001": 1}
    assert data["reports_by_source"]["by_source"] == {"hotline_111": 1, "police": 1, "school": 2}
    # The three assessed within the hour met the 12-hour decision; Dũng's is still open.
    assert data["timeliness"]["emergency_decision"] == {"on_time": 3, "total": 4, "share": 75.0}
    assert data["case_files"]["open"] == 4
    # All four missed the 5-working-day plan deadline.
    assert data["case_files"]["overdue"] == 4


def test_a_parent_equals_the_sum_of_its_subunits_for_every_indicator(tree, counted):
    def totals(unit):
        indicators = compute(unit, H1)["indicators"]
        return {
            "abused": indicators["abused_children"]["total"],
            "cases": indicators["abuse_cases"]["total"],
            "reports": indicators["reports_by_source"]["total"],
            "unverified": indicators["reported_unverified"]["total"],
            "outside": indicators["not_child_protection"]["total"],
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
    with time_machine.travel(at(2026, 4, 1, 9, 0), tick=False):
        late = receive(received_at=at(2026, 4, 1, 8, 0))  # a new case in the period, after submission
        assess(late.case_files.get(), cast.officer)
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
        ["pdftotext", "-", "-"], input=documents.report_pdf(data), capture_output=True, check=True
    ).stdout.decode()
    text = re.sub(r"\s+", " ", text)
    assert "BÁO CÁO Tình hình xâm hại trẻ em và công tác bảo vệ trẻ em 6 tháng đầu năm 2026" in text
    assert "ỦY BAN NHÂN DÂN TỈNH P" in text
    for table in documents.tables(data):
        if table["indicator"] == "abused_children":
            assert table["title"] in text
            for row in table["rows"]:
                assert row[0] in text
    workbook = openpyxl.load_workbook(io.BytesIO(documents.report_xlsx(data)))
    cells = " ".join(str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row)
    for name in NAMES:
        assert name not in text
        assert name not in cells
    assert "Tổng số trẻ em bị xâm hại" in cells


def test_the_command_writes_each_format_and_refuses_bad_input(tree, counted, tmp_path):
    import json

    out = tmp_path / "p.json"
    call_command("report_generate", unit="91", period="2026-H1", format="json", output=out, stdout=io.StringIO())
    assert json.loads(out.read_text())["indicators"]["abused_children"]["total"] == 3
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
    with time_machine.travel(at(2026, 7, 1, 1, 30), tick=False):
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

    with time_machine.travel(at(2026, 7, 12, 12, 0), tick=False):
        scan()
    assert told() == [("officer", 0)]
    with time_machine.travel(at(2026, 7, 16, 0, 30), tick=False):
        scan()
    assert told()[-1] == ("chairman", 1)
    c2 = PeriodicReport.objects.get(unit=tree.commune_c2, period_code="2026-H1")
    # Submitted by C2's own officer (a commune's report is written by its own people).
    from tests.factories import AgencyFactory, MembershipFactory, UserFactory

    officer_c2 = UserFactory(username="officer_c2")
    MembershipFactory(
        user=officer_c2,
        role="commune_officer",
        agency=AgencyFactory(agency_type__code="social_affairs", unit=tree.commune_c2),
        unit=tree.commune_c2,
    )
    with time_machine.travel(at(2026, 7, 10, 9, 0), tick=False):
        services.report_submit(actor=officer_c2, report=c2)
    with time_machine.travel(at(2026, 7, 30, 9, 0), tick=False):
        scan()
    assert not Notification.objects.filter(deadline__target_id=c2.pk, deadline__kind="report_submission").exists()
