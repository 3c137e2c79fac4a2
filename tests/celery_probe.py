"""Tasks that end each way, for the Celery metrics test: a worker loads them with `--include
tests.celery_probe` (the suite's own process imports them only in that test)."""

from celery import shared_task


@shared_task(name="tests.celery_probe.succeed")
def succeed() -> str:
    return "done"


@shared_task(name="tests.celery_probe.fail")
def fail() -> None:
    raise LookupError("the probe fails on purpose")


@shared_task(name="tests.celery_probe.retry_once", bind=True, max_retries=1, default_retry_delay=0)
def retry_once(self) -> str:
    if self.request.retries == 0:
        raise self.retry(countdown=0)
    return "done on the second run"


@shared_task(name="tests.celery_probe.tick")
def tick() -> None:
    """Sent by beat every second."""
