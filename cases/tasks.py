"""Celery tasks of the cases app: idempotent, safe to run twice or late."""

import hashlib

from celery import shared_task
from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.services import notify, worded

from .hotline import is_hotline_report
from .models import CaseFile, Report
from .selectors.hotline import statuses_of


@shared_task(ignore_result=True)
def pseudonymise_expired() -> dict:
    """Every night: pseudonymise the case files closed more than RETENTION_YEARS ago."""
    from .services.retention import pseudonymise_expired as run

    return run()


@shared_task(ignore_result=True)
def contact_rules_ensure() -> dict:
    """Every night: each open case file has its no-contact rule running with its province's N, no closed one has."""
    from django.db import transaction

    from .contacts import rules_ensure

    with transaction.atomic():
        changed, stopped = rules_ensure()
    return {"set": changed, "stopped": stopped}


@shared_task(ignore_result=True)
def hotline_status_tell(case_id: int) -> int:
    """Tell the hotline's account (and so its webhook) that a report it passed on changed; idempotent: the
    notice's key is the status and the limits' outcomes, so the same state is told once."""
    return hotline_tell(case_id)


def hotline_tell(case_id: int) -> int:
    """One notice per new combination of status and limits' outcomes (its key), to the account that
    passed the report on. Returns the notices written (0: nothing new to tell)."""
    case = CaseFile.objects.select_related("report__received_by").filter(pk=case_id).first()
    if case is None or not is_hotline_report(case):
        return 0
    report = case.report
    (status,) = statuses_of(Report.objects.filter(pk=report.pk))
    outcomes = [
        (case_status.reference, case_status.status, [(lim.kind, lim.outcome) for lim in case_status.limits])
        for case_status in status.cases
    ]
    digest = hashlib.sha256(repr((status.status, outcomes)).encode()).hexdigest()[:32]
    # Codes, as the hotline's system reads them: the same in every language.
    lines = [
        f"{case_status.reference}: {case_status.status}; "
        + "; ".join(f"{limit.kind}={limit.outcome}" for limit in case_status.limits)
        for case_status in status.cases
    ]
    notice = notify(
        user=report.received_by,
        **worded(
            lambda: (
                _("[%(reference)s] Report passed on: %(status)s")
                % {"reference": report.external_reference or report.pk, "status": str(status.status_label)},
                "\n".join(lines),
            )
        ),
        url=reverse("api-hotline-report", args=[report.pk]),
        key=f"hotline:{report.pk}:{digest}",
    )
    return 1 if notice is not None else 0


@shared_task(ignore_result=True)
def export_build(export_id: int) -> str:
    """Build an export's file (idempotent: claimed before the work)."""
    from .services.exports import export_build as build

    return build(export_id)


@shared_task(ignore_result=True)
def exports_tend() -> dict:
    """Every ten minutes: expired exports' files deleted, lost builds queued again."""
    from .services.exports import exports_tend as tend

    return tend()


@shared_task(ignore_result=True)
def register_import_check(register_import_id: int) -> str:
    """Check every row of an uploaded register (idempotent: claimed with a lease; a second run starts over)."""
    from .services.register_import import register_check

    return register_check(register_import_id)


@shared_task(ignore_result=True)
def register_import_run(register_import_id: int) -> str:
    """Import a checked register's good rows in one transaction (idempotent: row keys, and the claim)."""
    from .services.register_import import register_import_run as run

    return run(register_import_id)


@shared_task(ignore_result=True)
def register_uploads_forget() -> int:
    """Every night: uploaded registers older than 30 days lose the children's data they hold (idempotent)."""
    from .services.register_import import register_uploads_forget as run

    return run()
