"""/healthz: is the database reachable, is the Celery broker reachable. 503 when either is not."""

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu.exceptions import OperationalError as BrokerError

from config.celery import app as celery_app

logger = logging.getLogger(__name__)


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        logger.warning("health check: database unreachable: %s", type(error).__name__)
        return False, type(error).__name__
    return True, "ok"


def _broker_ok() -> tuple[bool, str]:
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=3)
    except (BrokerError, OSError) as error:
        logger.warning("health check: broker unreachable: %s", type(error).__name__)
        return False, type(error).__name__
    return True, "ok"


@never_cache
@require_GET
def healthz(request):
    database_ok, database_detail = _database_ok()
    broker_ok, broker_detail = _broker_ok()
    healthy = database_ok and broker_ok
    body = {
        "status": "ok" if healthy else "unavailable",
        "database": database_detail,
        "broker": broker_detail,
    }
    return JsonResponse(body, status=200 if healthy else 503)
