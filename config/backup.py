"""Backups an auditor can trust: the database (pg_dump custom format on PostgreSQL, the online backup
API on SQLite) and the uploaded files, each encrypted with age (pyrage) to the recipients' public keys,
and a manifest of row counts and checksums signed with HMAC-SHA256, so that a restore can prove it
brought back exactly what was saved.

A backup folder holds:
    manifest.json        format, vendor, SHA-256 of each encrypted file, row count and checksum of each table
    manifest.json.sig    sha256=HMAC-SHA256(signing key, the exact bytes of manifest.json)
    database.dump.age    the dump, encrypted (database.sqlite3.age for the embedded default)
    media.tar.age        MEDIA_ROOT as a tar, encrypted (its files are also encrypted at rest)

The backing-up server needs only the public keys (BAOVE_BACKUP_RECIPIENTS) and the signing key: a
stolen server or backup disk does not open old backups. Restoring needs the identity (the age secret
key, BAOVE_BACKUP_IDENTITY or _FILE), kept apart. A restore checks, before anything is touched: the
signature (a rewritten checksum is refused), the checksums, then the decryption of every part into a
private staging folder (age authenticates every chunk: a changed byte is refused).

The plain dump never reaches the backup disk: pg_dump's output is encrypted as it streams.
"""

import datetime
import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import threading
from pathlib import Path

import pyrage
from django.conf import settings
from django.db import connections
from pyrage import x25519

MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.sig"
ENCRYPTED = ".age"
DUMP_PG = "database.dump"
DUMP_SQLITE = "database.sqlite3"
MEDIA = "media.tar"
FORMAT_VERSION = 2
MIN_SIGNING_KEY_LENGTH = 32


class BackupError(Exception):
    pass


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ------------------------------------------------------------------------------------------------ keys


def _keys_required() -> bool:
    return not settings.DEBUG and getattr(settings, "BAOVE_REQUIRE_BACKUP_KEYS", False)


