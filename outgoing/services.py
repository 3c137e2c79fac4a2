"""Writes of the register: a unit's default issuing body, issuing a numbered document, signing it."""

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from agencies.models import AdministrativeUnit, Role, StaffMembership, UnitLevel
from audit.models import AuditAction, AuditObject
from audit.recorder import record
from config import files
from config.pdf import RenderedPdf
from config.vietnamese import upper

from . import signing
from .models import DocumentKind, IssuingBody, OutgoingDocument, RegisterCounter, SigningDevice, SubjectKind
from .names import full_name, in_text, place_name


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _signer_of(unit: AdministrativeUnit | None):
    """The chairman of a commune (the one who signs its documents), when there is exactly one."""
    if unit is None:
        return None
    chairmen = list(
        StaffMembership.objects.filter(unit=unit, role=Role.CHAIRMAN, is_active=True).select_related("user")[:2]
    )
    return chairmen[0].user if len(chairmen) == 1 else None


MINISTRY = "Bộ Y tế (Cục Bà mẹ và Trẻ em)"


def signer_for(body: IssuingBody):
    """Who signs for BODY now: (user or None, name). A unit's default body is signed by its chairman of
    today (a chairman replaced since the body was made signs in their own name); a configured body by
    the person set on it."""
    if body.is_default and body.unit_id is not None:
        chairman = _signer_of(body.unit)
        if chairman is not None:
            return chairman, chairman.get_full_name()
    return body.signer, body.signer_name


def issuing_body_default(unit: AdministrativeUnit | None) -> IssuingBody:
    """The unit's default issuer; made from the unit when none is configured yet: its People's Committee
    ("ỦY BAN NHÂN DÂN" / "TỈNH TÂY NINH"), signed "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH". The country's default
    is the Ministry of Health's department for children, to be configured."""
    existing = IssuingBody.objects.filter(unit=unit, is_default=True).first()
    if existing:
        return existing
    if unit is None:
        defaults = {
            "superior_name": "BỘ Y TẾ",
            "name": "CỤC BÀ MẸ VÀ TRẺ EM",
            "text_name": "Cục Bà mẹ và Trẻ em",
            "symbol": "BMTE",
            "place": "Hà Nội",
            "authority": "",
            "signer_title": "CỤC TRƯỞNG",
        }
    else:
        parent = unit.parent
        superior = ""
        if unit.level == UnitLevel.INTERMEDIATE and parent is not None:
            superior = upper(f"UBND {full_name(parent)}")  # Decree 30 lets the superior body be abbreviated
        # Sent up to the People's Committee above: an intermediate level (a former district, abolished as a
        # level of government in 2025) has none, so a commune under one writes to its province.
        addressee = parent
        while addressee is not None and addressee.level == UnitLevel.INTERMEDIATE:
            addressee = addressee.parent
        defaults = {
            "superior_name": superior,
            "name": "ỦY BAN NHÂN DÂN\n" + upper(full_name(unit)),
            "text_name": "Ủy ban nhân dân " + in_text(full_name(unit)),
            "symbol": "UBND",
            "place": place_name(unit),
            "authority": "TM. ỦY BAN NHÂN DÂN",
            "signer_title": "CHỦ TỊCH",
            "recipients": "\n".join(
                [
                    f"Ủy ban nhân dân {in_text(full_name(addressee))}" if addressee else MINISTRY,
                    "Lưu: VT",
                ]
            ),
        }
        signer = _signer_of(unit)
        if signer is not None:
            defaults["signer"], defaults["signer_name"] = signer, signer.get_full_name()
    body, _created = IssuingBody.objects.get_or_create(unit=unit, is_default=True, defaults=defaults)
    return body


def issuing_bodies_of(unit: AdministrativeUnit | None) -> list[IssuingBody]:
    """The bodies that may issue the unit's documents: its default first, then its departments."""
    default = issuing_body_default(unit)
    others = IssuingBody.objects.filter(unit=unit, is_active=True).exclude(pk=default.pk).order_by("name")
    return [default, *others]


