"""The database connection lost right after a report is committed, before its tasks are relayed.

Found by the soak (`make soak`): when PostgreSQL connections were ended (pg_terminate_backend) between
the commit of a report and the outbox's relay that runs after it, the relay's error escaped into the
request: the hotline got a 503 although its report was stored, and would post it again. Here the
request's own PostgreSQL backend is really ended at that moment.
"""

import json

import psycopg
import pytest
from django.db import connection, transaction
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.models import CaseFile, Report
from notifications import outbox
from notifications.models import Deadline, OutboxMessage
from tests.factories import AgencyFactory, MembershipFactory
from tests.security.test_degraded import _api_report

pytestmark = pytest.mark.django_db(transaction=True)


def _end_this_connection() -> None:
    """End the backend of Django's connection from another connection, as an administrator would."""
    pid = connection.connection.info.backend_pid
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"], dbname=settings["NAME"]
    ) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)


def test_an_enqueue_whose_connection_dies_after_the_commit_keeps_the_write_and_its_message():
    with transaction.atomic():
        transaction.on_commit(_end_this_connection)  # runs before the outbox's own hook
        message = outbox.enqueue("notifications.tasks.ping")
    # Nothing was raised, and the connection works again for the rest of the request.
    stored = OutboxMessage.objects.get(pk=message.pk)
    assert stored.sent_at is None  # left for the beat's relay
    assert stored.task == "notifications.tasks.ping"
    assert outbox.relay(ids=[message.pk]) == 1
    assert OutboxMessage.objects.get(pk=message.pk).sent_at is not None


def test_a_report_whose_connection_dies_after_the_commit_is_answered_201(tree, cast, default_ladders, monkeypatch):
    agency = AgencyFactory(agency_type__code="hotline_111", name="Tổng đài 111", unit=None)
    user = MembershipFactory(role="focal_point", agency=agency, unit=None).user
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    relay = outbox.relay
    ended = []

    def relay_after_the_connection_died(**kwargs):
        if not ended:
            ended.append(True)
            _end_this_connection()
        return relay(**kwargs)

    monkeypatch.setattr(outbox, "relay", relay_after_the_connection_died)
    response = client.post("/api/v1/reports/", json.dumps(_api_report("Lò Văn Páo")), content_type="application/json")
    assert ended == [True]
    assert response.status_code == 201, response.content[:500]
    case = CaseFile.objects.select_related("child").get(pk__in=response.json()["case_ids"])
    assert case.child.full_name == "Lò Văn Páo"
    assert Report.objects.count() == 1
    assert Deadline.objects.filter(target_id=case.pk, kind="emergency_decision").exists()
    # The report's tasks wait in the outbox; the beat's relay sends them.
    waiting = list(OutboxMessage.objects.filter(sent_at__isnull=True).values_list("pk", flat=True))
    assert waiting
    monkeypatch.setattr(outbox, "relay", relay)
    assert outbox.relay() == len(waiting)
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
