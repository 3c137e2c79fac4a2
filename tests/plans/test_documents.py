"""The report on a plan's results, issued: a number from the plan unit's outgoing register, the Decree 30 layout."""

import datetime
import re
import shutil
import subprocess

import pytest
from django.test import Client

from outgoing.models import OutgoingDocument
from outgoing.services import document_pdf
from plans import services
from plans.importer import parse
from tests.factories import AgencyFactory, MembershipFactory, UserFactory
from tests.plans.conftest import seed_text

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed (CI installs it)"),
]


@pytest.fixture
def plan(seed_units):
    return services.plan_import(actor=None, spec=parse(seed_text("thai-binh")))


def test_a_results_report_is_issued_with_a_number_and_found_in_the_register(plan, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    coordinator = MembershipFactory(
        user=UserFactory(username="dieu_phoi"),
        role="coordinator",
        agency=AgencyFactory(agency_type__code="health", name="Sở Y tế Hưng Yên", unit=plan.unit),
    ).user
    focal_point = UserFactory(username="dau_moi")
    client = Client()
    client.force_login(coordinator)
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert 'data-testid="results-issue"' in page
    response = client.post(f"/plans/{plan.pk}/results/issue/", {"date_from": "2024-06-01", "date_to": "2024-06-30"})
    document = OutgoingDocument.objects.get()
    assert response["Location"] == f"/documents/{document.pk}/"
    assert document.number_symbol == "1/BC-UBND"
    text = re.sub(
        r"\s+",
        " ",
        subprocess.run(["pdftotext", "-", "-"], input=document_pdf(document), capture_output=True).stdout.decode(),
    )
    assert "ỦY BAN NHÂN DÂN TỈNH HƯNG YÊN" in text
    assert "Số: 1/BC-UBND Hưng Yên, ngày" in text
    assert "BÁO CÁO Kết quả thực hiện Kế hoạch số 57/KH-UBND ngày 18/03/2024" in text
    assert "từ ngày 01/06/2024 đến ngày 30/06/2024" in text
    assert "Tổ chức Tháng hành động" in text
    assert "Trên đây là báo cáo kết quả thực hiện Kế hoạch số 57/KH-UBND" in text
    assert "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH" in text
    assert "1/BC-UBND" in client.get(f"/plans/{plan.pk}/").content.decode()  # listed on the plan page
    register = client.get("/documents/register/", {"query": "57/KH-UBND"}).content.decode()
    assert "1/BC-UBND" in register
    assert client.get("/documents/register/", {"query": "không có"}).content.decode().count("/BC-UBND") == 0
    # Issued again for the same period: a new document, the next number (a corrected report), never the same.
    client.post(f"/plans/{plan.pk}/results/issue/", {"date_from": "2024-06-01", "date_to": "2024-06-30"})
    assert sorted(OutgoingDocument.objects.values_list("number", flat=True)) == [1, 2]
    # A reversed period is refused with a message at its field and the dates kept, not a 500; a malformed date
    # says so; a user without the role gets 403.
    response = client.post(f"/plans/{plan.pk}/results/issue/", {"date_from": "2024-06-30", "date_to": "2024-06-01"})
    page = response.content.decode()
    assert response.status_code == 400
    assert response.context["issue_form"].errors == {"date_to": ["Ngày kết thúc trước ngày bắt đầu."]}
    assert 'value="2024-06-30"' in page
    assert 'value="2024-06-01"' in page
    malformed = client.post(f"/plans/{plan.pk}/results/issue/", {"date_from": "30/06/2024x", "date_to": ""})
    assert malformed.status_code == 400
    assert malformed.context["issue_form"].errors == {"date_from": ["Hãy nhập một ngày hợp lệ."]}
    shown = client.get(f"/plans/{plan.pk}/results.pdf", {"date_from": "2024-06-30", "date_to": "2024-06-01"})
    assert shown.status_code == 400
    assert 'value="2024-06-30"' in shown.content.decode()
    assert OutgoingDocument.objects.count() == 2
    outsider = Client()
    outsider.force_login(focal_point)
    assert outsider.post(f"/plans/{plan.pk}/results/issue/", {}).status_code in (403, 404)
    assert datetime.date.today().year == document.year


def test_a_former_districts_plan_reports_its_results_in_the_provinces_name(seed_units, settings, tmp_path):
    """Districts stopped being a level of government on 1 July 2025: a plan a former district made is reported
    on by its province, said on the plan page before the number is taken; never in the abolished body's name."""
    settings.MEDIA_ROOT = tmp_path
    tay_ninh, _tan_bien, _hung_yen = seed_units
    plan = services.plan_import(actor=None, spec=parse(seed_text("tan-bien")))
    assert plan.unit.level == "intermediate"
    coordinator = MembershipFactory(
        user=UserFactory(username="dieu_phoi_tn"),
        role="coordinator",
        agency=AgencyFactory(agency_type__code="health", name="Sở Y tế Tây Ninh", unit=tay_ninh),
    ).user
    client = Client()
    client.force_login(coordinator)
    page = re.sub(r"\s+", " ", client.get(f"/plans/{plan.pk}/").content.decode())
    assert "Ban hành bởi Ủy ban nhân dân tỉnh Tây Ninh" in page
    assert "cấp huyện" in page
    client.post(f"/plans/{plan.pk}/results/issue/", {"date_from": "2020-06-01", "date_to": "2020-12-31"})
    document = OutgoingDocument.objects.get()
    assert document.issuing_body.unit == tay_ninh
    text = re.sub(
        r"\s+",
        " ",
        subprocess.run(["pdftotext", "-", "-"], input=document_pdf(document), capture_output=True).stdout.decode(),
    )
    assert "ỦY BAN NHÂN DÂN TỈNH TÂY NINH" in text
    assert "HUYỆN TÂN BIÊN" not in text
    assert "của Ủy ban nhân dân tỉnh Tây Ninh./." in text
    # The plan it reports on is still named as issued, by the district.
    assert "Kế hoạch số 103/KH-UBND" in text
