import re
import subprocess

import pytest
from playwright.sync_api import expect

from reports.models import PeriodicReport
from reports.selectors import current_period
from tests.e2e.conftest import login
from tests.factories import TEST_PASSWORD, assess


@pytest.mark.usefixtures("default_ladders")
def test_a_leader_downloads_the_province_six_month_pdf(page, tree, cast, receive, settings, tmp_path):
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    settings.MEDIA_ROOT = tmp_path
    assess(receive().case_files.get(), cast.officer)  # verified: counted as an abused child
    period = current_period()
    login(page, "leader", TEST_PASSWORD)
    page.goto(f"{page.base_url}/reports/?unit=91&period={period.code}")
    expect(page.get_by_test_id("figure-abused_children")).to_have_text("1")
    page.get_by_test_id("submissions").click()
    page.get_by_test_id("create-draft").click()
    app.control.purge()
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=30):
        page.get_by_test_id("prepare-pdf").click()
        link = page.get_by_test_id("download-preview")
        expect(link).to_be_visible(timeout=30_000)
        with page.expect_download() as download_info:
            link.click()
    content = open(download_info.value.path(), "rb").read()  # noqa: SIM115
    assert content[:4] == b"%PDF"
    text = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()
    text = re.sub(r"\s+", " ", text)
    assert "ỦY BAN NHÂN DÂN TỈNH P" in text
    assert "trên địa bàn tỉnh P" in text
    assert period.label_vi in text
    assert "Nguyễn Văn An" not in text

    # Submitting asks first, naming the sub-units that have not reported; nothing is frozen until confirmed.
    page.get_by_test_id("submit-report").click()
    missing = page.get_by_test_id("not-reported")
    expect(missing).to_contain_text("2 đơn vị cấp dưới chưa gửi báo cáo")
    expect(missing).to_contain_text("Huyện D (cũ)")
    expect(missing).to_contain_text("Phường Ba")
    report = PeriodicReport.objects.get()
    assert report.status == "draft"
    page.get_by_test_id("confirm-submit").click()
    expect(page.get_by_test_id("report-status")).to_have_text("Đã nộp")
    report.refresh_from_db()
    assert report.status == "submitted"
