"""/metrics for Prometheus: django-prometheus's request, database and cache metrics, and BaoVe's own
figures computed at scrape time by the collectors listed in BAOVE_METRIC_COLLECTORS (one per app:
`notifications.metrics.collect`, `reports.metrics.collect`…).

Not public: the endpoint answers only a scraper that sends `Authorization: Bearer <METRICS_TOKEN>` or comes
from an address in METRICS_ALLOWED_IPS (addresses or networks); with neither set it is not served at all
(404). Counts only: no name, no number, no identifier of a person or a case is ever a label.

Under gunicorn each worker counts its own requests: with PROMETHEUS_MULTIPROC_DIR set, the workers write
their counters there and a scrape of any worker reads them all (prometheus_client's multiprocess mode;
config/gunicorn.py removes a dead worker's files).
"""

import hmac
import ipaddress
import logging
import os
from collections.abc import Callable, Iterable
from functools import cache

import prometheus_client
from django.conf import settings
from django.db import DatabaseError
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric

logger = logging.getLogger(__name__)

Collect = Callable[..., Iterable[Metric]]


class _Figures:
    """A collector of the figures of every registered app, computed when scraped. A collector whose database
    is unreachable is left out (baove_figures_up 0 for it): the request, database and cache metrics still
    show the operator what happens."""

    def __init__(self, collectors: dict[str, Collect]):
        self.collectors = collectors

    def collect(self) -> Iterable[Metric]:
        now = timezone.now()
        up = GaugeMetricFamily(
            "baove_figures_up", "1 when the collector's figures could be computed at this scrape.", labels=["collector"]
        )
        for path, collect in self.collectors.items():
            try:
                families = list(collect(now=now))
            except DatabaseError as error:
                logger.warning("metrics: %s left out: %s", path, type(error).__name__)
                up.add_metric([path], 0)
                continue
            up.add_metric([path], 1)
            yield from families
        yield up


@cache
def _networks(allowed: tuple[str, ...]) -> tuple:
    """The allowed networks (the settings refuse to start on one that is not an address or a network)."""
    return tuple(ipaddress.ip_network(item, strict=False) for item in allowed)


def client_allowed(*, authorization: str, address: str) -> bool | None:
    """True or False for a scraper sending this Authorization header from this address; None when no way of
    scraping is configured (the endpoint does not exist). Also the rule of the Celery processes' metrics
    (config/celery_metrics.py)."""
    token = settings.METRICS_TOKEN
    networks = _networks(tuple(settings.METRICS_ALLOWED_IPS))
    if not token and not networks:
        return None
    if token:
        scheme, _, given = authorization.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return True
    if networks:
        try:
            parsed = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(parsed in network for network in networks)
    return False


def refusal() -> str:
    return _("This address or token may not read the operators' metrics.")


def _figures_registry() -> prometheus_client.CollectorRegistry:
    registry = prometheus_client.CollectorRegistry(auto_describe=False)
    registry.register(_Figures({path: import_string(path) for path in settings.BAOVE_METRIC_COLLECTORS}))
    return registry


def process_registry() -> prometheus_client.CollectorRegistry:
    """This process's metrics, or with PROMETHEUS_MULTIPROC_DIR those of every process writing there."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return prometheus_client.REGISTRY


@never_cache
@require_GET
def metrics(request):
    allowed = client_allowed(
        authorization=request.META.get("HTTP_AUTHORIZATION", ""), address=request.META.get("REMOTE_ADDR", "")
    )
    if allowed is None:
        raise Http404
    if not allowed:
        logger.warning("metrics: scrape refused (no valid token, address not allowed)")
        return HttpResponse(f"{refusal()}\n", status=403, content_type="text/plain; charset=utf-8")
    body = prometheus_client.generate_latest(process_registry()) + prometheus_client.generate_latest(
        _figures_registry()
    )
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
