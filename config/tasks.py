"""Periodic checks of the system itself (the beat runs them from settings.CELERY_BEAT_SCHEDULE)."""

import logging

from celery import shared_task

from . import partitions, storage

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def files_check() -> dict:
    """Nightly: files on disk without a row and rows without their file, logged for the administrator."""
    result = storage.check()
    if result.is_clean:
        logger.info("files check: every file has its row and every row its file")
    else:
        # Names only (random on disk), never a person's name: the original file name stays in the database.
        logger.warning(
            "files check: %s file(s) without a row %s; %s row(s) without their file %s",
            len(result.files_without_rows),
            result.files_without_rows[:50],
            len(result.rows_without_files),
            result.rows_without_files[:50],
        )
    return result.as_dict()


@shared_task(ignore_result=True)
def partitions_ensure() -> list[str]:
    """Daily: the next months' partitions of the audit trail and the case timeline (idempotent)."""
    return partitions.ensure_partitions()
