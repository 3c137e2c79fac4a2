"""On a phone: the officer issues a form of the case file; the chairman signs the decision with his
certificate and sees that the signature verifies."""

import os
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from outgoing.models import DeviceKind, OutgoingDocument, SigningDevice, TrustedCertificate
from tests.e2e.conftest import login
from tests.factories import TEST_PASSWORD
from tests.outgoing.pki import make_pki

SHOTS = Path(os.environ.get("BAOVE_E2E_ARTIFACTS", "/tmp/baove-e2e"))


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"documents-{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("default_ladders", "agency_types")
def test_a_form_is_issued_then_signed_on_a_phone(page, tree, cast, receive, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = receive().case_files.get()
    login(page, "officer", TEST_PASSWORD)
    page.goto(f"{page.base_url}/cases/{case.pk}/")
    page.get_by_test_id("case-forms").click()
    expect(page.get_by_test_id("case-form-5")).to_contain_text("chưa được ghi nhận")
    page.get_by_test_id("issue-1").click()
    expect(page.get_by_test_id("case-form-1")).to_contain_text("1/PTN-UBND")
    _shot(page, "case-forms")
    document = OutgoingDocument.objects.get()
    assert document.signer == cast.officer  # Mẫu 01 is signed by whoever received the report
    pki = make_pki("Nguyễn Cán Bộ")
    device = SigningDevice(user=cast.officer, label="Chứng thư số của cán bộ", kind=DeviceKind.PKCS12)
    device.pkcs12_file.save("can-bo.p12", ContentFile(pki.pkcs12(b"123456")), save=False)
    device.save()
    TrustedCertificate.objects.create(name="CA thử nghiệm", pem=pki.ca_pem)
    page.get_by_role("link", name="Số 1/PTN-UBND").click()
    expect(page.get_by_test_id("signature-status")).to_contain_text("Chưa ký số")
    page.fill("#id_secret", "sai-mat-khau")
    page.get_by_role("button", name="Ký số văn bản").click()
    expect(page.locator(".alert:visible").first).to_contain_text("mật khẩu")
    page.fill("#id_secret", "123456")
    page.get_by_role("button", name="Ký số văn bản").click()
    expect(page.get_by_test_id("signature-status")).to_contain_text("Chữ ký số hợp lệ")
    expect(page.get_by_test_id("download-signed")).to_be_visible()
    _shot(page, "document-signed")
    page.goto(f"{page.base_url}/documents/register/?query=PTN")
    expect(page.get_by_test_id("register-table")).to_contain_text("1/PTN-UBND")
    _shot(page, "register")
