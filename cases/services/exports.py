"""Exports of personal data: asked for on a page, built by a task from the filter used (through the access
door, as the user), kept encrypted at rest until they expire, handed out to their owner in a ZIP encrypted
with a password chosen at download time (never stored, never logged, never sent to the broker)."""

import datetime
import logging
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.models import AuditObject
from audit.recorder import record, record_each
from config import files
from config.replicas import using_replica
from notifications.outbox import enqueue

from .. import access, exports, selectors
from ..models import Export, ExportFormat, ExportKind, ExportState

logger = logging.getLogger(__name__)

EXPIRY = datetime.timedelta(hours=24)
# A build of 50,000 rows takes seconds: a worker still "running" after LEASE has died, its build is queued again.
LEASE = datetime.timedelta(minutes=10)
MAX_ATTEMPTS = 3

# Where the rows of each kind come from: a kind of export is one line here and its columns in cases.exports.
SOURCES = {
    ExportKind.CASE_LIST: selectors.case_list_rows,
    ExportKind.AUDIT: selectors.audit_rows,
}
FILE_STEMS = {ExportKind.CASE_LIST: "ho-so-tre-em", ExportKind.AUDIT: "nhat-ky-truy-cap"}


@transaction.atomic
def export_request(*, actor, kind: str, file_format: str, query: str) -> Export:
    """Record the request (who, what, with which filter) and queue its build."""
    if kind == ExportKind.AUDIT:
        access.audit_scope(actor)  # 404 for anyone who may not search the trail
    elif not access.may_open_case_files(actor):
        raise Http404
    if file_format not in ExportFormat.values:
        raise ValidationError({"file_format": [_("Choose Excel (XLSX) or CSV.")]})
    export = Export(
        user=actor, kind=kind, file_format=file_format, query=query[:2000], expires_at=timezone.now() + EXPIRY
    )
    export.full_clean()
    export.save()
    record(
        "export",
        kind,
        export.pk,
        fields={"export": str(export.token), "query": export.query, "format": file_format, "step": "requested"},
        actor=actor,
    )
    enqueue("cases.tasks.export_build", export.pk)
    return export


def export_build(export_id: int, *, now: datetime.datetime | None = None) -> str:
    """Build the file. Idempotent: the build is claimed (committed) before the work; a duplicate message finds
    nothing to claim, and a claim whose lease ran out (the worker died) may be taken again."""
    now = now or timezone.now()
    claimable = Q(state=ExportState.QUEUED) | Q(state=ExportState.RUNNING, lease_until__lt=now)
    with transaction.atomic():
        claimed = (
            Export.objects.filter(claimable, pk=export_id, attempts__lt=MAX_ATTEMPTS, expires_at__gt=now)
            .update(state=ExportState.RUNNING, lease_until=now + LEASE, attempts=F("attempts") + 1)
        )  # fmt: skip
    if claimed != 1:
        return "skipped"
    export = Export.objects.select_related("user").get(pk=export_id)
    exported: list[int] = []  # the case files in the file, each recorded on its own trail once it is built
    try:
        # Read from the streaming replica when one is configured and up to date (config/replicas.py).
        with using_replica(), translation.override(settings.LANGUAGE_CODE):  # headings Vietnamese first
            rows = SOURCES[export.kind](export.user, export.query)
            if export.kind == ExportKind.CASE_LIST:
                rows = _noting_cases(rows, exported)
            output, count = exports.write(export.kind, export.file_format, rows)
        with output:
            content = files.encrypt(output.read())
    except Http404:
        # The user lost the right to this trail between the request and the build.
        Export.objects.filter(pk=export_id).update(state=ExportState.FAILED, error="NoAccess", lease_until=None)
        return "failed"
    except Exception as error:
        logger.exception("export %s could not be built", export_id)
        Export.objects.filter(pk=export_id).update(
            state=ExportState.FAILED, error=type(error).__name__[:200], lease_until=None
        )
        return "failed"
    export.file.save(f"{export.token}.{export.file_format}{files.ENCRYPTED_SUFFIX}", ContentFile(content), save=False)
    name, storage = export.file.name, export.file.storage
    with transaction.atomic():
        row = Export.objects.select_for_update().get(pk=export_id)
        if row.state != ExportState.RUNNING:
            transaction.on_commit(lambda: storage.delete(name))  # another build of it finished first
            return "superseded"
        Export.objects.filter(pk=export_id).update(
            file=name, state=ExportState.READY, row_count=count, lease_until=None
        )
        record(
            "export",
            export.kind,
            export.pk,
            fields={"export": str(export.token), "query": export.query, "format": export.file_format, "rows": count},
            actor=export.user,
        )
        record_each("export", AuditObject.CASE, exported, fields={"export": str(export.token)}, actor=export.user)
    return "done"


def _noting_cases(rows: Iterable[dict], exported: list[int]) -> Iterator[dict]:
    """ROWS as they are, the id of each case file noted in EXPORTED on the way."""
    for row in rows:
        exported.append(row["pk"])
        yield row


def export_file_name(export: Export) -> str:
    stamp = timezone.localtime(export.created_at).strftime("%Y%m%d-%H%M")
    return f"{FILE_STEMS.get(export.kind, 'xuat')}-{stamp}.{export.file_format}"


def export_package(*, actor, export: Export, password: str) -> tuple[str, bytes]:
    """The file in a ZIP encrypted with PASSWORD (AES-256), its download recorded. (zip name, bytes)"""
    if export.user_id != actor.pk:
        raise Http404
    if export.state != ExportState.READY or export.expires_at <= timezone.now() or not export.file:
        raise ValidationError(_("This export is not ready or has expired."))
    with export.file.open("rb") as handle:
        content = files.decrypt(handle.read())
    name = export_file_name(export)
    package = exports.encrypted_zip(name, content, password)
    record(
        "download",
        "export",
        export.pk,
        fields={"export": str(export.token), "kind": export.kind, "rows": export.row_count, "encrypted": True},
        actor=actor,
    )
    return name.rsplit(".", 1)[0] + ".zip", package


def exports_tend(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Periodic and idempotent: delete the files of expired exports (the row stays, marked expired, for the
    trail); queue again the builds whose message was lost or whose worker died, or give up on them."""
    now = now or timezone.now()
    expired = 0
    for export in Export.objects.filter(expires_at__lte=now).exclude(state=ExportState.EXPIRED):
        if export.file:
            export.file.storage.delete(export.file.name)
        expired += (
            Export.objects.filter(pk=export.pk)
            .exclude(state=ExportState.EXPIRED)
            .update(state=ExportState.EXPIRED, file="", lease_until=None)
        )
    stale = Export.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now),
        state__in=[ExportState.QUEUED, ExportState.RUNNING],
        expires_at__gt=now,
        created_at__lt=now - datetime.timedelta(minutes=2),
    )
    with transaction.atomic():
        given_up = stale.filter(attempts__gte=MAX_ATTEMPTS).update(
            state=ExportState.FAILED, error="WorkerLost", lease_until=None
        )
        ids = list(stale.values_list("pk", flat=True))
        Export.objects.filter(pk__in=ids).update(state=ExportState.QUEUED, lease_until=now + LEASE)
        for export_id in ids:
            enqueue("cases.tasks.export_build", export_id)
    return {"expired": expired, "requeued": len(ids), "given_up": given_up}
