"""Uploaded files at rest: image metadata stripped (a photo's GPS can show where a child is sheltered),
then encrypted with Fernet. BAOVE_FILE_KEYS lists keys, newest first (MultiFernet): add a new key in
front, run `manage.py rotate_file_keys`, then drop the old one."""

import io
from functools import cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ENCRYPTED_SUFFIX = ".enc"
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


def _local_key() -> str:
    """The embedded default keeps a generated key under var/, like its secret key."""
    path = Path(settings.BAOVE_VAR_DIR) / "file_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Fernet.generate_key().decode(), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


@cache
def _fernet() -> MultiFernet:
    keys = [key.strip() for key in settings.BAOVE_FILE_KEYS if key.strip()]
    if not keys:
        if not settings.DEBUG and getattr(settings, "BAOVE_REQUIRE_FILE_KEYS", False):
            raise ImproperlyConfigured("BAOVE_FILE_KEYS must be set in production.")
        keys = [_local_key()]
    return MultiFernet([Fernet(key.encode()) for key in keys])


def encrypt(content: bytes) -> bytes:
    return _fernet().encrypt(content)


def decrypt(stored: bytes) -> bytes:
    return _fernet().decrypt(stored)


def rotate(stored: bytes) -> bytes:
    return _fernet().rotate(stored)


def read(field_file) -> bytes:
    """The original bytes of a stored upload; files kept before encryption (no suffix) are read as they are."""
    with field_file.open("rb") as handle:
        stored = handle.read()
    if not field_file.name.endswith(ENCRYPTED_SUFFIX):
        return stored
    try:
        return decrypt(stored)
    except InvalidToken as error:
        raise ImproperlyConfigured("An upload cannot be decrypted: is its key still in BAOVE_FILE_KEYS?") from error


class DamagedImage(ValueError):
    """The bytes claim to be an image but cannot be decoded."""


def strip_metadata(content: bytes, mime: str) -> bytes:
    """Re-encode an image without its EXIF, XMP, GPS or text chunks; other files are left as they are."""
    if mime not in IMAGE_FORMATS:
        return content
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        return _reencode(Image, ImageOps, content, mime)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise DamagedImage(str(error)) from error


def _reencode(Image, ImageOps, content: bytes, mime: str) -> bytes:
    with Image.open(io.BytesIO(content)) as image:
        upright = ImageOps.exif_transpose(image)  # keep the orientation the metadata described
        upright.info.clear()
        out = io.BytesIO()
        options = {"quality": 90} if IMAGE_FORMATS[mime] in ("JPEG", "WEBP") else {}
        upright.save(out, format=IMAGE_FORMATS[mime], **options)
    return out.getvalue()
