"""Notes on a case file."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import access, events
from ..models import CaseFile, Note


@transaction.atomic
def note_add(*, actor, case: CaseFile, text: str) -> Note:
    if not access.can_edit(actor, case):
        raise PermissionDenied(_("Your role does not allow changes to this case file."))
    if not text.strip():
        raise ValidationError({"text": [_("The note is empty.")]})
    note = Note.objects.create(case=case, text=text, author=actor)
    events.note_added_event(case=case, actor=actor, note=note)
    return note