def _local_secret(name: str, make) -> str:
    """The embedded default keeps generated backup keys under var/, like its other keys."""
    path = Path(settings.BAOVE_VAR_DIR) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(make(), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def _local_identity() -> str:
    return _local_secret("backup_identity", lambda: str(x25519.Identity.generate()))


def signing_key() -> bytes:
    key = settings.BAOVE_BACKUP_SIGNING_KEY
    if not key:
        if _keys_required():
            raise BackupError("BAOVE_BACKUP_SIGNING_KEY (or BAOVE_BACKUP_SIGNING_KEY_FILE) must be set.")
        key = _local_secret("backup_signing_key", lambda: os.urandom(32).hex())
    if len(key) < MIN_SIGNING_KEY_LENGTH:
        raise BackupError(f"BAOVE_BACKUP_SIGNING_KEY must be at least {MIN_SIGNING_KEY_LENGTH} characters long.")
    return key.encode()


def recipients() -> list:
    keys = [key.strip() for key in settings.BAOVE_BACKUP_RECIPIENTS if key.strip()]
    if not keys:
        if _keys_required():
            raise BackupError("BAOVE_BACKUP_RECIPIENTS (age public keys, age1…) must be set.")
        return [x25519.Identity.from_str(_local_identity()).to_public()]
    try:
        return [x25519.Recipient.from_str(key) for key in keys]
    except pyrage.RecipientError as error:
        raise BackupError(f"BAOVE_BACKUP_RECIPIENTS holds a key that is not an age public key: {error}") from error


def identities() -> list:
    """The age secret keys that may open a backup: one per line, comments (#) ignored, as age-keygen writes."""
    text = settings.BAOVE_BACKUP_IDENTITY
    if not text:
        if _keys_required():
            raise BackupError("BAOVE_BACKUP_IDENTITY (or BAOVE_BACKUP_IDENTITY_FILE) is needed to restore.")
        text = _local_identity()
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    try:
        return [x25519.Identity.from_str(line) for line in lines]
    except pyrage.IdentityError as error:
        raise BackupError(f"BAOVE_BACKUP_IDENTITY is not an age secret key: {error}") from error


def sign(manifest: bytes) -> str:
    return "sha256=" + hmac.new(signing_key(), manifest, hashlib.sha256).hexdigest()


# ----------------------------------------------------------------------------------------- encryption


def _encrypt_stream(source, target: Path) -> None:
    with target.open("wb") as sink:
        pyrage.encrypt_io(source, sink, recipients())


def _decrypt(source: Path, target: Path) -> None:
    try:
        with source.open("rb") as handle, target.open("wb") as sink:
            pyrage.decrypt_io(handle, sink, identities())
    except (pyrage.DecryptError, OSError) as error:
        # pyrage reports a failed authentication as an OSError too: both mean a changed file or another key.
        raise BackupError(
            f"{source.name} cannot be decrypted: it was changed, or it was made for another key ({error})"
        ) from error


def _encrypt_tar(directory: Path, arcname: str, target: Path) -> None:
    """Stream DIRECTORY as a tar into the encryption through a pipe: no plain copy on disk."""
    read_end, write_end = os.pipe()
    failures: list[BaseException] = []

    def produce():
        try:
            with os.fdopen(write_end, "wb") as pipe, tarfile.open(fileobj=pipe, mode="w|") as archive:
                if directory.exists():
                    archive.add(directory, arcname=arcname)
        except BaseException as error:  # handed to the caller, which raises it
            failures.append(error)

    producer = threading.Thread(target=produce, name="backup-tar")
    producer.start()
    try:
        with os.fdopen(read_end, "rb") as pipe:
            _encrypt_stream(pipe, target)
    finally:
        producer.join()
    if failures:
        raise BackupError(f"the uploaded files could not be archived: {failures[0]}") from failures[0]


# ---------------------------------------------------------------------------------------------- backup


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


def _dump_postgresql(db: dict, target: Path, *, tables: tuple[str, ...] = ()) -> None:
    args, env = _pg_env(db)
    only = [f"--table={table}" for table in tables]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(  # noqa: S603
            ["pg_dump", *args, "--format=custom", "--no-owner", *only, db["NAME"]],  # noqa: S607
            env=env,
            stdout=subprocess.PIPE,
            stderr=errors,
        )
        try:
            _encrypt_stream(process.stdout, target)
        finally:
            process.stdout.close()
            returncode = process.wait()
        if returncode != 0:
            errors.seek(0)
            raise BackupError(f"pg_dump failed: {errors.read().decode(errors='replace').strip()[:2000]}")


def _dump_sqlite(db: dict, target: Path, folder: Path) -> None:
    # The online backup API needs a file: a private one inside the new (0700) folder, removed at once.
    with tempfile.TemporaryDirectory(dir=folder) as staging:
        copy_path = Path(staging) / DUMP_SQLITE
        source = sqlite3.connect(db["NAME"])
        with sqlite3.connect(copy_path) as copy:
            source.backup(copy)
        source.close()
        with copy_path.open("rb") as plain:
            _encrypt_stream(plain, target)


def create(target_dir: Path, *, alias: str = "default") -> Path:
    """Write a new backup folder under TARGET_DIR and return it."""
    db = settings.DATABASES[alias]
    signing_key(), recipients()  # a missing key fails now, before anything is written
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = Path(target_dir) / f"baove-backup-{stamp}"
    folder.mkdir(parents=True, exist_ok=False)
    folder.chmod(0o700)
    vendor = connections[alias].vendor
    if vendor == "postgresql":
        dump = folder / (DUMP_PG + ENCRYPTED)
        _dump_postgresql(db, dump)
    elif vendor == "sqlite":
        dump = folder / (DUMP_SQLITE + ENCRYPTED)
        _dump_sqlite(db, dump, folder)
    else:
        raise BackupError(f"unsupported database: {vendor}")
    media = folder / (MEDIA + ENCRYPTED)
    media_root = Path(settings.MEDIA_ROOT)
    _encrypt_tar(media_root, "media", media)
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "database_vendor": vendor,
        "encryption": "age",
        "files": {dump.name: sha256_of(dump), media.name: sha256_of(media)},
        "media_files": sum(1 for path in media_root.rglob("*") if path.is_file()) if media_root.exists() else 0,
        # Counted after the dump, which took its own snapshot: a restore compares against these.
        "tables": table_fingerprints(alias),
    }
    body = json.dumps(manifest, indent=2, sort_keys=True).encode()
    (folder / MANIFEST).write_bytes(body)
    (folder / SIGNATURE).write_text(sign(body) + "\n", encoding="ascii")
    for path in folder.iterdir():
        path.chmod(0o600)
    return folder


