"""`manage.py backup` and `manage.py restore`: a backup restored into a fresh database matches its
manifest row for row, and the uploaded files come back (still encrypted, still readable). The dump and
the files are encrypted in the backup; a changed manifest, a changed encrypted part (even with a
manifest re-signed by someone holding the signing key) or the wrong key is refused before anything is
touched."""

import hashlib
import hmac
import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from cases import services
from cases.models import Attachment, CaseFile
from config import backup, files

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
# Derived from this run's test database, so that engineers running the suite side by side do not collide.
FRESH = f"{settings.DATABASES['default']['TEST']['NAME']}_restore_check"
CONTENT = b"%PDF-1.4\n% bien ban lam viec\n%%EOF\n"


def _admin_sql(sql: str) -> None:
    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(sql)


@pytest.fixture
def fresh_database():
    _admin_sql(f"DROP DATABASE IF EXISTS {FRESH}")
    _admin_sql(f"CREATE DATABASE {FRESH} TEMPLATE template0")
    yield FRESH
    _admin_sql(f"DROP DATABASE IF EXISTS {FRESH} WITH (FORCE)")


def _restore(folder: Path, media: Path, **extra_env) -> subprocess.CompletedProcess:
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        **extra_env,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{FRESH}",
        "MEDIA_ROOT": str(media),
    }
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(folder), "--yes"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_backup_restores_into_a_fresh_database_with_the_same_counts_and_checksums(
    cast, receive, tmp_path, settings, fresh_database
):
    settings.MEDIA_ROOT = tmp_path / "media"
    case = receive().case_files.get()
    attachment = services.attachment_add(
        actor=cast.officer, case=case, upload=SimpleUploadedFile("bien-ban.pdf", CONTENT), description="Biên bản"
    )
    call_command("backup", output=str(tmp_path / "backups"))
    (folder,) = (tmp_path / "backups").iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["tables"]["cases_casefile"]["rows"] == 1
    assert manifest["media_files"] == 1
    assert oct(folder.stat().st_mode)[-3:] == "700"
    assert sorted(path.name for path in folder.iterdir()) == [
        "database.dump.age",
        "manifest.json",
        "manifest.json.sig",
        "media.tar.age",
    ]
    # Encrypted: neither pg_dump's nor tar's format shows, and no name from the case file can be read.
    child_name = CaseFile.objects.get().child.full_name.encode()
    for part in ("database.dump.age", "media.tar.age"):
        data = (folder / part).read_bytes()
        assert data.startswith(b"age-encryption.org/v1\n")
        assert b"PGDMP" not in data
        assert b"ustar" not in data
        assert child_name not in data

    restored_media = tmp_path / "restored-media"
    result = _restore(folder, restored_media)
    assert result.returncode == 0, result.stderr
    assert "every table matches the manifest" in result.stdout
    # Checked independently of the command: the fresh database holds the same rows.
    db = settings.DATABASES["default"]
    with psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=FRESH) as conn:
        for table, saved in manifest["tables"].items():
            count = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            assert count == saved["rows"], table
        reference = conn.execute("SELECT reference FROM cases_casefile").fetchone()[0]
    assert reference == CaseFile.objects.get().reference
    stored = (restored_media / attachment.file.name).read_bytes()
    assert stored != CONTENT  # still encrypted at rest
    assert files.decrypt(stored) == CONTENT


def _a_backup(receive, tmp_path) -> Path:
    receive()
    return backup.create(tmp_path / "backups")


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _assert_nothing_restored(media: Path) -> None:
    db = settings.DATABASES["default"]
    with psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=FRESH) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
    assert tables == 0
    assert not media.exists()
    assert not list(media.parent.glob(".restore-*"))  # no decrypted leftovers beside it


def test_a_damaged_backup_is_refused_and_nothing_is_touched(cast, receive, tmp_path, settings, fresh_database):
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = _a_backup(receive, tmp_path)
    _flip_a_byte(folder / "database.dump.age")
    result = _restore(folder, tmp_path / "restored-media")
    assert result.returncode != 0
    assert "damaged" in result.stderr
    _assert_nothing_restored(tmp_path / "restored-media")
    assert Attachment.objects.count() == 0


