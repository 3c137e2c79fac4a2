"""Digital signatures on issued documents: PAdES with pyHanko, from a PKCS#12 file or a PKCS#11 token (Debian's
SoftHSM, initialised here), visible in the signer block, checked on the document's page."""

import datetime
import io
import os
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.test import Client

from outgoing import services, signing
from outgoing.models import DeviceKind, SigningDevice, TrustedCertificate
from reports import services as report_services
from reports.periods import Period
from tests.factories import assess

from .pki import make_pki

pytestmark = pytest.mark.django_db
PASSPHRASE = "mật-khẩu-ký-số"
SOFTHSM = "/usr/lib/softhsm/libsofthsm2.so"


@pytest.fixture
def pki():
    return make_pki()


@pytest.fixture
def issued(tree, cast, receive, settings, tmp_path):
    """Xã Một's submitted report: numbered in its register, to be signed by its chairman."""
    settings.MEDIA_ROOT = tmp_path
    assess(receive().case_files.get(), cast.officer)
    today = datetime.date.today()
    half = 1 if today.month <= 6 else 2
    start = datetime.date(today.year, 1 if half == 1 else 7, 1)
    end = datetime.date(today.year, 6, 30) if half == 1 else datetime.date(today.year, 12, 31)
    report = report_services.report_draft(
        actor=cast.officer, unit=tree.commune_c1, period=Period(start, end, f"{today.year}-H{half}")
    )
    return report_services.report_submit(actor=cast.officer, report=report).document


def _device(user, pki) -> SigningDevice:
    device = SigningDevice(user=user, label="Chứng thư số của Chủ tịch", kind=DeviceKind.PKCS12)
    device.pkcs12_file.save("chu-tich.p12", ContentFile(pki.pkcs12(PASSPHRASE.encode())), save=False)
    device.save()
    return device


def _pyhanko_status(pdf: bytes, pki):
    from asn1crypto import x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    root = x509.Certificate.load(pki.ca_certificate.public_bytes(Encoding.DER))
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    return validate_pdf_signature(signature, ValidationContext(trust_roots=[root], allow_fetching=False))


def test_a_signed_report_verifies_and_fails_after_one_byte_is_changed(issued, cast, pki):
    assert issued.number_symbol == "1/BC-UBND"
    assert issued.signer == cast.chairman  # the commune's chairman signs for its People's Committee
    device = _device(cast.chairman, pki)
    with pytest.raises(PermissionDenied):
        services.document_sign(actor=cast.officer, document=issued, device=device, secret=PASSPHRASE)
    with pytest.raises(signing.SigningError, match="mật khẩu"):
        services.document_sign(actor=cast.chairman, document=issued, device=device, secret="sai")
    signed_document = services.document_sign(actor=cast.chairman, document=issued, device=device, secret=PASSPHRASE)
    original = services.document_pdf(signed_document)
    signed = services.document_pdf(signed_document, signed=True)
    assert signed.startswith(original)  # an incremental update: the issued bytes, their hash, untouched
    assert services.sha256(original) == signed_document.pdf_sha256

    status = _pyhanko_status(signed, pki)
    assert status.intact
    assert status.valid
    assert status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert "Trần Văn Chủ Tịch" in status.signing_cert.subject.human_friendly

    assert signing.verify(signed).state == "untrusted"  # its CA is not configured yet
    TrustedCertificate.objects.create(name="CA thử nghiệm", pem=pki.ca_pem)
    verification = signing.verify(signed)
    assert verification.state == "valid"
    assert "Trần Văn Chủ Tịch" in verification.signer

    # One byte changed inside the signed range (the binary comment under the header): it no longer verifies.
    position = original.index(b"\n") + 2
    tampered = signed[:position] + bytes([signed[position] ^ 0x01]) + signed[position + 1 :]
    status = _pyhanko_status(tampered, pki)
    assert not status.intact
    assert signing.verify(tampered).state == "invalid"
    # Anywhere else in the signed bytes as well: changed content, or a file that no longer parses.
    middle = len(original) // 2
    tampered = signed[:middle] + bytes([signed[middle] ^ 0x20]) + signed[middle + 1 :]
    assert signing.verify(tampered).state == "invalid"


def test_the_signature_is_visible_in_the_signer_block(issued, cast, pki):
    from pyhanko.pdf_utils.reader import PdfFileReader

    box = issued.signature_box
    assert box is not None
    signed = services.document_pdf(
        services.document_sign(
            actor=cast.chairman, document=issued, device=_device(cast.chairman, pki), secret=PASSPHRASE
        ),
        signed=True,
    )
    reader = PdfFileReader(io.BytesIO(signed))
    page = reader.root["/Pages"]["/Kids"][box["page"]].get_object()
    widgets = [annotation.get_object() for annotation in page.get("/Annots", [])]
    field = next(widget for widget in widgets if widget.get("/FT") == "/Sig" or "/Parent" in widget)
    rect = [float(value) for value in field["/Rect"]]
    assert rect == pytest.approx(box["box"], abs=0.5)
    # The box is in the signer block: between the signer's title and name, right of the recipients.
    assert rect[0] > 200
    assert rect[2] - rect[0] > 150
    assert rect[3] - rect[1] > 60
    assert "/AP" in field  # it has an appearance: the signer's name and the time, drawn in the box