def _next_number(body: IssuingBody, year: int) -> int:
    """The next number of BODY in YEAR, taken under the counter row's lock (held until the caller's
    transaction ends: a concurrent issue waits, then takes the following number)."""
    RegisterCounter.objects.bulk_create(
        [RegisterCounter(issuing_body=body, year=year)], ignore_conflicts=True
    )  # INSERT … ON CONFLICT DO NOTHING: two first issues of a year both find the row afterwards
    counter = RegisterCounter.objects.select_for_update().get(issuing_body=body, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


@dataclass(frozen=True)
class Issue:
    """What a document is, before it has a number. RENDER(number_symbol, issued_on) draws it with them."""

    kind: DocumentKind
    title: str
    subject_kind: SubjectKind
    subject_id: int
    subject_key: str
    render: object  # Callable[[str, date], RenderedPdf]
    signer_title: str = ""
    signer_name: str = ""
    signer: object = None
    issued_on: object = None  # the document's date (default: today)
    extra: dict = field(default_factory=dict)


def document_issue(*, actor, body: IssuingBody, issue: Issue) -> OutgoingDocument:
    """Give ISSUE the next number of BODY, render it with that number and keep the PDF in the register.

    Must run inside the caller's transaction (with whatever the issue freezes): if anything fails later,
    the number goes back with the rest."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("document_issue must run inside the transaction that issues the document")
    if not body.is_active:
        raise ValidationError(_("This issuing body is no longer active."))
    issued_on = issue.issued_on or timezone.localdate()
    year = timezone.localdate().year
    number = _next_number(body, year)
    symbol = f"{issue.kind}-{body.symbol}"
    rendered: RenderedPdf = issue.render(f"{number}/{symbol}", issued_on)
    document = OutgoingDocument(
        issuing_body=body,
        year=year,
        number=number,
        kind=issue.kind,
        symbol=symbol,
        issued_on=issued_on,
        title=issue.title[:500],
        subject_kind=issue.subject_kind,
        subject_id=issue.subject_id,
        subject_key=issue.subject_key,
        signer_title=issue.signer_title,
        signer_name=issue.signer_name,
        signer=issue.signer,
        pdf_sha256=sha256(rendered.content),
        signature_box=rendered.signature_box,
        created_by=actor,
    )
    document.pdf.save(_stored_name(document, "pdf"), ContentFile(files.encrypt(rendered.content)), save=False)
    document.full_clean(exclude=["pdf", "signed_pdf"])
    document.save()
    record(AuditAction.CREATE, AuditObject.OUTGOING_DOCUMENT, document.pk, fields={"number": document.number_symbol})
    return document


def _stored_name(document: OutgoingDocument, suffix: str) -> str:
    return f"{document.year}-{get_random_string(24)}.{suffix}{files.ENCRYPTED_SUFFIX}"


def document_pdf(document: OutgoingDocument, *, signed: bool = False) -> bytes:
    """The document's PDF as issued (or as signed), decrypted."""
    stored = document.signed_pdf if signed else document.pdf
    if not stored:
        raise FileNotFoundError(document.pk)
    return files.read(stored)


def devices_of(user) -> list[SigningDevice]:
    return list(SigningDevice.objects.filter(user=user, is_active=True).order_by("label"))


@transaction.atomic
def document_sign(*, actor, document: OutgoingDocument, device: SigningDevice, secret: str) -> OutgoingDocument:
    """Sign the issued PDF (PAdES) with the signer's device; the signature appears in the signer block.

    The issued PDF and its hash stay as they were: the signed copy is kept beside it with its own hash."""
    document = OutgoingDocument.objects.select_for_update().get(pk=document.pk)
    if document.signer_id is None or document.signer_id != actor.pk:
        raise PermissionDenied(_("Only the signer named on the document signs it."))
    if device.user_id != actor.pk or not device.is_active:
        raise PermissionDenied(_("This signing device is not yours."))
    if document.signed_pdf:
        raise ValidationError(_("This document is already signed."))
    signed = signing.sign(
        document_pdf(document),
        device=device,
        secret=secret,
        box=document.signature_box,
        reason=f"{document.get_kind_display()} số {document.number_symbol}",
        location=document.issuing_body.place,
    )
    document.signed_pdf.save(_stored_name(document, "signed.pdf"), ContentFile(files.encrypt(signed)), save=False)
    document.signed_sha256 = sha256(signed)
    document.signed_at, document.signed_by = timezone.now(), actor
    document.save(update_fields=["signed_pdf", "signed_sha256", "signed_at", "signed_by"])
    record(AuditAction.CHANGE, AuditObject.OUTGOING_DOCUMENT, document.pk, fields={"signed": True})
    return document
