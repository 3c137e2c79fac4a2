"""A PDF rendering is claimed with a lease: a worker that dies mid-rendering, or a message the broker
lost, does not leave the page waiting for ever, and a hopeless rendering ends as "failed"."""

import datetime

import pytest
from django.utils import timezone

from notifications.models import OutboxMessage
from reports import services
from reports.models import PeriodicReport
from reports.periods import parse
from reports.tasks import LEASE, MAX_ATTEMPTS, QUEUE_WAIT, redrive, render_preview

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(cast, tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return services.report_draft(actor=cast.chairman, unit=tree.commune_c1, period=parse("2026-H1"))


def _state(report):
    row = PeriodicReport.objects.get(pk=report.pk)
    return row.preview_state, row.preview_attempts


def _queued_messages(report):
    return OutboxMessage.objects.filter(task="reports.tasks.render_preview", args=[report.pk]).count()


def test_a_request_queues_once_with_a_wait_and_a_duplicate_message_does_nothing(cast, draft):
    before = timezone.now()
    services.preview_request(actor=cast.chairman, report=draft)
    services.preview_request(actor=cast.chairman, report=draft)  # a second tap while it waits
    row = PeriodicReport.objects.get(pk=draft.pk)
    assert (row.preview_state, _queued_messages(draft)) == ("queued", 1)
    assert before + QUEUE_WAIT <= row.preview_lease_until <= timezone.now() + QUEUE_WAIT
    assert render_preview(draft.pk) == "done"
    assert render_preview(draft.pk) == "skipped"
    assert _state(draft) == ("done", 1)
    assert PeriodicReport.objects.get(pk=draft.pk).preview_lease_until is None


def test_a_live_claim_is_left_alone_and_a_dead_one_is_queued_again(cast, draft):
    services.preview_request(actor=cast.chairman, report=draft)
    now = timezone.now()
    # A worker claimed it and died (SIGKILL) before finishing: state "running", lease set.
    PeriodicReport.objects.filter(pk=draft.pk).update(
        preview_state="running", preview_attempts=1, preview_lease_until=now + LEASE
    )
    assert render_preview(draft.pk) == "skipped"  # another message while the claim is alive
    assert redrive(now=now + LEASE - datetime.timedelta(seconds=1)) == {"requeued": 0, "given_up": 0}
    assert redrive(now=now + LEASE + datetime.timedelta(seconds=1)) == {"requeued": 1, "given_up": 0}
    assert _state(draft) == ("queued", 1)
    assert _queued_messages(draft) == 2
    assert render_preview(draft.pk) == "done"
    assert _state(draft) == ("done", 2)
    assert redrive(now=now + 2 * LEASE) == {"requeued": 0, "given_up": 0}


def test_a_lost_message_is_queued_again_after_the_wait(cast, draft):
    services.preview_request(actor=cast.chairman, report=draft)
    now = timezone.now()
    assert redrive(now=now) == {"requeued": 0, "given_up": 0}
    assert redrive(now=now + QUEUE_WAIT + datetime.timedelta(seconds=1)) == {"requeued": 1, "given_up": 0}
    assert _queued_messages(draft) == 2


def test_a_rendering_that_kills_its_worker_every_time_ends_as_failed_and_can_be_asked_again(cast, draft, client):
    services.preview_request(actor=cast.chairman, report=draft)
    later = timezone.now() + datetime.timedelta(days=1)
    PeriodicReport.objects.filter(pk=draft.pk).update(
        preview_state="running", preview_attempts=MAX_ATTEMPTS, preview_lease_until=timezone.now()
    )
    assert redrive(now=later) == {"requeued": 0, "given_up": 1}
    assert _state(draft) == ("failed", MAX_ATTEMPTS)
    client.force_login(cast.chairman)
    page = client.get(f"/reports/{draft.pk}/").content.decode()
    assert "Không tạo được tệp PDF" in page
    assert "WorkerLost" not in page
    services.preview_request(actor=cast.chairman, report=draft)  # the officer taps again
    assert _state(draft) == ("queued", 0)
    assert render_preview(draft.pk) == "done"


@pytest.mark.django_db(transaction=True)  # the files go when the rows commit
def test_a_new_preview_replaces_the_previous_file_and_a_late_duplicate_leaves_none(cast, draft, settings):
    """Each rendering of a draft leaves exactly one file: the earlier preview is removed when a new one
    is ready, and a rendering that outlived its lease and finishes second removes its own."""
    from pathlib import Path

    def files():
        return sorted(p.name for p in Path(settings.MEDIA_ROOT).rglob("*.pdf"))

    services.preview_request(actor=cast.chairman, report=draft)
    assert render_preview(draft.pk) == "done"
    first = PeriodicReport.objects.get(pk=draft.pk).preview_pdf.name
    assert files() == [Path(first).name]
    services.preview_request(actor=cast.chairman, report=draft)
    assert render_preview(draft.pk) == "done"
    second = PeriodicReport.objects.get(pk=draft.pk).preview_pdf.name
    assert second != first
    assert files() == [Path(second).name]
    # A rendering that finds the draft no longer "running" when it ends (another one finished first).
    PeriodicReport.objects.filter(pk=draft.pk).update(preview_state="queued")
    from unittest import mock

    manager = PeriodicReport.objects
    real = manager.select_for_update

    def finished_meanwhile(*args, **kwargs):
        PeriodicReport.objects.filter(pk=draft.pk).update(preview_state="done")
        return real(*args, **kwargs)

    with mock.patch.object(manager, "select_for_update", finished_meanwhile):
        assert render_preview(draft.pk) == "superseded"
    assert files() == [Path(second).name]
    assert PeriodicReport.objects.get(pk=draft.pk).preview_pdf.name == second