def test_the_document_page_shows_whether_the_signature_verifies(issued, cast, pki, settings):
    chairman = Client()
    chairman.force_login(cast.chairman)
    page = chairman.get(f"/documents/{issued.pk}/").content.decode()
    assert "1/BC-UBND" in page
    assert 'data-testid="sign-form"' not in page  # no device yet: told to ask the administrator
    device = _device(cast.chairman, pki)
    assert 'data-testid="sign-form"' in chairman.get(f"/documents/{issued.pk}/").content.decode()
    response = chairman.post(f"/documents/{issued.pk}/sign/", {"device": device.pk, "secret": "sai"})
    assert response.status_code == 302
    assert "Chưa ký" in chairman.get(f"/documents/{issued.pk}/").content.decode()
    chairman.post(f"/documents/{issued.pk}/sign/", {"device": device.pk, "secret": PASSPHRASE})
    TrustedCertificate.objects.create(name="CA thử nghiệm", pem=pki.ca_pem)
    page = chairman.get(f"/documents/{issued.pk}/").content.decode()
    assert "Chữ ký số hợp lệ" in page
    download = chairman.get(f"/documents/{issued.pk}/signed.pdf")
    assert download.content[:5] == b"%PDF-"
    assert signing.verify(download.content).is_valid
    outsider = Client()
    outsider.force_login(cast.officer_elsewhere)
    assert outsider.get(f"/documents/{issued.pk}/").status_code == 404
    assert outsider.get(f"/documents/{issued.pk}/signed.pdf").status_code == 404


@pytest.mark.skipif(
    not shutil.which("softhsm2-util") or not os.path.exists(SOFTHSM), reason="softhsm2 is not installed"
)
def test_a_key_on_a_pkcs11_token_signs(issued, cast, pki, tmp_path, monkeypatch):
    """A real PKCS#11 token in software: SoftHSM, with a token initialised for this test only."""
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    tokens = tmp_path / "tokens"
    tokens.mkdir()
    config = tmp_path / "softhsm2.conf"
    config.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(config))
    label, pin = "baove-test", "123456"
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", "654321", "--pin", pin],
        check=True,
        capture_output=True,
    )
    key_file = tmp_path / "signer.pem"
    key_file.write_bytes(pki.key_pem())
    subprocess.run(
        [
            "softhsm2-util",
            "--import",
            str(key_file),
            "--token",
            label,
            "--label",
            "chu-tich",
            "--id",
            "01",
            "--pin",
            pin,
        ],
        check=True,
        capture_output=True,
    )
    key_file.unlink()
    token = pkcs11.lib(SOFTHSM).get_token(token_label=label)
    with token.open(user_pin=pin, rw=True) as session:
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: "chu-tich",
                Attribute.ID: b"\x01",
                Attribute.VALUE: pki.signer_der,
                Attribute.SUBJECT: pki.signer_certificate.subject.public_bytes(),
            }
        )
    device = SigningDevice.objects.create(
        user=cast.chairman,
        label="USB token",
        kind=DeviceKind.PKCS11,
        pkcs11_module=SOFTHSM,
        token_label=label,
        key_label="chu-tich",
    )
    with pytest.raises(signing.SigningError, match="PIN"):
        services.document_sign(actor=cast.chairman, document=issued, device=device, secret="000000")
    signed = services.document_pdf(
        services.document_sign(actor=cast.chairman, document=issued, device=device, secret=pin), signed=True
    )
    status = _pyhanko_status(signed, pki)
    assert status.intact
    assert status.valid
    assert status.trusted
    TrustedCertificate.objects.create(name="CA thử nghiệm", pem=pki.ca_pem)
    assert signing.verify(signed).state == "valid"


def test_a_token_library_outside_the_operators_list_is_refused(cast, settings):
    """The administration chooses among the libraries the operator allowed; a path typed elsewhere is
    refused before anything is loaded."""
    from django.core.exceptions import ValidationError

    from outgoing.models import SigningDevice
    from outgoing.signing import SigningError, _signer

    settings.BAOVE_PKCS11_MODULES = [SOFTHSM]
    device = SigningDevice(label="Lạ", user=cast.chairman, kind="pkcs11", pkcs11_module="/tmp/evil.so", token_label="x")
    with pytest.raises(ValidationError) as refused:
        device.full_clean()
    assert "pkcs11_module" in refused.value.message_dict
    with pytest.raises(SigningError):
        _signer(device, "1234")
