"""Prometheus metrics of the Celery worker and beat, which the web's /metrics cannot see (other processes,
often other machines): tasks started, succeeded, failed and retried and their durations by task name, the
broker's queue lengths, and when beat last sent each periodic task.

Counted through Celery's signals by prometheus_client, in the process that runs the task: under the prefork
pool that is a pool process, so the worker needs PROMETHEUS_MULTIPROC_DIR (an empty folder) to read every
pool process's counts in one scrape, as gunicorn's workers do (docker-compose sets it). Served by the
worker's and beat's main process on CELERY_METRICS_LISTEN (`host:port`, e.g. `0.0.0.0:9808`; empty: not
served) to the scrapers config/metrics.py lets in (the METRICS_TOKEN bearer token or METRICS_ALLOWED_IPS).
Labels are task names, queue names, periodic task names and exception class names: never an argument.
"""

import logging
import os
import threading
import time
from collections.abc import Iterable
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import prometheus_client
from celery import signals
from kombu.exceptions import ChannelError
from prometheus_client.core import GaugeMetricFamily, Metric

logger = logging.getLogger(__name__)

TASK = ["task"]
# From a 10 ms notification to a 10-minute register import or export.
DURATION_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, float("inf"))

STARTED = prometheus_client.Counter("celery_task_started", "Tasks a worker started (a retry starts again).", TASK)
SUCCEEDED = prometheus_client.Counter("celery_task_succeeded", "Tasks that ended without an error.", TASK)
FAILED = prometheus_client.Counter(
    "celery_task_failed", "Tasks that ended with an error, by the error's class.", [*TASK, "exception"]
)
RETRIED = prometheus_client.Counter("celery_task_retried", "Tasks that asked to be run again later.", TASK)
DURATION = prometheus_client.Histogram(
    "celery_task_duration_seconds", "Time a task ran, whatever its end.", TASK, buckets=DURATION_BUCKETS
)
BEAT_SENT = prometheus_client.Counter("celery_beat_sent", "Periodic tasks beat sent to the broker.", ["periodic_task"])
BEAT_LAST_SENT = prometheus_client.Gauge(
    "celery_beat_last_sent_timestamp_seconds",
    "When beat last sent each periodic task (Unix time).",
    ["periodic_task"],
    multiprocess_mode="max",
)

_started_at: dict[str, float] = {}  # task id → monotonic start, in the process running the task


@signals.task_prerun.connect
def _task_started(sender=None, task_id=None, **_):
    STARTED.labels(sender.name).inc()
    _started_at[task_id] = time.monotonic()


@signals.task_postrun.connect
def _task_ended(sender=None, task_id=None, **_):
    started = _started_at.pop(task_id, None)
    if started is not None:
        DURATION.labels(sender.name).observe(time.monotonic() - started)


@signals.task_success.connect
def _task_succeeded(sender=None, **_):
    SUCCEEDED.labels(sender.name).inc()


@signals.task_failure.connect
def _task_failed(sender=None, exception=None, **_):
    FAILED.labels(sender.name, type(exception).__name__).inc()


@signals.task_retry.connect
def _task_retried(sender=None, **_):
    RETRIED.labels(sender.name).inc()


@signals.after_task_publish.connect
def _beat_sent(sender=None, headers=None, **_):
    """Beat marks what it sends (celery_beat_task); django-celery-beat names the entry (periodic_task_name)."""
    if headers and headers.get("celery_beat_task"):
        name = headers.get("periodic_task_name") or sender
        BEAT_SENT.labels(name).inc()
        BEAT_LAST_SENT.labels(name).set(time.time())


@signals.worker_process_shutdown.connect
def _pool_process_exited(pid=None, **_):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid or os.getpid())


class QueueLengths:
    """Messages waiting in the broker for a worker, by queue, counted when scraped (kombu's passive declare:
    the length of the Redis list and its priority lists). The broker not answering is said, not raised."""

    def __init__(self, app):
        self.app = app

    def collect(self) -> Iterable[Metric]:
        lengths = GaugeMetricFamily(
            "celery_queue_length", "Messages waiting in the broker for a worker, by queue.", labels=["queue"]
        )
        up = GaugeMetricFamily("celery_broker_up", "1 when the broker answered this scrape's queue lengths.")
        connection = self.app.connection_for_read()
        try:
            connection.connect()
            channel = connection.channel()
            for name in sorted(self.app.amqp.queues):
                lengths.add_metric([name], self._waiting(channel, name))
            channel.close()
        except (OSError, *connection.connection_errors, *connection.channel_errors) as error:
            logger.warning("celery metrics: the broker did not answer: %s", type(error).__name__)
            up.add_metric([], 0)
        else:
            up.add_metric([], 1)
            yield lengths
        finally:
            connection.release()
        yield up

    @staticmethod
    def _waiting(channel, name: str) -> int:
        try:
            return channel.queue_declare(queue=name, passive=True).message_count
        except ChannelError:  # Redis keeps no empty list: a queue with nothing waiting does not exist
            return 0


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # every scrape would be a log line
        pass


def _application(*registries: prometheus_client.CollectorRegistry):
    from django.conf import settings
    from django.utils import translation

    from config.metrics import client_allowed, refusal

    def application(environ, start_response):
        allowed = client_allowed(
            authorization=environ.get("HTTP_AUTHORIZATION", ""), address=environ.get("REMOTE_ADDR", "")
        )
        if not allowed:
            logger.warning("celery metrics: scrape refused (no valid token, address not allowed)")
            with translation.override(settings.LANGUAGE_CODE):
                message = f"{refusal()}\n".encode()
            start_response("403 Forbidden", [("Content-Type", "text/plain; charset=utf-8")])
            return [message]
        body = b"".join(prometheus_client.generate_latest(registry) for registry in registries)
        start_response("200 OK", [("Content-Type", prometheus_client.CONTENT_TYPE_LATEST)])
        return [body]

    return application


def serve(*registries: prometheus_client.CollectorRegistry) -> WSGIServer | None:
    """Serve the registries on CELERY_METRICS_LISTEN in a thread of this process; None when not configured
    (no address, or neither a token nor allowed addresses) or when the address is taken."""
    from django.conf import settings

    from config.metrics import client_allowed

    listen = settings.CELERY_METRICS_LISTEN
    if not listen:
        return None
    if client_allowed(authorization="", address="") is None:
        logger.warning("celery metrics: not served: set METRICS_TOKEN or METRICS_ALLOWED_IPS")
        return None
    host, _, port = listen.rpartition(":")
    try:
        server = make_server(host, int(port), _application(*registries), _Server, _QuietHandler)
    except OSError as error:  # a second process on one machine (beat embedded in a worker)
        logger.warning("celery metrics: cannot listen on %s: %s", listen, error)
        return None
    threading.Thread(target=server.serve_forever, name="celery-metrics", daemon=True).start()
    logger.info("celery metrics: served on %s", listen)
    return server


@signals.worker_ready.connect
def _serve_worker(sender=None, **_):
    from config.metrics import process_registry

    queues = prometheus_client.CollectorRegistry(auto_describe=False)
    queues.register(QueueLengths(sender.app))
    serve(process_registry(), queues)


@signals.beat_init.connect
def _serve_beat(sender=None, **_):
    from config.metrics import process_registry

    serve(process_registry())