def test_a_manifest_whose_checksum_was_rewritten_is_refused(cast, receive, tmp_path, settings, fresh_database):
    """The gap the issue found: change a part, write its new checksum into the manifest."""
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = _a_backup(receive, tmp_path)
    dump = folder / "database.dump.age"
    _flip_a_byte(dump)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["database.dump.age"] = backup.sha256_of(dump)
    manifest["tables"]["cases_casefile"]["rows"] = 7
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
    result = _restore(folder, tmp_path / "restored-media")
    assert result.returncode != 0
    assert "signature does not match" in result.stderr
    _assert_nothing_restored(tmp_path / "restored-media")


def test_an_unsigned_backup_is_refused(cast, receive, tmp_path, settings, fresh_database):
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = _a_backup(receive, tmp_path)
    (folder / "manifest.json.sig").unlink()
    result = _restore(folder, tmp_path / "restored-media")
    assert result.returncode != 0
    assert "not signed" in result.stderr
    _assert_nothing_restored(tmp_path / "restored-media")


def test_a_changed_encrypted_part_is_refused_even_with_a_re_signed_manifest(
    cast, receive, tmp_path, settings, fresh_database
):
    """Someone holding the signing key (the backing-up server) but not the identity changes the files:
    the age authentication refuses them, before the database or MEDIA_ROOT is touched."""
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = _a_backup(receive, tmp_path)
    media = folder / "media.tar.age"
    _flip_a_byte(media)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["media.tar.age"] = backup.sha256_of(media)
    body = json.dumps(manifest, indent=2, sort_keys=True).encode()
    (folder / "manifest.json").write_bytes(body)
    key = settings.BAOVE_BACKUP_SIGNING_KEY.encode()
    (folder / "manifest.json.sig").write_text("sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest())
    assert backup.read_manifest(folder)["files"]["media.tar.age"] == backup.sha256_of(media)  # passes the gate

    result = _restore(folder, tmp_path / "restored-media")
    assert result.returncode != 0
    assert "media.tar.age cannot be decrypted" in result.stderr
    _assert_nothing_restored(tmp_path / "restored-media")


def test_a_backup_opens_only_with_its_identity(cast, receive, tmp_path, settings, fresh_database):
    from pyrage import x25519

    settings.MEDIA_ROOT = tmp_path / "media"
    folder = _a_backup(receive, tmp_path)
    other = tmp_path / "other-identity.txt"
    other.write_text(f"# another province's key\n{x25519.Identity.generate()}\n")
    settings.BAOVE_BACKUP_IDENTITY = other.read_text()
    with pytest.raises(backup.BackupError, match="cannot be decrypted"):
        backup.restore(folder, media_root=tmp_path / "restored-media")
    _assert_nothing_restored(tmp_path / "restored-media")


def test_production_refuses_to_back_up_without_keys(db, tmp_path, settings):
    settings.BAOVE_REQUIRE_BACKUP_KEYS = True
    settings.BAOVE_BACKUP_RECIPIENTS = []
    with pytest.raises(backup.BackupError, match="BAOVE_BACKUP_RECIPIENTS"):
        backup.create(tmp_path / "backups")
    settings.BAOVE_BACKUP_RECIPIENTS = ["age1n49e8ep4eed9cyf4hx8lfmlljud62gq5059xklyuagcen809dczqy308f9"]
    settings.BAOVE_BACKUP_SIGNING_KEY = None
    with pytest.raises(backup.BackupError, match="BAOVE_BACKUP_SIGNING_KEY"):
        backup.create(tmp_path / "backups")
    settings.BAOVE_BACKUP_SIGNING_KEY = "too-short"
    with pytest.raises(backup.BackupError, match="at least 32"):
        backup.create(tmp_path / "backups")
    assert not (tmp_path / "backups").exists()


def test_backup_keys_are_read_from_files(monkeypatch, tmp_path):
    """The _FILE variants (Docker and Kubernetes secrets) for the identity and the signing key."""
    from config.settings.base import _read_secret

    secret = tmp_path / "signing-key"
    secret.write_text("a-signing-key-read-from-a-mounted-secret-file\n")
    monkeypatch.setenv("BAOVE_BACKUP_SIGNING_KEY_FILE", str(secret))
    assert _read_secret("BAOVE_BACKUP_SIGNING_KEY") == "a-signing-key-read-from-a-mounted-secret-file"
