"""`manage.py backup` and `manage.py restore`: a backup restored into a fresh database matches its
manifest row for row, and the uploaded files come back (still encrypted, still readable)."""

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
FRESH = "baove_restore_check"
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


def _restore(folder: Path, media: Path) -> subprocess.CompletedProcess:
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
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


def test_a_damaged_backup_is_refused_and_nothing_is_touched(cast, receive, tmp_path, settings, fresh_database):
    settings.MEDIA_ROOT = tmp_path / "media"
    receive()
    folder = backup.create(tmp_path / "backups")
    dump = folder / backup.DUMP_PG
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    result = _restore(folder, tmp_path / "restored-media")
    assert result.returncode != 0
    assert "damaged" in result.stderr
    db = settings.DATABASES["default"]
    with psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=FRESH) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
    assert tables == 0
    assert not (tmp_path / "restored-media").exists()
    assert Attachment.objects.count() == 0
