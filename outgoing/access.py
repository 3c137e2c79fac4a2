"""Who may see the register and open its documents.

The register (numbers, dates, summaries: no personal data) is seen by the staff who write and follow
documents where their jurisdiction covers the issuing unit. A document's file is opened through the rule of
the app that issued it (a case file's form only by who may see the case file): outsiders get 404."""

from django.db.models import Q, QuerySet
from django.http import Http404

from agencies.access import jurisdiction_of
from agencies.models import Role
from audit.models import AuditAction, AuditObject
from audit.recorder import record

from .models import OutgoingDocument
from .subjects import subject_of, subjects

REGISTER_ROLES = frozenset({Role.COMMUNE_OFFICER, Role.CHAIRMAN, Role.COORDINATOR, Role.LEADER, Role.SYSTEM_ADMIN})


def may_see_register(user) -> bool:
    return not jurisdiction_of(user, REGISTER_ROLES).is_empty


def documents_visible_to(user) -> QuerySet[OutgoingDocument]:
    jurisdiction = jurisdiction_of(user, REGISTER_ROLES)
    documents = OutgoingDocument.objects.select_related("issuing_body", "issuing_body__unit")
    if jurisdiction.is_empty:
        return documents.none()
    if not jurisdiction.is_nationwide:
        documents = documents.filter(jurisdiction.q("issuing_body__unit__path") & Q(issuing_body__unit__isnull=False))
    # Entries whose summary names something the user may not see (a restricted case file, say) are left
    # out: the register must not tell that it exists.
    for kind, subject in subjects().items():
        if subject.visible_ids is not None:
            documents = documents.exclude(Q(subject_kind=kind) & ~Q(subject_id__in=subject.visible_ids(user)))
    return documents


def document_for_user(user, pk) -> OutgoingDocument:
    """An entry of the register the user may see, else 404."""
    document = documents_visible_to(user).filter(pk=pk).first()
    if document is None:
        record(AuditAction.DENIED, AuditObject.OUTGOING_DOCUMENT, pk)
        raise Http404
    return document


def document_file_for_user(user, pk) -> OutgoingDocument:
    """A document whose file the user may open: the register's rule, then the issuing app's own."""
    document = document_for_user(user, pk)
    subject = subject_of(document.subject_kind)
    if subject is not None and subject.check is not None:
        subject.check(user, document)
    return document


def may_sign(user, document: OutgoingDocument) -> bool:
    return document.signer_id is not None and document.signer_id == user.pk and not document.signed_pdf


def record_download(document: OutgoingDocument, *, signed: bool) -> None:
    record(AuditAction.DOWNLOAD, AuditObject.OUTGOING_DOCUMENT, document.pk, fields={"signed": signed})
