"""Files on a case: checked by their content and size, stripped of metadata, encrypted at rest."""

import hashlib

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from audit.recorder import record
from config import files
from config.uploads import checked_upload

from .. import access, events
from ..models import Attachment, CaseFile
from .offline import once


def store_attachment(
    *, actor, case: CaseFile, upload, description: str = "", assignment=None, idempotency_key=None
) -> Attachment:
    """Check an upload by its content and size, and store it under a random name."""
    content, mime = checked_upload(upload)
    attachment = Attachment(
        case=case,
        assignment=assignment,
        original_name=upload.name[:255],
        content_type=mime,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        description=description,
        uploaded_by=actor,
        idempotency_key=idempotency_key,
    )
    # A random name on disk, encrypted content: the user's file name is kept only in the database.
    attachment.file.save(
        get_random_string(32) + files.ENCRYPTED_SUFFIX, ContentFile(files.encrypt(content)), save=False
    )
    attachment.save()
    record("create", "attachment", attachment.pk, case=case, fields={"sha256": attachment.sha256}, actor=actor)
    return attachment


def attachment_add(*, actor, case: CaseFile, upload, description: str = "", idempotency_key=None) -> Attachment:
    """IDEMPOTENCY_KEY: a second upload with the same key returns the first file."""
    return once(
        lambda: _attachment_add(actor, case, upload, description, idempotency_key),
        model=Attachment,
        key=idempotency_key,
        owner_field="uploaded_by",
        actor=actor,
        scope={"case_id": case.pk},
    )


@transaction.atomic
def _attachment_add(actor, case: CaseFile, upload, description: str, idempotency_key) -> Attachment:
    if not access.can_edit(actor, case):
        raise PermissionDenied(_("Your role does not allow changes to this case file."))
    attachment = store_attachment(
        actor=actor, case=case, upload=upload, description=description, idempotency_key=idempotency_key
    )
    events.file_attached_event(case=case, actor=actor, attachment=attachment)
    return attachment
