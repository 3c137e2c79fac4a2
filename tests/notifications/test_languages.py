"""A notice is made in Vietnamese — kept, and sent by email, SMS and Zalo in it — and in the pages' other
languages: the bell shows it in the language of the page. A notice made before its translation was kept shows
in Vietnamese."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from cases import services
from notifications.engine import scan
from notifications.models import Notification
from notifications.services import notify
from tests.factories import walk_to

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def _bell(user, language: str) -> str:
    client = Client()
    client.force_login(user)
    body = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    return re.sub(r"\s+", " ", body)


def test_a_hand_off_notice_reads_in_the_pages_language_and_is_kept_and_sent_in_vietnamese(cast, receive):
    police = cast.police.memberships.get().agency
    due = datetime.date.today() + datetime.timedelta(days=7)
    case = walk_to(receive().case_files.get(), "plan_submitted", officer=cast.officer, chairman=cast.chairman,
                   measures=[(police, "police", "Xác minh, bảo vệ trẻ.", due)])  # fmt: skip
    (notice,) = Notification.objects.filter(user=cast.chairman, key__startswith="case-event:")
    assert notice.title.startswith(f"[{case.reference}] Kế hoạch hỗ trợ, can thiệp chờ phê duyệt")
    english = notice.translations["en"]["title"]
    assert english.startswith(f"[{case.reference}] ")
    assert "Kế hoạch" not in english
    assert english in _bell(cast.chairman, "en")
    assert notice.title not in _bell(cast.chairman, "en")
    assert notice.title in _bell(cast.chairman, "vi")

    services.case_approve_plan(actor=cast.chairman, case=case, decision_number="9/QĐ-UBND")
    (to_police,) = Notification.objects.filter(user=cast.police, key__startswith="case-event:")
    assert "Công an Xã Một" in to_police.translations["en"]["title"]
    assert to_police.translations["en"]["title"] != to_police.title


def test_an_escalation_reads_in_the_pages_language(cast, receive):
    at = datetime.datetime(2026, 3, 10, 8, 0, tzinfo=HCM)
    with time_machine.travel(at, tick=False):
        receive(received_at=at)
    with time_machine.travel(at + datetime.timedelta(hours=6), tick=False):
        scan()
    notice = Notification.objects.get(deadline__kind="emergency_decision", step=0)
    english = notice.translations["en"]
    assert "due soon" in english["title"]
    assert "sắp đến hạn" not in english["title"]
    assert notice.title != english["title"]
    assert english["body"].startswith("Case file ")
    with time_machine.travel(at + datetime.timedelta(hours=6), tick=False):
        assert english["title"] in _bell(cast.officer, "en")
        assert notice.title in _bell(cast.officer, "vi")


def test_a_notice_made_without_translations_shows_in_vietnamese_on_english_pages(cast):
    notify(user=cast.officer, title="Thông báo cũ", body="Nội dung cũ")
    page = _bell(cast.officer, "en")
    assert '<span lang="vi">Thông báo cũ</span>' in page  # marked as Vietnamese for screen readers
    assert '<span lang="vi">Nội dung cũ</span>' in page
