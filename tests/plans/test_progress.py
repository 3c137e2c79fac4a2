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
from django.test import Client

from agencies.models import AdministrativeUnit, Agency
from notifications.engine import scan
from notifications.models import Notification
from plans import documents, selectors, services
from plans.importer import parse
from plans.models import TaskOccurrence
from tests.factories import AgencyFactory, MembershipFactory, UserFactory
from tests.plans.conftest import seed_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def thai_binh(seed_units):
    plan = services.plan_import(actor=None, spec=parse(seed_text("thai-binh")))
    social = Agency.objects.get(name="Sở Lao động - Thương binh và Xã hội tỉnh Thái Bình")
    youth = Agency.objects.get(name="Tỉnh đoàn Thái Bình")
    officer = MembershipFactory(user=UserFactory(username="so_ldtbxh"), role="focal_point", agency=social).user
    youth_officer = MembershipFactory(user=UserFactory(username="tinh_doan"), role="focal_point", agency=youth).user
    return plan, officer, youth_officer


def _month_of_action(plan):
    return TaskOccurrence.objects.get(task__plan=plan, task__content__startswith="Tổ chức Tháng hành động")


def test_lead_report_closes_the_occurrence_and_cooperating_reports_add_to_it(thai_binh):
    plan, officer, youth_officer = thai_binh
    occurrence = _month_of_action(plan)
    services.progress_report_add(
        actor=youth_officer,
        occurrence=occurrence,
        status="done",
        narrative="Tổ chức 12 buổi sinh hoạt hè.",
        figures={"buổi sinh hoạt": 12},
    )
    occurrence.refresh_from_db()
    assert occurrence.status == "not_started"  # a cooperating agency does not close it
    services.progress_report_add(
        actor=officer,
        occurrence=occurrence,
        status="done",
        narrative="Phát động Tháng hành động toàn tỉnh.",
        figures={"người tham gia": 3500},
    )
    occurrence.refresh_from_db()
    assert occurrence.status == "done"
    with pytest.raises(ValidationError, match="already closed"):
        services.progress_report_add(actor=officer, occurrence=occurrence, status="done", narrative="x")
    social = next(row for row in selectors.progress_by_agency(plan) if row["agency"].startswith("Sở Lao động"))
    assert social["done"] == 1
    assert social["total"] == 22
    rows = documents.result_rows(plan, datetime.date(2024, 6, 1), datetime.date(2024, 6, 30))
    assert len(rows) == 2  # the month of action and the first 6-monthly report
    month = next(row for row in rows if row[1].startswith("Tổ chức Tháng hành động"))
    assert month[4] == "Hoàn thành"
    assert "buổi sinh hoạt: 12" in month[5]
    assert "người tham gia: 3.500" in month[5]  # thousands with a dot


def test_an_unrelated_agency_cannot_report(thai_binh):
    plan, officer, _youth = thai_binh
    commune = AdministrativeUnit.objects.get(code="25486")
    stranger = MembershipFactory(role="focal_point", agency=AgencyFactory(name="Công an xã khác", unit=commune)).user
    with pytest.raises(PermissionDenied):
        services.progress_report_add(actor=stranger, occurrence=_month_of_action(plan), status="done", narrative="x")
    with pytest.raises(ValidationError):
        services.progress_report_add(
            actor=officer, occurrence=_month_of_action(plan), status="done", narrative="x", figures={"người": -3}
        )


def test_an_overdue_occurrence_escalates_to_the_lead_agency_then_the_leader(seed_units):
    tay_ninh = seed_units[0]
    text = seed_text("thai-binh").replace('{level: province, code: "33"}', '{level: province, code: "80"}')
    text = text.replace("2024-", "2026-")
    plan = services.plan_import(actor=None, spec=parse(text))
    social = Agency.objects.get(name="Sở Lao động - Thương binh và Xã hội tỉnh Thái Bình")
    MembershipFactory(user=UserFactory(username="lead_officer"), role="focal_point", agency=social)
    MembershipFactory(
        user=UserFactory(username="province_leader"),
        role="leader",
        agency=AgencyFactory(name="UBND tỉnh", unit=tay_ninh),
        unit=tay_ninh,
    )
    occurrence = _month_of_action(plan)  # 1–30 June 2026

    def told():
        return list(
            Notification.objects.filter(deadline__target_id=occurrence.pk, deadline__kind="plan_task")
            .order_by("pk")
            .values_list("user__username", "step")
        )

    with time_machine.travel(datetime.datetime(2026, 6, 30, 20, 0, tzinfo=HCM), tick=False):
        scan()
    assert told() == []
    with time_machine.travel(datetime.datetime(2026, 7, 1, 0, 30, tzinfo=HCM), tick=False):
        scan()
    assert told() == [("lead_officer", 0)]
    with time_machine.travel(datetime.datetime(2026, 7, 8, 0, 30, tzinfo=HCM), tick=False):  # +5 working days
        scan()
    assert told() == [("lead_officer", 0), ("province_leader", 1)]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed (CI installs it)")
