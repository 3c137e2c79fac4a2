"""Reports from the community: a collaborator's short form and the public reporting page. Each lands in
its commune's work list "to verify"; the officer records it as a report (Mẫu 01) or closes it."""

import hashlib
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from agencies.access import province_pk_of
from agencies.models import AdministrativeUnit
from audit.recorder import record
from config import files
from config.uploads import checked_upload
from notifications import phones
from notifications.services import NotificationDraft, notify_many, worded

from .. import access, handoffs
from ..models import Attachment, CommunityReport, CommunityReportStatus, CommunitySource, Report, Urgency
from ..receipts import receipt_digest, receipt_make
from .offline import once

# A photo from a phone: an image, a few megabytes at most (the attachments' 20 MB is for documents).
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
PHOTO_MAX_BYTES = 8 * 1024 * 1024
WHAT_MAX = 2000


@dataclass
class CommunityReportInput:
    commune: AdministrativeUnit | None
    child: str
    place: str
    what: str
    urgency: str
    hamlet: AdministrativeUnit | None = None
    reporter_name: str = ""
    reporter_phone: str = ""
    photo: object = None  # an uploaded file, optional


def _validate(data: CommunityReportInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    commune = data.commune
    if commune is None or commune.level != "commune" or not commune.is_active:
        errors["commune"] = [_("Choose the commune, ward or special zone where the child lives.")]
    elif data.hamlet is not None and data.hamlet.parent_id != commune.pk:
        errors["hamlet"] = [_("This hamlet is not in the chosen commune.")]
    if not data.child.strip():
        errors["child"] = [_("Say who the child is: a name, or a few words (age, whose child).")]
    if not data.place.strip():
        errors["place"] = [_("Say where the child is or where it happened.")]
    if not data.what.strip():
        errors["what"] = [_("Say what happened.")]
    elif len(data.what) > WHAT_MAX:
        errors["what"] = [_("Keep it under %(count)s characters.") % {"count": WHAT_MAX}]
    if data.urgency not in Urgency.values:
        errors["urgency"] = [_("Choose how urgent it is.")]
    if data.reporter_phone and not phones.plausible(data.reporter_phone):
        errors["reporter_phone"] = [phones.NOT_A_NUMBER]
    return errors


def _photo_store(found: CommunityReport, upload) -> None:
    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError(
            {"photo": [_("The photo is larger than %(limit)s MB.") % {"limit": PHOTO_MAX_BYTES // (1024 * 1024)}]}
        )
    content, mime = checked_upload(upload, field="photo")
    if mime not in PHOTO_TYPES:
        raise ValidationError({"photo": [_("Only a photo (JPEG, PNG or WebP) can be sent.")]})
    found.photo_type = mime
    found.photo.save(get_random_string(32) + files.ENCRYPTED_SUFFIX, ContentFile(files.encrypt(content)), save=False)


def community_report_submit(*, actor, data: CommunityReportInput, idempotency_key=None) -> tuple[CommunityReport, str]:
    """A report from a collaborator (ACTOR) or from the public (ACTOR None). Returns it and, for the public,
    the receipt code to show once (only its digest is kept).
    IDEMPOTENCY_KEY: a collaborator's phone that recorded it offline; a second send with the same key
    returns the first report and sends nothing twice (the public page has no key: its receipt is shown once)."""
    if actor is None or idempotency_key is None:
        return _submit(actor, data, None)
    found = once(
        lambda: _submit(actor, data, idempotency_key)[0],
        model=CommunityReport,
        key=idempotency_key,
        owner_field="submitted_by",
        actor=actor,
    )
    return found, ""


@transaction.atomic
def _submit(actor, data: CommunityReportInput, idempotency_key) -> tuple[CommunityReport, str]:
    errors = _validate(data)
    if actor is not None and not errors:
        places = access.collaborator_places(actor)
        if not places:
            raise PermissionDenied(_("Only a collaborator of a hamlet can send this form."))
        if not any(commune.pk == data.commune.pk for commune, _hamlet in places):
            errors["commune"] = [_("You report for your own commune only.")]
    if errors:
        raise ValidationError(errors)
    code = "" if actor is not None else receipt_make()
    found = CommunityReport(
        source=CommunitySource.PUBLIC if actor is None else CommunitySource.COLLABORATOR,
        commune=data.commune,
        hamlet=data.hamlet,
        child=data.child.strip(),
        place=data.place.strip(),
        what=data.what.strip(),
        urgency=data.urgency,
        reporter_name=data.reporter_name.strip(),
        reporter_phone=data.reporter_phone.strip(),
        submitted_by=actor,
        receipt_digest=receipt_digest(code) if code else "",
        received_at=timezone.now(),
        idempotency_key=idempotency_key,
    )
    if data.photo is not None:
        _photo_store(found, data.photo)
    found.full_clean(exclude=["photo", "commune", "hamlet", "submitted_by"])
    found.save()
    record("create", "community_report", found.pk, actor=actor, fields={"source": found.source})
    _announce(found)
    return found, code


def _announce(found: CommunityReport) -> None:
    """Tell the commune's officers: a report waits to be verified (urgent when the child is in danger now).
    No child's name: the message may travel by email, SMS or Zalo."""
    officers = list(get_user_model().objects.filter(pk__in=handoffs.commune_officer_ids(found.commune), is_active=True))
    words = worded(
        lambda: (
            _("New report to verify – %(commune)s (%(source)s)")
            % {"commune": found.commune.name, "source": found.get_source_display()},
            str(found.get_urgency_display()),
        )
    )
    drafts = [
        NotificationDraft(
            user=officer,
            **words,
            url=reverse("cases:community_detail", args=[found.pk]),
            is_urgent=found.urgency == Urgency.DANGER_NOW,
            key=f"community-report:{found.pk}",
            province_id=province_pk_of(found.commune),
        )
        for officer in officers
    ]
    notify_many(drafts)


def _lock(found: CommunityReport) -> CommunityReport:
    return CommunityReport.objects.select_for_update().select_related("commune").get(pk=found.pk)


@transaction.atomic
def community_report_close(*, actor, community_report: CommunityReport, reason: str) -> CommunityReport:
    """Close a report from the community without a case file (not verified, not a child-protection matter)."""
    found = _lock(community_report)
    if not access.is_commune_officer_of(actor, found.commune):
        raise PermissionDenied(_("Only the commune's officer verifies reports from the community."))
    if found.status != CommunityReportStatus.TO_VERIFY:
        raise ValidationError(_("This report was already handled."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why it is closed.")]})
    found.status = CommunityReportStatus.CLOSED
    found.closing_reason = reason.strip()
    found.handled_by, found.handled_at = actor, timezone.now()
    found.save(update_fields=["status", "closing_reason", "handled_by", "handled_at"])
    record("close", "community_report", found.pk, actor=actor)
    return found


def community_report_link(*, actor, community_report: CommunityReport, report: Report) -> None:
    """Inside the transaction that recorded REPORT from it: mark it recorded, and put its photo on the
    first case file (encrypted as it is; it was checked when it arrived)."""
    found = _lock(community_report)
    if found.status != CommunityReportStatus.TO_VERIFY:
        raise ValidationError(_("This report was already handled."))
    found.status, found.report = CommunityReportStatus.RECORDED, report
    found.handled_by, found.handled_at = actor, timezone.now()
    found.save(update_fields=["status", "report", "handled_by", "handled_at"])
    record("record", "community_report", found.pk, actor=actor, fields={"report": report.pk})
    case = report.case_files.order_by("pk").first()
    if found.photo and case is not None:
        content = files.read(found.photo)
        extension = {"image/png": ".png", "image/webp": ".webp"}.get(found.photo_type, ".jpg")
        attachment = Attachment(
            case=case,
            original_name=f"anh-bao-tin-{found.pk}{extension}",
            content_type=found.photo_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            description=_("Photo sent with the report"),
            uploaded_by=actor,
        )
        attachment.file.save(
            get_random_string(32) + files.ENCRYPTED_SUFFIX, ContentFile(files.encrypt(content)), save=False
        )
        attachment.save()
        record("create", "attachment", attachment.pk, case=case, fields={"sha256": attachment.sha256}, actor=actor)
