from celery import shared_task


@shared_task
def ping() -> str:
    """Round trip through the broker and a worker; used by the health tests and by operators."""
    return "pong"
