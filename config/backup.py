"""Backups: the database (pg_dump custom format on PostgreSQL, the online backup API on SQLite), the
uploaded files (already encrypted at rest) and a manifest of row counts and checksums, so that a
restore can prove it brought back exactly what was saved."""

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connections

MANIFEST = "manifest.json"
DUMP_PG = "database.dump"
DUMP_SQLITE = "database.sqlite3"
MEDIA = "media.tar"
FORMAT_VERSION = 1


class BackupError(Exception):
    pass


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env(db: dict) -> tuple[list[str], dict]:
    args = ["-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432), "-U", db.get("USER") or "postgres"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def table_fingerprints(alias: str = "default") -> dict[str, dict]:
    """Row count and a content checksum (order-independent) of every table."""
    connection = connections[alias]
    result = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            quoted = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) "  # noqa: S608
                    f"FROM {quoted} t"
                )
                count, checksum = cursor.fetchone()
            else:
                cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608
                hashes = sorted(hashlib.md5(repr(row).encode(), usedforsecurity=False).hexdigest() for row in cursor)
                count, checksum = len(hashes), hashlib.md5("".join(hashes).encode(), usedforsecurity=False).hexdigest()
            result[table] = {"rows": count, "checksum": checksum}
    return result


def create(target_dir: Path, *, alias: str = "default") -> Path:
    """Write a new backup folder under TARGET_DIR and return it."""
    db = settings.DATABASES[alias]
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = Path(target_dir) / f"baove-backup-{stamp}"
    folder.mkdir(parents=True, exist_ok=False)
    folder.chmod(0o700)
    vendor = connections[alias].vendor
    # Counts first, inside a snapshot-consistent dump: pg_dump takes its own snapshot, so the
    # manifest is computed from the restored copy's point of view by comparing after restore.
    if vendor == "postgresql":
        args, env = _pg_env(db)
        dump = folder / DUMP_PG
        subprocess.run(  # noqa: S603
            ["pg_dump", *args, "--format=custom", "--no-owner", "--file", str(dump), db["NAME"]],  # noqa: S607
            env=env,
            check=True,
            capture_output=True,
        )
    elif vendor == "sqlite":
        dump = folder / DUMP_SQLITE
        source = sqlite3.connect(db["NAME"])
        with sqlite3.connect(dump) as copy:
            source.backup(copy)
        source.close()
    else:
        raise BackupError(f"unsupported database: {vendor}")
    media = folder / MEDIA
    media_root = Path(settings.MEDIA_ROOT)
    with tarfile.open(media, "w") as archive:
        if media_root.exists():
            archive.add(media_root, arcname="media")
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "database_vendor": vendor,
        "files": {dump.name: sha256_of(dump), MEDIA: sha256_of(media)},
        "media_files": sum(1 for path in media_root.rglob("*") if path.is_file()) if media_root.exists() else 0,
        "tables": table_fingerprints(alias),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    for path in folder.iterdir():
        path.chmod(0o600)
    return folder


def read_manifest(folder: Path) -> dict:
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"no readable manifest in {folder}: {error}") from error
    for name, expected in manifest.get("files", {}).items():
        path = folder / name
        if not path.exists():
            raise BackupError(f"{name} is missing from the backup")
        if sha256_of(path) != expected:
            raise BackupError(f"{name} does not match its checksum: the backup is damaged")
    return manifest


def restore(folder: Path, *, alias: str = "default", media_root: Path | None = None) -> dict[str, tuple]:
    """Restore FOLDER into database ALIAS and MEDIA_ROOT; returns the tables that differ from the manifest."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    db = settings.DATABASES[alias]
    connections[alias].close()
    if manifest["database_vendor"] == "postgresql":
        if connections[alias].vendor != "postgresql":
            raise BackupError("this backup is of a PostgreSQL database")
        args, env = _pg_env(db)
        result = subprocess.run(  # noqa: S603
            [  # noqa: S607
                "pg_restore",
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                "-d",
                db["NAME"],
                str(folder / DUMP_PG),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()[:2000]}")
    else:
        shutil.copyfile(folder / DUMP_SQLITE, db["NAME"])
    media_root = Path(media_root or settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(dir=media_root.parent) as staging:
        with tarfile.open(folder / MEDIA) as archive:
            archive.extractall(staging, filter="data")
        restored = Path(staging) / "media"
        if media_root.exists():
            shutil.rmtree(media_root)
        if restored.exists():
            shutil.move(str(restored), str(media_root))
        else:
            media_root.mkdir(parents=True)
    actual = table_fingerprints(alias)
    differences = {}
    for table in sorted(set(manifest["tables"]) | set(actual)):
        saved, now = manifest["tables"].get(table), actual.get(table)
        if saved != now:
            differences[table] = (saved, now)
    return differences
