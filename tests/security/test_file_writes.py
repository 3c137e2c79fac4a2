"""Files are written whole or not at all (config/storage.py), a full disk is answered 507 on pages and in
the API with nothing left behind, and a check lists files without rows and rows without files.

The full disk is real: a 1 MiB tmpfs mounted as MEDIA_ROOT (the suite runs as root in CI). Where mount
is not allowed, ENOSPC is raised by the write call itself, half-way through the file (`full_media` says
which in the test's report section)."""

import errno
import io
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from rest_framework.test import APIClient

from cases import services
from cases.models import Attachment, CaseEvent
from config import storage, tasks

pytestmark = pytest.mark.django_db
TMPFS_BYTES = 1024 * 1024
FREE_BYTES = 300 * 1024
FILLER = "filler.bin"
_injected_free: dict[str, int | None] = {"bytes": None}  # where mount is refused: the simulated free space


def _pdf(size: int) -> bytes:
    # Random bytes do not compress and Fernet adds a third: SIZE bytes need about 1.34 × SIZE on disk.
    return b"%PDF-1.4\n" + os.urandom(size) + b"\n%%EOF\n"


def _files_under(root: Path) -> list[str]:
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())


@pytest.fixture
def full_media(tmp_path, settings, monkeypatch, record_property):
    """MEDIA_ROOT with about 300 KB free: a real tmpfs if it can be mounted, else ENOSPC injected."""
    root = tmp_path / "media"
    root.mkdir()
    mounted = shutil.which("mount") and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_BYTES}", "tmpfs", str(root)],
        capture_output=True,
        check=False,
    )
    settings.MEDIA_ROOT = root
    if mounted and mounted.returncode == 0:
        record_property("disk_full", "tmpfs of 1 MiB")
        (root / FILLER).write_bytes(b"\0" * (TMPFS_BYTES - FREE_BYTES))
    else:
        record_property("disk_full", "ENOSPC injected at the write call")
        (root / FILLER).write_bytes(b"\0" * 16)
        _injected_free["bytes"] = FREE_BYTES
        real_fdopen = os.fdopen

        def fdopen(descriptor, *args, **kwargs):
            handle = real_fdopen(descriptor, *args, **kwargs)

            def write(data):
                if len(data) > _injected_free["bytes"]:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                _injected_free["bytes"] -= len(data)
                return io.BufferedWriter.write(handle, data)

            handle.write = write
            return handle

        monkeypatch.setattr(storage.os, "fdopen", fdopen)
    yield root
    _injected_free["bytes"] = None
    if mounted and mounted.returncode == 0:
        subprocess.run(["umount", "-l", str(root)], check=False)


def test_a_full_disk_gives_a_507_page_and_leaves_no_file(cast, receive, full_media):
    case = receive().case_files.get()
    client = Client(raise_request_exception=False)
    client.force_login(cast.officer)
    upload = SimpleUploadedFile("bien-ban.pdf", _pdf(400 * 1024))
    response = client.post(f"/cases/{case.pk}/attachments/", {"file": upload, "description": "Biên bản"})
    assert response.status_code == 507
    body = response.content.decode()
    assert "ổ đĩa của máy chủ đã đầy" in body
    assert "Traceback" not in body
    assert Attachment.objects.count() == 0
    assert not CaseEvent.objects.filter(kind="attachment").exists()
    assert _files_under(full_media) == [FILLER]  # no truncated file, no temporary file


def test_a_full_disk_gives_a_507_in_the_api_and_leaves_no_file(cast, receive, full_media):
    case = receive().case_files.get()
    client = APIClient()
    client.force_authenticate(cast.officer)
    upload = SimpleUploadedFile("bien-ban.pdf", _pdf(400 * 1024))
    response = client.post(f"/api/v1/cases/{case.pk}/attachments/", {"file": upload}, format="multipart")
    assert response.status_code == 507
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "insufficient_storage"
    assert "disk is full" in response.json()["detail"] or "đầy" in response.json()["detail"]
    assert Attachment.objects.count() == 0
    assert _files_under(full_media) == [FILLER]


def test_a_file_that_fits_is_stored_whole(cast, receive, full_media):
    case = receive().case_files.get()
    content = _pdf(50 * 1024)
    attachment = services.attachment_add(
        actor=cast.officer, case=case, upload=SimpleUploadedFile("nho.pdf", content), description=""
    )
    assert _files_under(full_media) == sorted([FILLER, attachment.file.name])
    assert Attachment.objects.get().sha256 == attachment.sha256


class _Broken(File):
    """Content whose reading fails half-way, like a client going away or a disk error."""

    def __init__(self):
        super().__init__(io.BytesIO(b"x"), name="broken.bin")

    def chunks(self, chunk_size=None):
        yield b"first half of the file"
        raise OSError(errno.EIO, "Input/output error")


