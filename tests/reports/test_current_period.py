"""The period still running and the units that report: figures "at the end of the period" are taken
as of now, and a commune's hamlets are not sub-units expected to report."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from notifications.models import Deadline
from reports import services
from reports.indicators import compute
from reports.periods import parse

pytestmark = pytest.mark.django_db


def _current_half_year():
    today = timezone.localdate()
    return parse(f"{today.year}-H{1 if today.month <= 6 else 2}")


def test_a_deadline_still_to_come_is_not_counted_late_in_the_current_period(tree, receive):
    (case,) = receive().case_files.all()
    period = _current_half_year()
    deadlines = Deadline.objects.filter(target_type__model="casefile", target_id=case.pk, state="open")
    assert deadlines.exists()
    assert all(d.due_at > timezone.now() for d in deadlines)
    figures = compute(tree.commune_c1, period)["indicators"]["case_files"]
    assert (figures["open"], figures["overdue"]) == (1, 0)
    first = deadlines.order_by("due_at").first()
    with time_machine.travel(first.due_at + datetime.timedelta(minutes=1), tick=False):
        figures = compute(tree.commune_c1, period)["indicators"]["case_files"]
    assert (figures["open"], figures["overdue"]) == (1, 1)


def test_a_communes_rollup_lists_no_hamlet(cast, tree):
    report = services.report_draft(actor=cast.chairman, unit=tree.commune_c1, period=parse("2026-H1"))
    live = compute(tree.commune_c1, parse("2026-H1"))
    assert services.rollup(report, live) == []
    province = services.report_draft(actor=cast.leader, unit=tree.province_p, period=parse("2026-H1"))
    names = [row["name"] for row in services.rollup(province, compute(tree.province_p, parse("2026-H1")))]
    assert names == sorted([tree.district_d.name, tree.commune_c3.name])


def test_a_communes_report_is_written_by_its_own_people_and_reviewed_by_the_level_above(cast, tree, client):
    """A province leader sees a commune's draft but neither edits nor submits it (the commune signs it);
    the review buttons show only to reviewers of a submitted report."""
    from django.core.exceptions import PermissionDenied

    from reports.models import PeriodicReport

    report = services.report_draft(actor=cast.officer, unit=tree.commune_c1, period=parse("2026-H1"))
    client.force_login(cast.leader)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert 'data-testid="report-form"' not in page
    assert 'data-testid="prepare-pdf"' not in page
    assert 'data-testid="review-form"' not in page
    response = client.post(f"/reports/{report.pk}/", {"action": "save", "assessment": "Sửa bởi tỉnh."}, follow=True)
    assert "Chỉ cán bộ và lãnh đạo của chính đơn vị" in response.content.decode()
    assert PeriodicReport.objects.get(pk=report.pk).assessment == ""
    with pytest.raises(PermissionDenied):
        services.report_submit(actor=cast.leader, report=report)
    with pytest.raises(PermissionDenied):
        services.report_draft(actor=cast.leader, unit=tree.commune_c2, period=parse("2026-H1"))
    assert not PeriodicReport.objects.filter(unit=tree.commune_c2).exists()
    services.report_submit(actor=cast.chairman, report=report)
    # Submitted: the reviewers above see the review form, the commune's own people do not.
    assert 'data-testid="review-form"' in client.get(f"/reports/{report.pk}/").content.decode()
    client.force_login(cast.officer)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert 'data-testid="review-form"' not in page
    client.post(f"/reports/{report.pk}/", {"action": "accept"})
    assert PeriodicReport.objects.get(pk=report.pk).status == "submitted"