# --------------------------------------------------------------------------------------------- restore


def read_manifest(folder: Path) -> dict:
    """The manifest, once its signature and every file's checksum are verified."""
    folder = Path(folder)
    try:
        body = (folder / MANIFEST).read_bytes()
    except OSError as error:
        raise BackupError(f"no readable manifest in {folder}: {error}") from error
    try:
        signature = (folder / SIGNATURE).read_text(encoding="ascii").strip()
    except (OSError, ValueError) as error:
        raise BackupError(f"the manifest is not signed ({SIGNATURE} is missing): the backup is refused") from error
    if not hmac.compare_digest(signature, sign(body)):
        raise BackupError("the manifest's signature does not match: it was changed, or signed with another key")
    try:
        manifest = json.loads(body)
    except ValueError as error:
        raise BackupError(f"the manifest is not JSON: {error}") from error
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"backup format {manifest.get('format')} is not supported (expected {FORMAT_VERSION})")
    for name, expected in manifest.get("files", {}).items():
        path = folder / name
        if not path.exists():
            raise BackupError(f"{name} is missing from the backup")
        if sha256_of(path) != expected:
            raise BackupError(f"{name} does not match its checksum: the backup is damaged")
    return manifest


def _pg_restore(db: dict, dump: Path, *, clean: bool = True) -> None:
    args, env = _pg_env(db)
    result = subprocess.run(  # noqa: S603
        [  # noqa: S607
            "pg_restore",
            *args,
            *(["--clean", "--if-exists"] if clean else []),
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "-d",
            db["NAME"],
            str(dump),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()[:2000]}")


def restore(folder: Path, *, alias: str = "default", media_root: Path | None = None) -> dict[str, tuple]:
    """Restore FOLDER into database ALIAS and MEDIA_ROOT; returns the tables that differ from the manifest."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    vendor = manifest["database_vendor"]
    if vendor == "postgresql" and connections[alias].vendor != "postgresql":
        raise BackupError("this backup is of a PostgreSQL database")
    db = settings.DATABASES[alias]
    media_root = Path(media_root or settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    # A private (0700) staging folder beside MEDIA_ROOT, so that the files move in with a rename.
    with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".restore-") as staging_name:
        staging = Path(staging_name)
        dump_name = DUMP_PG if vendor == "postgresql" else DUMP_SQLITE
        # Everything is decrypted (and so authenticated) before the database or the files are touched.
        dump = staging / dump_name
        _decrypt(folder / (dump_name + ENCRYPTED), dump)
        media_tar = staging / MEDIA
        _decrypt(folder / (MEDIA + ENCRYPTED), media_tar)
        with tarfile.open(media_tar) as archive:
            archive.extractall(staging, filter="data")
        media_tar.unlink()

        connections[alias].close()
        if vendor == "postgresql":
            _pg_restore(db, dump)
        else:
            shutil.copyfile(dump, db["NAME"])
        dump.unlink()
        restored = staging / "media"
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


# ------------------------------------------------------------------------------ single tables (archives)


def tables_dump(target: Path, *, tables: tuple[str, ...], alias: str = "default") -> str:
    """pg_dump of TABLES only, encrypted like a backup as it streams (config.partitions' archives);
    returns the SHA-256 of the encrypted file."""
    _dump_postgresql(settings.DATABASES[alias], target, tables=tables)
    return sha256_of(target)


def tables_restore(source: Path, *, alias: str = "default") -> None:
    """Decrypt a `tables_dump` file into a private staging folder and restore its tables (which must
    not exist)."""
    with tempfile.TemporaryDirectory(prefix="baove-archive-") as staging:
        dump = Path(staging) / "tables.dump"
        _decrypt(source, dump)
        _pg_restore(settings.DATABASES[alias], dump, clean=False)
