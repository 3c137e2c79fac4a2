import io

import pytest
from cryptography.fernet import Fernet
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from PIL import Image

from cases import services
from cases.models import Attachment
from config import files

pytestmark = pytest.mark.django_db


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = {1: "N", 2: (10.0, 48.0, 30.0), 3: "E", 4: (106.0, 40.0, 12.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def case(cast, receive, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return receive().case_files.get()


def test_a_photo_loses_its_gps_and_is_encrypted_at_rest(cast, case):
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)
    attachment = services.attachment_add(
        actor=cast.officer, case=case, upload=SimpleUploadedFile("anh.jpg", original, content_type="image/jpeg")
    )
    with attachment.file.open("rb") as handle:
        stored = handle.read()
    assert attachment.file.name.endswith(".enc")
    assert not stored.startswith(b"\xff\xd8")  # not a readable JPEG on disk
    client = Client()
    client.force_login(cast.officer)
    served = client.get(f"/cases/{case.pk}/attachments/{attachment.pk}/")
    assert served["Content-Disposition"].startswith("attachment")
    assert served["X-Content-Type-Options"] == "nosniff"
    clean = Image.open(io.BytesIO(served.content))
    assert clean.size == (40, 30)
    assert not clean.getexif()
    assert b"PhoneMaker" not in served.content


def test_keys_rotate_without_losing_a_file(cast, case, settings):
    pdf = b"%PDF-1.4\n%%EOF\n"
    attachment = services.attachment_add(actor=cast.officer, case=case, upload=SimpleUploadedFile("a.pdf", pdf))
    old_key = settings.BAOVE_FILE_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.BAOVE_FILE_KEYS = [new_key, old_key]
    files._fernet.cache_clear()
    try:
        call_command("rotate_file_keys", stdout=io.StringIO())
        settings.BAOVE_FILE_KEYS = [new_key]  # the old key is gone: the file must still open
        files._fernet.cache_clear()
        assert files.read(Attachment.objects.get(pk=attachment.pk).file) == pdf
    finally:
        settings.BAOVE_FILE_KEYS = [old_key]
        files._fernet.cache_clear()
