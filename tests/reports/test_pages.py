import datetime

import pytest
from django.test import Client

from reports.models import PeriodicReport

pytestmark = pytest.mark.django_db


def test_dashboard_and_submission_in_the_browser(tree, cast, receive, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    receive()
    today = datetime.date.today()
    period = f"{today.year}-H{1 if today.month <= 6 else 2}"
    leader = Client()
    leader.force_login(cast.leader)
    page = leader.get("/reports/").content.decode()
    assert 'data-testid="figure-abused_children"' in page
    assert "Nguyễn Văn An" not in page
    assert leader.get("/reports/", {"unit": "90004"}).status_code == 404  # another province
    assert (
        leader.get("/api/v1/indicators/", {"unit": "91", "period": period}).json()["indicators"]["abused_children"][
            "total"
        ]
        == 1
    )
    assert leader.get("/api/v1/indicators/", {"unit": "91", "period": "2026-H9"}).status_code == 400
    assert leader.get("/api/v1/indicators/", {"unit": "92", "period": period}).status_code == 404

    officer = Client()
    officer.force_login(cast.officer)
    response = officer.post("/reports/submissions/", {"unit": "90001", "period": period})
    report = PeriodicReport.objects.get()
    assert response["Location"] == f"/reports/{report.pk}/"
    officer.post(f"/reports/{report.pk}/", {"action": "submit", "assessment": "Ổn định.", "proposals": ""})
    report.refresh_from_db()
    assert report.status == "submitted"
    pdf = officer.get(f"/reports/{report.pk}/file.pdf")
    assert b"".join(pdf.streaming_content)[:4] == b"%PDF"
    assert Client().get(f"/reports/{report.pk}/file.pdf").status_code == 302
    api_file = officer.get(f"/api/v1/reports/{report.pk}/file.xlsx")
    body = b"".join(api_file.streaming_content)
    import hashlib

    assert hashlib.sha256(body).hexdigest() == report.xlsx_sha256 == api_file["X-Content-SHA256"]
    outsider = Client()
    outsider.force_login(cast.officer_elsewhere)
    assert outsider.get(f"/reports/{report.pk}/").status_code == 404
    coordinator = Client()
    coordinator.force_login(cast.coordinator_district)
    coordinator.post(f"/reports/{report.pk}/", {"action": "return", "comment": "Bổ sung đánh giá."})
    report.refresh_from_db()
    assert (report.status, report.review_comment) == ("returned", "Bổ sung đánh giá.")
