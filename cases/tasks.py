"""Celery tasks of the cases app: idempotent, safe to run twice or late."""

from celery import shared_task


@shared_task(ignore_result=True)
def pseudonymise_expired() -> dict:
    """Every night: pseudonymise the case files closed more than RETENTION_YEARS ago."""
    from .services.retention import pseudonymise_expired as run

    return run()
