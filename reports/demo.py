"""Periodic reports of the last half-year for the demo: one commune's submitted and accepted, one's draft,
the other communes' not started, so that the former district's coordinator sees who has not reported."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from agencies.demo import COMMUNES, clock
from agencies.models import AdministrativeUnit

from .models import PeriodicReport
from .selectors import current_period
from .services import report_draft, report_review, report_submit, report_update


@transaction.atomic
def seed() -> dict[str, int]:
    units = {key: AdministrativeUnit.objects.get(level="commune", code=code) for key, code in COMMUNES.items()}
    if PeriodicReport.objects.filter(unit__in=units.values()).exists():
        return {"periodic reports": 0}
    users = get_user_model().objects.in_bulk(
        ["canbo.tanlap", "canbo.tanbien", "dieuphoi.tanbien"], field_name="username"
    )
    period = current_period().previous()
    submitted_on = timezone.make_aware(datetime.datetime.combine(period.end, datetime.time(9))) + datetime.timedelta(
        days=5
    )
    with clock(min(submitted_on, timezone.now())) as time:
        accepted = report_draft(actor=users["canbo.tanlap"], unit=units["tan_lap"], period=period)
        report_update(
            actor=users["canbo.tanlap"],
            report=accepted,
            assessment="Các vụ việc được tiếp nhận và xử lý đúng quy trình.",
            proposals="Tập huấn thêm cho cộng tác viên ở ấp.",
        )
        report_submit(actor=users["canbo.tanlap"], report=accepted)
        time.move_to(min(submitted_on + datetime.timedelta(days=2), timezone.now()))
        report_review(actor=users["dieuphoi.tanbien"], report=accepted, accept=True)
        draft = report_draft(actor=users["canbo.tanbien"], unit=units["tan_bien"], period=period)
        report_update(
            actor=users["canbo.tanbien"],
            report=draft,
            assessment="Dự thảo: đang tổng hợp số liệu.",
            proposals="",
        )
    return {"periodic reports": 2}
