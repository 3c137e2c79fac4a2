"""A submitted report renders forever from what it froze: its figures and the definitions it was computed
with, whatever indicators are added, renamed or removed later."""

import dataclasses
import datetime
import hashlib
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from reports import documents, indicators, services
from reports.indicators import registry
from reports.indicators.base import Indicator
from reports.models import PeriodicReport
from reports.periods import Period

pytestmark = pytest.mark.django_db

NEW_TITLE = "Chỉ tiêu thí điểm mới"
RENAMED_TITLE = "Số trẻ em bị xâm hại (tên mới)"


@pytest.fixture
def submitted(tree, cast, receive, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    receive()
    today = datetime.date.today()
    half = 1 if today.month <= 6 else 2
    start = datetime.date(today.year, 1 if half == 1 else 7, 1)
    end = datetime.date(today.year, 6, 30) if half == 1 else datetime.date(today.year, 12, 31)
    report = services.report_draft(
        actor=cast.officer, unit=tree.commune_c1, period=Period(start, end, f"{today.year}-H{half}")
    )
    return services.report_submit(actor=cast.officer, report=report)


@pytest.fixture
def changed_registry():
    """An indicator added, one renamed, one removed — as a later release might do."""
    saved, retired = dict(registry._INDICATORS), dict(registry._RETIRED)
    registry.register(
        Indicator("pilot", NEW_TITLE, "Pilot", "Thí điểm.", "abuse", lambda context: {"total": 7, "by_subunit": {}})
    )
    renamed = dataclasses.replace(indicators.get("abused_children"), name_vi=RENAMED_TITLE)
    registry._INDICATORS["abused_children"] = renamed
    registry.retire("plan_tasks")
    yield
    registry._INDICATORS.clear()
    registry._INDICATORS.update(saved)
    registry._RETIRED.clear()
    registry._RETIRED.update(retired)


def _page(client, report) -> str:
    response = client.get(f"/reports/{report.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_submitted_report_reads_as_it_was_frozen_after_the_indicators_change(submitted, cast, changed_registry):
    client = Client()
    client.force_login(cast.officer)
    page = _page(client, submitted)
    assert "Số trẻ em bị xâm hại" in page
    assert RENAMED_TITLE not in page
    assert "Nhiệm vụ kế hoạch" in page  # removed since, still in the report that counted it
    assert NEW_TITLE not in page
    assert [d["id"] for d in submitted.data["definitions"]][-1] == "plan_tasks"
    for extension, digest in (("pdf", submitted.pdf_sha256), ("xlsx", submitted.xlsx_sha256)):
        response = client.get(f"/reports/{submitted.pk}/file.{extension}")
        body = b"".join(response.streaming_content)
        assert hashlib.sha256(body).hexdigest() == digest
    workbook = load_workbook(io.BytesIO(b"".join(client.get(f"/reports/{submitted.pk}/file.xlsx").streaming_content)))
    cells = " ".join(str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value)
    assert "Số trẻ em bị xâm hại, theo hình thức xâm hại" in cells
    assert RENAMED_TITLE not in cells
    assert NEW_TITLE not in cells
    assert services.verify(submitted)
    # Laid out again from what it froze (not only the stored files): the same tables, in the same words.
    titles = [table["title"] for table in documents.tables(submitted.data)]
    assert titles[0] == "Số trẻ em bị xâm hại, theo hình thức xâm hại, giới tính và nhóm tuổi"
    assert titles[-1].startswith("Nhiệm vụ kế hoạch")
    assert not any(NEW_TITLE in title or RENAMED_TITLE in title for title in titles)


def test_a_report_frozen_before_definitions_were_kept_still_opens(submitted, cast, changed_registry):
    """Reports submitted by earlier releases froze the figures only: the page must not fail on an
    indicator that did not exist then (it used to raise KeyError)."""
    legacy = {key: value for key, value in submitted.data.items() if key not in ("definitions", "tables")}
    PeriodicReport.objects.filter(pk=submitted.pk).update(data=legacy)
    client = Client()
    client.force_login(cast.officer)
    page = _page(client, submitted)
    assert NEW_TITLE not in page  # no figures were frozen for it
    assert RENAMED_TITLE in page  # read by today's definition, the only one there is
    assert "Nhiệm vụ kế hoạch" in page  # no longer computed, its definition kept to read old reports


def test_a_draft_shows_the_indicators_registered_now(tree, cast, changed_registry):
    client = Client()
    client.force_login(cast.officer)
    today = datetime.date.today()
    response = client.post(
        "/reports/submissions/", {"unit": "90001", "period": f"{today.year}-Q{(today.month - 1) // 3 + 1}"}
    )
    draft = PeriodicReport.objects.get()
    assert response["Location"] == f"/reports/{draft.pk}/"
    page = _page(client, draft)
    assert NEW_TITLE in page
    assert RENAMED_TITLE in page
    assert "Nhiệm vụ kế hoạch" not in page
