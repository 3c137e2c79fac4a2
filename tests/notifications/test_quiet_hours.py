"""Reminders respect the clock: held outside working hours and on non-working days, released at the start
of the next working period; an emergency (12-hour) step never waits. Deadlines themselves never move."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from cases.models import CaseFile
from notifications.engine import scan
from notifications.models import Deadline, Delivery, Notification, OutboxMessage, WebhookEndpoint, WorkingHours
from notifications.quiet import ReminderHours
from notifications.services import NotificationDraft, deadline_set, notify_many, release_held

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def _at(*args):
    return datetime.datetime(*args, tzinfo=HCM)


def test_the_next_working_period_after_a_night_of_tet():
    hours = ReminderHours([], _at(2026, 2, 20, 23, 30))  # 23:30 on the fourth day of Tết (a Friday)
    assert hours.release_at(None) == _at(2026, 2, 23, 7, 0)  # Monday 07:00, the first working day after
    assert ReminderHours([], _at(2026, 3, 10, 6, 15)).release_at(None) == _at(2026, 3, 10, 7, 0)
    assert ReminderHours([], _at(2026, 3, 10, 14, 0)).release_at(None) is None
    assert ReminderHours([], _at(2026, 3, 10, 21, 0)).release_at(None) == _at(2026, 3, 11, 7, 0)
    assert ReminderHours([], _at(2026, 3, 14, 10, 0)).release_at(None) == _at(2026, 3, 16, 7, 0)  # a Saturday


def test_a_province_sets_its_own_hours(tree):
    WorkingHours.objects.create(province=tree.province_p, starts=datetime.time(6, 30), ends=datetime.time(17, 0))
    hours = ReminderHours([tree.province_p.pk], _at(2026, 3, 10, 17, 30))
    assert hours.release_at(tree.province_p.pk) == _at(2026, 3, 11, 6, 30)
    assert hours.release_at(tree.province_q.pk) is None  # the default 07:00–21:00


def test_a_held_reminder_appears_and_is_sent_at_seven(cast):
    cast.officer.email = "officer@example.vn"
    cast.officer.save()
    WebhookEndpoint.objects.create(name="Cổng SMS", url="http://127.0.0.1:9/", secret="s", urgent_only=False)
    with time_machine.travel(_at(2026, 2, 20, 23, 30), tick=False):
        notify_many([NotificationDraft(user=cast.officer, title="[HS-1] Nhắc trình kế hoạch", may_hold=True)])
        notice = Notification.objects.get()
        assert notice.deliver_at == _at(2026, 2, 23, 7, 0)
        assert set(Delivery.objects.values_list("state", flat=True)) == {"held"}
        assert not OutboxMessage.objects.exists()  # nothing queued for the night
        client = Client()
        client.force_login(cast.officer)
        assert 'data-testid="unread-count"' not in client.get("/").content.decode()
        assert release_held() == 0
    with time_machine.travel(_at(2026, 2, 23, 7, 0, 30), tick=False):
        assert release_held() == 1
        assert set(Delivery.objects.values_list("state", flat=True)) == {"pending"}
        assert OutboxMessage.objects.count() == 1
        assert release_held() == 0  # released once
        client.force_login(cast.officer)  # the night's session has timed out
        assert 'data-testid="unread-count">1<' in client.get("/").content.decode()


def test_an_urgent_notice_is_never_held(cast):
    with time_machine.travel(_at(2026, 2, 20, 23, 30), tick=False):
        notify_many([NotificationDraft(user=cast.officer, title="Khẩn", is_urgent=True, may_hold=False)])
    assert Notification.objects.get().deliver_at is None


def test_the_plan_ladder_waits_for_the_morning_and_the_emergency_ladder_does_not(cast, receive, default_ladders):
    with time_machine.travel(_at(2026, 2, 20, 20, 0), tick=False):
        case = receive(received_at=_at(2026, 2, 20, 20, 0)).case_files.get()
    # The emergency decision's 50 % reminder falls at 02:00 on a holiday: it goes out at once.
    with time_machine.travel(_at(2026, 2, 21, 2, 0, 30), tick=False):
        scan()
    emergency = Notification.objects.get(deadline__kind="emergency_decision")
    assert emergency.deliver_at is None
    # A plan reminder that falls at 23:30 on the fourth day of Tết waits for Monday 07:00.
    plan = Deadline.objects.get(target_type=ContentType.objects.get_for_model(CaseFile), target_id=case.pk,
                                kind="plan_submission")  # fmt: skip
    due_before = plan.due_at
    with time_machine.travel(_at(2026, 2, 20, 23, 0), tick=False):
        deadline_set(target=case, kind="plan_submission", starts_at=_at(2026, 2, 19, 23, 30),
                     due_at=_at(2026, 2, 21, 23, 30), province=None)  # fmt: skip
    with time_machine.travel(_at(2026, 2, 20, 23, 30, 30), tick=False):
        scan()
    reminder = Notification.objects.get(deadline__kind="plan_submission")
    assert reminder.deliver_at == _at(2026, 2, 23, 7, 0)
    assert reminder.title.startswith(f"[{case.reference}]")
    plan.refresh_from_db()
    assert plan.due_at == _at(2026, 2, 21, 23, 30) != due_before  # the deadline is what it was set to, not moved
