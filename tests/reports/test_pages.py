import datetime

import pytest
from django.test import Client

from reports.models import PeriodicReport
from tests.factories import assess, child_input

pytestmark = pytest.mark.django_db


def test_dashboard_and_submission_in_the_browser(tree, cast, receive, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assess(receive().case_files.get(), cast.officer)  # verified: counted as abuse
    receive(children=[child_input(tree.commune_c1, name="Lê Thị Hoa")])  # reported, not yet verified
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
    figures = leader.get("/api/v1/indicators/", {"unit": "91", "period": period}).json()["indicators"]
    assert figures["reported_unverified"]["total"] == 1
    assert leader.get("/api/v1/indicators/", {"unit": "91", "period": "2026-H9"}).status_code == 400
    assert leader.get("/api/v1/indicators/", {"unit": "92", "period": period}).status_code == 404

    officer = Client()
    officer.force_login(cast.officer)
    response = officer.post("/reports/submissions/", {"unit": "90001", "period": period})
    report = PeriodicReport.objects.get()
    assert response["Location"] == f"/reports/{report.pk}/"
    response = officer.post(f"/reports/{report.pk}/", {"action": "submit", "assessment": "Ổn định.", "proposals": ""})
    assert response["Location"] == f"/reports/{report.pk}/submit/"  # checked before it is frozen
    report.refresh_from_db()
    assert (report.status, report.assessment) == ("draft", "Ổn định.")
    confirm = officer.get(f"/reports/{report.pk}/submit/").content.decode()
    assert "Ổn định." in confirm
    assert 'data-testid="not-reported"' not in confirm  # a commune has no sub-unit
    officer.post(f"/reports/{report.pk}/submit/")
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


def test_submitting_asks_for_confirmation_and_names_the_sub_units_not_reported(tree, cast, receive, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    receive()
    today = datetime.date.today()
    period = f"{today.year}-H{1 if today.month <= 6 else 2}"
    officer = Client()
    officer.force_login(cast.officer)
    officer.post("/reports/submissions/", {"unit": "90001", "period": period})
    own = PeriodicReport.objects.get(unit=tree.commune_c1)
    officer.post(f"/reports/{own.pk}/submit/")
    coordinator = Client()
    coordinator.force_login(cast.coordinator_district)
    coordinator.post("/reports/submissions/", {"unit": "901", "period": period})
    district = PeriodicReport.objects.get(unit=tree.district_d)

    page = coordinator.get(f"/reports/{district.pk}/submit/").content.decode()
    missing = page[page.index('data-testid="not-reported"') :]
    assert "Xã Hai" in missing
    assert "Xã Một" not in missing  # submitted
    district.refresh_from_db()
    assert district.status == "draft"  # looking at the confirmation changes nothing

    listing = coordinator.get("/reports/submissions/", {"unit": "901", "period": period}).content.decode()
    assert listing.index("Xã Hai") < listing.index("Xã Một")  # those not reported first

    coordinator.post(f"/reports/{district.pk}/submit/")
    district.refresh_from_db()
    assert district.status == "submitted"
    assert coordinator.get(f"/reports/{district.pk}/submit/")["Location"] == f"/reports/{district.pk}/"


def test_the_period_is_chosen_not_typed(tree, cast, receive):
    receive()
    leader = Client()
    leader.force_login(cast.leader)
    today = datetime.date.today()
    quarter = (today.month + 2) // 3
    page = leader.get("/reports/", {"unit": "91", "kind": "quarter", "year": today.year, "quarter": quarter})
    body = page.content.decode()
    assert f"quý {quarter} năm {today.year}" in body
    assert 'data-testid="figure-abused_children">' in body
    assert f'<option value="{quarter}" selected>' in body
    custom = leader.get(
        "/reports/", {"unit": "91", "kind": "custom", "year": today.year, "start": f"{today.year}-01-01", "end": today}
    ).content.decode()
    assert f"từ 01/01/{today.year} đến {today:%d/%m/%Y}" in custom
    wrong = leader.get(
        "/reports/",
        {"unit": "91", "kind": "custom", "year": today.year, "start": today, "end": f"{today.year - 1}-01-01"},
    ).content.decode()
    assert 'data-testid="error-end"' in wrong
