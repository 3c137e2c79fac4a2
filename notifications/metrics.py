"""The operators' figures of deadlines, escalation and delivery, computed when Prometheus scrapes
(config/metrics.py). Each is one query on a partial index made for the scan or the relay (deadline_open_due_idx,
deadline_scan_idx, outbox_unsent_idx, delivery_state_idx), so a scrape stays cheap at national scale.
Counts and ages only: nothing names a person or a case."""

import datetime

from django.db.models import Count, Min, Q
from prometheus_client.core import GaugeMetricFamily

from .models import Deadline, DeadlineState, Delivery, DeliveryState, OutboxMessage

DUE_SOON = datetime.timedelta(hours=24)
BACKLOG_STATES = (DeliveryState.HELD, DeliveryState.PENDING, DeliveryState.SENDING)


def _age(now: datetime.datetime, since: datetime.datetime | None) -> float:
    return max(0.0, (now - since).total_seconds()) if since else 0.0


def collect(*, now: datetime.datetime):
    open_deadlines = Deadline.objects.filter(state=DeadlineState.OPEN)
    deadlines = open_deadlines.filter(due_at__lt=now + DUE_SOON).aggregate(
        overdue=Count("pk", filter=Q(due_at__lt=now)), due_soon=Count("pk", filter=Q(due_at__gte=now))
    )
    yield GaugeMetricFamily("baove_deadlines_overdue", "Open deadlines past their due time.", deadlines["overdue"])
    yield GaugeMetricFamily(
        "baove_deadlines_due_next_24h", "Open deadlines falling due in the next 24 hours.", deadlines["due_soon"]
    )

    # Escalation: steps whose time has come and that the beat's scan has not fired yet.
    steps = open_deadlines.filter(next_step_at__isnull=False, next_step_at__lte=now).aggregate(
        due=Count("pk"), oldest=Min("next_step_at")
    )
    yield GaugeMetricFamily("baove_escalation_steps_due", "Escalation steps due and not fired yet.", steps["due"])
    yield GaugeMetricFamily(
        "baove_escalation_lag_seconds",
        "Age of the oldest escalation step due and not fired yet (0 when the scan is up to date).",
        _age(now, steps["oldest"]),
    )

    outbox = OutboxMessage.objects.filter(sent_at__isnull=True).aggregate(unsent=Count("pk"), oldest=Min("created_at"))
    yield GaugeMetricFamily(
        "baove_outbox_unsent", "Tasks written to the outbox and not sent to the broker.", outbox["unsent"]
    )
    yield GaugeMetricFamily(
        "baove_outbox_oldest_unsent_age_seconds",
        "Age of the oldest task not sent to the broker.",
        _age(now, outbox["oldest"]),
    )

    backlog = GaugeMetricFamily(
        "baove_deliveries_backlog", "Deliveries through outside channels not sent yet, by state.", labels=["state"]
    )
    rows = dict(
        Delivery.objects.filter(state__in=BACKLOG_STATES).values_list("state").annotate(n=Count("pk")).order_by()
    )
    for state in BACKLOG_STATES:
        backlog.add_metric([state.value], rows.get(state, 0))
    yield backlog
    oldest_pending = Delivery.objects.filter(state=DeliveryState.PENDING).aggregate(oldest=Min("created_at"))["oldest"]
    yield GaugeMetricFamily(
        "baove_deliveries_oldest_pending_age_seconds",
        "Age of the oldest delivery waiting to be sent (held ones wait for working hours and are not counted).",
        _age(now, oldest_pending),
    )
    yield GaugeMetricFamily(
        "baove_deliveries_failed_24h",
        "Deliveries that failed for good in the last 24 hours.",
        Delivery.objects.filter(state=DeliveryState.FAILED, created_at__gte=now - DUE_SOON).count(),
    )
