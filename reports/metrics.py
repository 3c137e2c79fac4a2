"""The operators' figure of periodic reports: how many units' reports of each recent period are in each state,
computed when Prometheus scrapes (config/metrics.py) on the (period_code, status) index."""

import datetime

from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily

from .models import PeriodicReport, ReportStatus

RECENT = datetime.timedelta(days=400)  # the periods of the last year and the one in progress


def collect(*, now: datetime.datetime):
    family = GaugeMetricFamily(
        "baove_periodic_reports",
        "Periodic reports of the recent periods, by period and state (submitted, accepted, returned, draft).",
        labels=["period", "status"],
    )
    rows = list(
        PeriodicReport.objects.filter(period_end__gte=(now - RECENT).date())
        .values_list("period_code", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # Every state of every listed period, 0 where none: a graph shows a period's submissions rise from 0.
    counts = {(period, status): 0 for period, _, _ in rows for status in ReportStatus.values}
    counts.update({(period, status): n for period, status, n in rows})
    for (period, status), count in sorted(counts.items()):
        family.add_metric([period, status], count)
    yield family
