"""Uploaded and generated files on disk: written whole or not at all, and checked against the database.

Every FileField of the project (case attachments, plan evidence, frozen report PDF/XLSX, previews)
saves through STORAGES["default"], this storage. Django's own FileSystemStorage writes straight into
the final name: a full disk or an I/O error in the middle leaves a truncated file that looks real
(and, for an encrypted upload, can never be decrypted). Here the bytes go to a temporary file in
the same directory, are flushed to the disk (fsync), and only then get their final name, atomically;
on any error the temporary file is removed and FileNotStored is raised, which the page and API error
handlers answer with a clear message (507 when the disk is full).

`check()` lists the files on disk that no row points to, and the rows whose file is missing
(`manage.py files_check`, and the beat's daily config.tasks.files_check).
"""

import datetime
import errno
import logging
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import models

logger = logging.getLogger(__name__)

TEMPORARY_PREFIX = ".incoming-"
NO_SPACE = (errno.ENOSPC, errno.EDQUOT)


class FileNotStored(OSError):
    """A file could not be written; nothing of it is left on disk."""

    @property
    def is_disk_full(self) -> bool:
        return self.errno in NO_SPACE


def is_disk_full(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno in NO_SPACE


class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        temporary = self._write_whole(name, content)
        full_path = None
        try:
            full_path = self._link_under_free_name(temporary, name)
            self._sync_directory(os.path.dirname(full_path))
        except OSError as error:
            if full_path is not None:
                Path(full_path).unlink(missing_ok=True)  # answered as not saved: leave nothing under its name
            raise self._not_stored(name, error) from error
        finally:
            # After the link the final name holds the bytes; before it, nothing else does.
            Path(temporary).unlink(missing_ok=True)
        return os.path.relpath(full_path, self.location).replace("\\", "/")

    def replace(self, name: str, content) -> None:
        """Put CONTENT in place of the file NAME in one step (key rotation): until the new bytes are
        whole on disk the old file stays as it was, never deleted first."""
        temporary = self._write_whole(name, content)
        try:
            os.replace(temporary, self.path(name))
            self._sync_directory(os.path.dirname(self.path(name)))
        except OSError as error:
            raise self._not_stored(name, error) from error
        finally:
            Path(temporary).unlink(missing_ok=True)

    def _write_whole(self, name: str, content) -> str:
        """Write CONTENT to a new temporary file beside NAME's final place, flushed to the disk; its path."""
        directory = os.path.dirname(self.path(name))
        try:
            os.makedirs(directory, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, dir=directory)
        except OSError as error:
            raise self._not_stored(name, error) from error
        try:
            with os.fdopen(descriptor, "wb") as handle:
                for chunk in content.chunks():
                    handle.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                handle.flush()
                os.fsync(handle.fileno())
            if self.file_permissions_mode is not None:
                os.chmod(temporary, self.file_permissions_mode)
        except OSError as error:
            Path(temporary).unlink(missing_ok=True)
            raise self._not_stored(name, error) from error
        return temporary

    @staticmethod
    def _not_stored(name: str, error: OSError) -> FileNotStored:
        logger.error("file not stored (%s): %s", name, error)
        return FileNotStored(error.errno, f"{name} could not be stored: {error.strerror or error}")

    def _link_under_free_name(self, temporary: str, name: str) -> str:
        """Give the complete file its final name; a hard link never replaces an existing file (no race)."""
        while True:
            full_path = self.path(name)
            try:
                os.link(temporary, full_path)
            except FileExistsError:
                name = self.get_available_name(name)
            else:
                return full_path

    @staticmethod
    def _sync_directory(directory: str) -> None:
        """Make the new name itself durable: without this a crash can lose a file already answered as saved."""
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


# ------------------------------------------------------------------------------------------ the check


@dataclass
class StorageCheck:
    files_without_rows: list[str] = field(default_factory=list)
    rows_without_files: list[tuple[str, int, str]] = field(default_factory=list)  # (model, pk, name)

    @property
    def is_clean(self) -> bool:
        return not self.files_without_rows and not self.rows_without_files

    def as_dict(self) -> dict:
        return {
            "files_without_rows": self.files_without_rows,
            "rows_without_files": [list(row) for row in self.rows_without_files],
        }


def file_fields() -> list[tuple[type[models.Model], models.FileField]]:
    """Every FileField of every installed model (found through the app registry, so a new one is included)."""
    return [
        (model, model_field)
        for model in apps.get_models()
        for model_field in model._meta.get_fields()
        if isinstance(model_field, models.FileField) and model_field.concrete
    ]


def check(*, grace: datetime.timedelta = datetime.timedelta(hours=1)) -> StorageCheck:
    """Files under MEDIA_ROOT that no row names, and rows naming a file that is not there.

    Files younger than GRACE are left out: a file is written just before its row is committed.
    """
    result = StorageCheck()
    named: set[str] = set()
    for model, model_field in file_fields():
        rows = model._default_manager.exclude(**{model_field.name: ""}).exclude(**{f"{model_field.name}__isnull": True})
        for pk, name in rows.values_list("pk", model_field.name).iterator():
            named.add(name)
            if not default_storage.exists(name):
                result.rows_without_files.append((model._meta.label, pk, name))
    root = Path(default_storage.location)
    newest = time.time() - grace.total_seconds()
    if root.exists():
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.stat().st_mtime > newest:
                continue
            name = path.relative_to(root).as_posix()
            if name not in named:
                result.files_without_rows.append(name)
    return result