def test_the_results_report_lists_every_task(thai_binh):
    plan, _officer, _youth = thai_binh
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=documents.results_pdf(plan), capture_output=True, check=True
    ).stdout.decode()
    flat = re.sub(r"\s+", " ", text)
    assert "BÁO CÁO Kết quả thực hiện Kế hoạch số 57/KH-UBND ngày 18/03/2024" in flat
    assert "Căn cứ Kế hoạch số 57/KH-UBND ngày 18/03/2024" in flat
    assert "Số: /BC-UBND" in flat  # a draft: the number is given when the report is issued
    for task in plan.tasks.all():
        opening = " ".join(task.content.split()[:4])
        assert opening in flat, opening
    workbook = openpyxl.load_workbook(io.BytesIO(documents.results_xlsx(plan)))
    sheet = workbook["Kết quả thực hiện"]
    assert sheet.max_row - 4 == TaskOccurrence.objects.filter(task__plan=plan).count()
    assert sheet.freeze_panes == "C5"
    assert [cell.value for cell in sheet[4]][:3] == ["TT", "Nhiệm vụ", "Cơ quan chủ trì"]


def test_pages_and_api(thai_binh):
    plan, officer, _youth = thai_binh
    client = Client()
    client.force_login(officer)
    assert "57/KH-UBND" in client.get("/plans/").content.decode()
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert 'data-testid="agency-progress"' in page
    occurrence = _month_of_action(plan)
    response = client.post(
        f"/plans/occurrences/{occurrence.pk}/report/",
        {
            f"o{occurrence.pk}-version": occurrence.version,
            f"o{occurrence.pk}-status": "in_progress",
            f"o{occurrence.pk}-narrative": "Đang triển khai.",
            f"o{occurrence.pk}-figure_name": "",
        },
    )
    assert response.status_code == 302
    occurrence.refresh_from_db()
    assert occurrence.status == "in_progress"
    api = client.get("/api/v1/plans/my-occurrences/").json()
    assert any(row["id"] == occurrence.pk for row in api)
    response = client.post(
        f"/api/v1/plans/occurrences/{occurrence.pk}/reports/",
        {"status": "done", "narrative": "Xong.", "figures": {"xã tham gia": 26}},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert client.get(f"/api/v1/plans/{plan.pk}/").json()["progress"][0]["done"] >= 1
    outsider = Client()
    commune = AdministrativeUnit.objects.get(code="25486")
    outsider.force_login(MembershipFactory(role="commune_officer", agency=AgencyFactory(unit=commune)).user)
    assert outsider.get(f"/plans/{plan.pk}/").status_code == 404
    assert outsider.get(f"/api/v1/plans/{plan.pk}/").status_code == 404
    assert outsider.post(f"/api/v1/plans/occurrences/{occurrence.pk}/reports/", {}).status_code == 404


def test_evidence_is_checked_by_content(thai_binh, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from plans.models import Evidence

    settings.MEDIA_ROOT = tmp_path
    plan, officer, _youth = thai_binh
    occurrence = _month_of_action(plan)
    with pytest.raises(ValidationError, match="not accepted"):
        services.progress_report_add(
            actor=officer,
            occurrence=occurrence,
            status="in_progress",
            narrative="x",
            evidence=SimpleUploadedFile("anh.jpg", b"MZ not an image"),
        )
    services.progress_report_add(
        actor=officer,
        occurrence=occurrence,
        status="in_progress",
        narrative="x",
        evidence=SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    evidence = Evidence.objects.get()
    assert (evidence.content_type, evidence.original_name) == ("application/pdf", "bien-ban.pdf")
    assert "bien-ban" not in evidence.file.name


def test_a_coordinator_adds_a_plan_from_the_browser(seed_units):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from plans.models import Plan

    tay_ninh = seed_units[0]
    coordinator = MembershipFactory(
        role="coordinator", agency=AgencyFactory(name="Sở Y tế", unit=tay_ninh), unit=tay_ninh
    ).user
    client = Client()
    client.force_login(coordinator)
    text = seed_text("tan-bien").replace("status: closed", "status: issued")
    broken = text.replace("lead: tu_phap, cooperating: [ubnd_xa]", "lead: tu_phap, cooperating: [tu_phap]")
    response = client.post(
        "/plans/import/", {"file": SimpleUploadedFile("kh.yaml", broken.encode())}, HTTP_ACCEPT_LANGUAGE="vi"
    )
    assert response.status_code == 400
    assert "Dòng" in response.content.decode()
    assert "không thể đồng thời là cơ quan phối hợp" in response.content.decode()
    assert not Plan.objects.exists()
    response = client.post("/plans/import/", {"file": SimpleUploadedFile("kh.yaml", text.encode())})
    plan = Plan.objects.get()
    assert response["Location"] == f"/plans/{plan.pk}/"
    officer = Client()
    officer.force_login(
        MembershipFactory(
            role="commune_officer", agency=AgencyFactory(unit=AdministrativeUnit.objects.get(code="25486"))
        ).user
    )
    assert officer.get("/plans/import/").status_code == 403
    assert officer.get(f"/plans/{plan.pk}/").status_code == 200  # the district plan applies to its communes


def test_my_occurrences_are_those_led_and_those_cooperated_in_each_once(thai_binh):
    """The tasks are read as the union of the led and the cooperated ones (plans.selectors._of_agencies)."""
    plan, officer, youth_officer = thai_binh
    led = set(TaskOccurrence.objects.filter(task__lead_agency__name="Tỉnh đoàn Thái Bình").values_list("pk", flat=True))
    cooperated = set(
        TaskOccurrence.objects.filter(task__cooperating_agencies__name="Tỉnh đoàn Thái Bình").values_list(
            "pk", flat=True
        )
    )
    assert cooperated  # the seed makes the youth union cooperate in some tasks
    mine = [occurrence.pk for occurrence in selectors.my_occurrences(youth_officer)]
    assert sorted(mine) == sorted(led | cooperated)
    assert len(mine) == len(set(mine))
    social = officer.memberships.get().agency
    social_mine = [occurrence.pk for occurrence in selectors.my_occurrences(officer)]
    social_tasks = TaskOccurrence.objects.filter(task__lead_agency=social) | TaskOccurrence.objects.filter(
        task__cooperating_agencies=social
    )
    assert sorted(social_mine) == sorted(set(social_tasks.values_list("pk", flat=True)))
    other = AgencyFactory(unit=plan.unit, name="Hội Nông dân tỉnh")
    outsider = MembershipFactory(user=UserFactory(username="elsewhere"), role="focal_point", agency=other).user
    assert selectors.my_occurrences(outsider) == []


def test_a_refused_progress_report_keeps_what_was_typed_with_each_error_at_its_field(thai_binh):
    plan, officer, _youth = thai_binh
    occurrence = _month_of_action(plan)
    client = Client()
    client.force_login(officer)
    prefix = f"o{occurrence.pk}"
    response = client.post(
        f"/plans/occurrences/{occurrence.pk}/report/",
        {
            f"{prefix}-version": occurrence.version,
            f"{prefix}-status": "done",
            f"{prefix}-narrative": "",
            f"{prefix}-figure_name": "Số lớp tập huấn",
            f"{prefix}-figure_value": "-5",
        },
    )
    assert response.status_code == 200  # the page again, not a redirect that forgets the form
    page = response.content.decode()
    form = dict(response.context["open_rows"])[occurrence]
    assert form.is_bound
    assert form.errors == {"narrative": ["Hãy ghi đã làm gì."], "figure_value": ["Số lượng không được nhỏ hơn 0."]}
    assert 'value="Số lớp tập huấn"' in page
    assert 'value="-5"' in page
    assert '<option value="done" selected>' in page
    assert 'data-testid="error-summary"' in page
    assert f'href="#id_{prefix}-narrative"' in page
    assert re.search(rf'<details id="{prefix}"[^>]*\bopen>', page)  # the refused task's card is the open one
    occurrence.refresh_from_db()
    assert occurrence.status == "not_started"
    assert not occurrence.reports.exists()


def test_a_report_refused_because_another_came_first_keeps_what_was_typed(thai_binh):
    plan, officer, _youth = thai_binh
    occurrence = _month_of_action(plan)
    stale_version = occurrence.version
    services.progress_report_add(actor=officer, occurrence=occurrence, status="done", narrative="Đã xong.")
    client = Client()
    client.force_login(officer)
    prefix = f"o{occurrence.pk}"
    response = client.post(
        f"/plans/occurrences/{occurrence.pk}/report/",
        {f"{prefix}-version": stale_version, f"{prefix}-status": "done", f"{prefix}-narrative": "Báo cáo thứ hai."},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Báo cáo thứ hai." in page  # shown again, with why, not thrown away
    assert 'data-testid="error-summary"' in page
    assert occurrence.reports.count() == 1
