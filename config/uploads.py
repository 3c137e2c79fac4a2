"""Checking an uploaded file before it is stored, the same for every app: by its own bytes and its
size, never by its name or the browser's claim; image metadata (GPS, camera, author) removed."""

import filetype
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import files

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
ALLOWED_TYPES = {
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/webp",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
}
# Voice notes recorded in the browser (Chromium records WebM, which reads as video/webm; Safari MP4),
# smaller than other files: two minutes of speech weigh a few hundred kilobytes.
VOICE_TYPES = {"audio/webm", "video/webm", "audio/ogg", "audio/mp4", "audio/mpeg", "audio/x-wav"}
MAX_VOICE_BYTES = 5 * 1024 * 1024


def sniff_file_type(head: bytes) -> str | None:
    """The MIME type read from the file's own bytes."""
    kind = filetype.guess(head)
    return kind.mime if kind else None


def checked_upload(upload, *, field: str = "file") -> tuple[bytes, str]:
    """The upload's content (metadata stripped) and its real type; a clear refusal on FIELD otherwise."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {field: [_("The file is larger than %(limit)s MB.") % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024)}]}
        )
    content = upload.read()
    mime = sniff_file_type(content[:8192])
    if mime not in ALLOWED_TYPES | VOICE_TYPES:
        raise ValidationError(
            {
                field: [
                    _(
                        "This kind of file is not accepted (its content is not a PDF, an image, an office document "
                        "or a voice recording)."
                    )
                ]
            }
        )
    if mime in VOICE_TYPES and len(content) > MAX_VOICE_BYTES:
        raise ValidationError(
            {field: [_("A voice note is larger than %(limit)s MB.") % {"limit": MAX_VOICE_BYTES // (1024 * 1024)}]}
        )
    try:
        content = files.strip_metadata(content, mime)
    except files.DamagedImage as error:
        raise ValidationError({field: [_("The image is damaged and cannot be read.")]}) from error
    return content, mime
