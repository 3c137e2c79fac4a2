"""Notes on a case file."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import access, events
from ..models import CaseFile, Note
from .offline import once


def note_add(*, actor, case: CaseFile, text: str, idempotency_key=None) -> Note:
    """IDEMPOTENCY_KEY: a second send with the same key returns the first note."""
    return once(
        lambda: _note_add(actor, case, text, idempotency_key),
        model=Note,
        key=idempotency_key,
        owner_field="author",
        actor=actor,
        scope={"case_id": case.pk},
    )


@transaction.atomic
def _note_add(actor, case: CaseFile, text: str, idempotency_key) -> Note:
    if not access.can_edit(actor, case):
        raise PermissionDenied(_("Your role does not allow changes to this case file."))
    if not text.strip():
        raise ValidationError({"text": [_("The note is empty.")]})
    note = Note.objects.create(case=case, text=text, author=actor, idempotency_key=idempotency_key)
    events.note_added_event(case=case, actor=actor, note=note)
    return note
