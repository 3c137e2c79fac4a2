"""A report submitted before its period ends (offices often ask for the half-year report early): the figures go
up to the day of submission, the check page says so before anything is frozen, and the PDF and XLSX state the
day the figures stop at. A report of a period that is over says nothing of the kind."""

import datetime
import io
import re
import shutil
import subprocess

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from reports import services
from reports.periods import Period

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed (CI installs it)"),
]


def _text(report) -> tuple[str, str]:
    with report.pdf.open("rb") as pdf:
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf.read(), capture_output=True, check=True).stdout
    with report.xlsx.open("rb") as xlsx:
        workbook = load_workbook(io.BytesIO(xlsx.read()))
    cells = " ".join(str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value)
    return re.sub(r"\s+", " ", text.decode()), cells


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _signed_in(user) -> Client:
    """Signed in at the test's own time (a session opened before it would have expired in 2027)."""
    client = Client()
    client.force_login(user)
    return client


H2 = Period(datetime.date(2026, 7, 1), datetime.date(2026, 12, 31), "2026-H2")


def _draft(tree, cast, period=H2):
    """The officer's draft of PERIOD and its check page, as they open it: (client, report, page)."""
    client = _signed_in(cast.officer)
    report = services.report_draft(actor=cast.officer, unit=tree.commune_c1, period=period)
    return client, report, client.get(f"/reports/{report.pk}/submit/").content.decode()


def _submit(client, report, **options):
    response = client.post(f"/reports/{report.pk}/submit/", **options)
    report.refresh_from_db()
    return response


# 07:30 in Hanoi on 2 December is still 1 December on a server in UTC: Vietnam's day is the one that counts.
@time_machine.travel(datetime.datetime(2026, 12, 2, 0, 30, tzinfo=datetime.UTC), tick=False)
def test_a_report_submitted_before_its_period_ends_says_the_day_its_figures_stop_at(tree, cast):
    officer_client, report, page = _draft(tree, cast)
    assert 'data-testid="confirm-submit"' in page
    assert 'data-testid="period-not-ended"' in page
    assert "31/12/2026" in page
    assert "02/12/2026" in page

    _submit(officer_client, report)
    assert report.status == "submitted"
    assert report.data["period"]["figures_until"] == "2026-12-02"
    pdf, xlsx = _text(report)
    assert "(từ ngày 01/07/2026 đến ngày 31/12/2026; số liệu tính đến ngày 02/12/2026)" in pdf
    assert "số liệu tính đến ngày 02/12/2026" in xlsx
    assert services.verify(report)


@time_machine.travel(datetime.datetime(2027, 1, 5, 3, 0, tzinfo=datetime.UTC), tick=False)
def test_a_report_of_a_period_that_is_over_says_nothing_of_the_kind(tree, cast):
    officer_client, report, page = _draft(tree, cast)
    assert 'data-testid="confirm-submit"' in page
    assert 'data-testid="period-not-ended"' not in page
    _submit(officer_client, report)
    assert report.status == "submitted"
    assert report.data["period"]["figures_until"] is None
    pdf, xlsx = _text(report)
    assert "(từ ngày 01/07/2026 đến ngày 31/12/2026)" in pdf
    assert "số liệu tính đến" not in pdf
    assert "số liệu tính đến" not in xlsx


@time_machine.travel(datetime.datetime(2026, 12, 31, 3, 0, tzinfo=datetime.UTC), tick=False)
def test_on_the_periods_last_day_the_figures_are_said_to_stop_at_that_day(tree, cast):
    """The day is not over: a record made that evening is not in the report."""
    officer_client, report, page = _draft(tree, cast)
    assert 'data-testid="period-not-ended"' in page
    _submit(officer_client, report)
    assert report.data["period"]["figures_until"] == "2026-12-31"
    # The level above reads it on the report's page, and the open data carries it.
    page = officer_client.get(f"/reports/{report.pk}/").content.decode()
    assert 'data-testid="figures-until"' in page
    assert "31/12/2026" in page
    opened = officer_client.get(f"/reports/{report.pk}/open-data.json").json()
    assert opened["period"]["figures_until"] == "2026-12-31"
    assert opened["schema_version"] == "1.1"
    csv_text = officer_client.get(f"/reports/{report.pk}/open-data.csv").content.decode("utf-8-sig")
    header, first = csv_text.splitlines()[:2]
    assert header.endswith(",figures_until")
    assert first.endswith(",2026-12-31")


@time_machine.travel(datetime.datetime(2026, 12, 2, 3, 0, tzinfo=datetime.UTC), tick=False)
def test_a_period_not_begun_has_nothing_to_submit(tree, cast):
    officer_client, report, page = _draft(
        tree, cast, Period(datetime.date(2027, 1, 1), datetime.date(2027, 6, 30), "2027-H1")
    )
    assert 'data-testid="period-not-started"' in page
    assert 'data-testid="confirm-submit"' not in page
    response = _submit(officer_client, report, follow=True)
    assert report.status == "draft"
    assert report.document is None
    assert "chưa bắt đầu" in response.content.decode()