def test_an_error_half_way_leaves_nothing_behind(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(storage.FileNotStored) as raised:
        default_storage.save("attachments/2026/01/a.enc", _Broken())
    assert raised.value.errno == errno.EIO
    assert not raised.value.is_disk_full
    assert _files_under(tmp_path) == []


def test_a_name_in_use_is_never_overwritten(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    first = default_storage.save("reports/2026/bao-cao.pdf", ContentFile(b"first"))
    second = default_storage.save("reports/2026/bao-cao.pdf", ContentFile(b"second"))
    assert first != second
    assert (tmp_path / first).read_bytes() == b"first"
    assert (tmp_path / second).read_bytes() == b"second"
    assert len(_files_under(tmp_path)) == 2


def _age(path: Path, hours: int = 2) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_the_check_lists_files_without_rows_and_rows_without_files(cast, receive, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    case = receive().case_files.get()
    kept, lost = (
        services.attachment_add(actor=cast.officer, case=case, upload=SimpleUploadedFile(f"{name}.pdf", _pdf(100)))
        for name in ("kept", "lost")
    )
    (tmp_path / lost.file.name).unlink()
    orphan = tmp_path / "attachments" / "2026" / "01" / "left-by-a-crash.enc"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"half")
    leftover = tmp_path / "attachments" / ".incoming-abc123"
    leftover.write_bytes(b"partial")
    recent = tmp_path / "attachments" / "being-written-now.enc"  # its row may not be committed yet
    recent.write_bytes(b"new")
    for path in tmp_path.rglob("*"):
        if path.is_file() and path != recent:
            _age(path)

    result = storage.check()
    assert result.files_without_rows == ["attachments/.incoming-abc123", "attachments/2026/01/left-by-a-crash.enc"]
    assert result.rows_without_files == [("cases.Attachment", lost.pk, lost.file.name)]
    assert kept.file.name not in result.files_without_rows
    assert tasks.files_check() == result.as_dict()  # what the nightly beat task logs and returns

    with pytest.raises(CommandError, match="2 file"):
        call_command("files_check", stdout=io.StringIO())
    (tmp_path / lost.file.name).write_bytes(b"restored")
    orphan.unlink()
    leftover.unlink()
    recent.unlink()
    out = io.StringIO()
    call_command("files_check", stdout=out)
    assert "Every file has its row" in out.getvalue()


def test_every_file_field_is_checked(db):
    found = {f"{model._meta.label}.{field.name}" for model, field in storage.file_fields()}
    assert {
        "cases.Attachment.file",
        "plans.Evidence.file",
        "plans.Plan.original_document",
        "reports.PeriodicReport.pdf",
        "reports.PeriodicReport.xlsx",
        "reports.PeriodicReport.preview_pdf",
    } <= found


def test_the_check_runs_every_night_on_a_registered_task(settings):
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["files-check"]
    assert entry["task"] == "config.tasks.files_check"
    assert entry["schedule"].hour == {3}
    app.loader.import_default_modules()  # what a worker does at start: autodiscovery of every app's tasks
    assert "config.tasks.files_check" in app.tasks


def test_a_key_rotation_interrupted_by_a_write_error_keeps_every_file_readable(
    cast, receive, tmp_path, settings, monkeypatch
):
    """rotate_file_keys used to delete a file before writing its re-encrypted copy: an I/O error (or a
    kill) in between lost the upload. Now the old file stays until the new one is whole."""
    from cryptography.fernet import Fernet

    from config import files

    settings.MEDIA_ROOT = tmp_path
    case = receive().case_files.get()
    content = _pdf(10 * 1024)
    attachment = services.attachment_add(
        actor=cast.officer, case=case, upload=SimpleUploadedFile("giay-kham.pdf", content), description=""
    )
    stored = (tmp_path / attachment.file.name).read_bytes()
    real_fdopen = os.fdopen

    def failing_fdopen(descriptor, *args, **kwargs):
        handle = real_fdopen(descriptor, *args, **kwargs)

        def write(data):
            raise OSError(errno.EIO, os.strerror(errno.EIO))

        handle.write = write
        return handle

    monkeypatch.setattr(storage.os, "fdopen", failing_fdopen)
    settings.BAOVE_FILE_KEYS = [Fernet.generate_key().decode(), *settings.BAOVE_FILE_KEYS]
    files._fernet.cache_clear()
    try:
        with pytest.raises(storage.FileNotStored):
            call_command("rotate_file_keys", stdout=io.StringIO())
        assert (tmp_path / attachment.file.name).read_bytes() == stored
        assert files.read(Attachment.objects.get().file) == content
        assert _files_under(tmp_path) == [attachment.file.name]  # and no temporary file
    finally:
        files._fernet.cache_clear()
