"""The transactional outbox: no task is lost when the broker (Redis) is down at the moment of a write.

`enqueue("app.tasks.name", arg, …)` inside the writing transaction stores the message; after the
commit it is published at once, and if that fails (broker down) it stays in the table for
`relay()`, which the beat runs every minute (notifications.tasks.relay_outbox).
"""

import datetime
import logging

from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)


def enqueue(task: str, *args) -> OutboxMessage:
    message = OutboxMessage.objects.create(task=task, args=list(args))
    transaction.on_commit(lambda: _relay_committed([message.pk]))
    return message


def enqueue_later(task: str, *args) -> OutboxMessage:
    """A task that may wait for the beat's relay (within a minute) rather than be published at the commit:
    a follow-up nobody waits on, so that a hung broker costs the request that wrote it nothing more."""
    return OutboxMessage.objects.create(task=task, args=list(args))


def _relay_committed(ids: list[int]) -> None:
    """Right after the commit: the data is saved whatever happens here, so nothing may fail the request
    (a client told 503 would send its report again). A database connection lost just after the commit
    (PostgreSQL restarted, connections ended) leaves the message for the beat's relay and drops the dead
    connection, so that the rest of the request opens a new one."""
    try:
        relay(ids=ids)
    except DatabaseError as error:
        logger.warning("outbox: the database went away after the commit, the periodic relay will send: %s", error)
        if connection.connection is not None and not connection.is_usable():
            connection.close()
    except Exception:
        logger.exception("outbox: relay after the commit failed, the periodic relay will send")


def relay(*, ids: list[int] | None = None, limit: int = 1000) -> int:
    """Publish unsent messages (those of IDS, or the oldest LIMIT); returns how many went out.

    Never raises for a broker failure: the request that committed the data must not fail after it.
    """
    from config.celery import app

    sent = 0
    with transaction.atomic():
        rows = OutboxMessage.objects.select_for_update(skip_locked=True).filter(sent_at__isnull=True)
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        messages = list(rows.order_by("created_at")[:limit])
        if not messages:
            return 0
        done = []
        try:
            with app.connection_for_write() as connection:
                producer = connection.Producer()
                for message in messages:
                    app.send_task(message.task, args=message.args, producer=producer, retry=False)
                    done.append(message.pk)
                    sent += 1
        except Exception as error:  # the broker's errors come from kombu, redis-py and the OS
            sent_ids = set(done)
            failed = [m.pk for m in messages if m.pk not in sent_ids]
            logger.warning("broker unavailable, %s task(s) kept in the outbox: %s", len(failed), error)
            OutboxMessage.objects.filter(pk__in=failed).update(
                attempts=F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"[:2000]
            )
        if done:
            OutboxMessage.objects.filter(pk__in=done).update(sent_at=timezone.now())
    return sent


def purge_sent(older_than_days: int = 7) -> int:
    cutoff = timezone.now() - datetime.timedelta(days=older_than_days)
    return OutboxMessage.objects.filter(sent_at__lt=cutoff).delete()[0]
