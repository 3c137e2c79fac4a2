import datetime
import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import RequestFactory, override_settings
from django.utils import timezone

from agencies.access import units_visible_to
from agencies.demo import DEMO_PASSWORD, USERS
from agencies.models import AdministrativeUnit, Role, StaffMembership
from cases.choices import CaseState
from cases.models import Assignment, CaseFile
from plans.models import ProgressReport
from reports.models import PeriodicReport

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        list(AdministrativeUnit.objects.order_by("pk").values_list("pk", "parent_id", "path", "updated_at")),
        list(get_user_model().objects.order_by("pk").values_list("pk", "username", "password")),
        list(StaffMembership.objects.order_by("pk").values_list("pk", "user_id", "agency_id", "unit_id", "role")),
    )


def test_refuses_to_run_without_debug():
    with pytest.raises(CommandError, match="DEBUG=False"):
        call_command("seed_demo")
    assert not get_user_model().objects.exists()


def test_asks_for_the_official_units_first():
    with override_settings(DEBUG=True), pytest.raises(CommandError, match="load_admin_units"):
        call_command("seed_demo")


@override_settings(DEBUG=True)
def test_demo_has_both_shapes_every_role_and_is_idempotent():
    call_command("load_admin_units", stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "canbo.tanbien" in out.getvalue()
    assert DEMO_PASSWORD in out.getvalue()

    tan_bien = AdministrativeUnit.objects.get(level="commune", code="25486")
    tan_chau = AdministrativeUnit.objects.get(level="commune", code="25516")
    assert tan_bien.parent.level == "intermediate"
    assert tan_bien.parent.parent.code == "80"
    assert tan_chau.parent.code == "80"  # two-tier shape beside the three-tier one

    assert {demo.role for demo in USERS} == set(Role.values)
    levels = set(StaffMembership.objects.values_list("role", "unit__level"))
    for role, level in (
        ("commune_officer", "commune"),
        ("chairman", "commune"),
        ("collaborator", "hamlet"),
        ("focal_point", "commune"),
        ("focal_point", "intermediate"),
        ("focal_point", "province"),
        ("coordinator", "intermediate"),
        ("coordinator", "province"),
        ("leader", "intermediate"),
        ("leader", "province"),
    ):
        assert (role, level) in levels
    # The plans' lead agencies have focal points who reported on their tasks.
    for username, plan in (("ldtbxh.tanbien", "103/KH-UBND"), ("ldtbxh.thaibinh", "57/KH-UBND")):
        assert ProgressReport.objects.filter(author__username=username, occurrence__task__plan__number=plan).exists()

    # A case file at each step of the procedure, and reports in every month of the last two years.
    assert set(CaseFile.objects.values_list("state", flat=True)) == set(CaseState.values)
    today = timezone.localdate()
    opened = [timezone.localtime(case.opened_at) for case in CaseFile.objects.all()]
    months = {(moment.year, moment.month) for moment in opened}
    for back in range(1, 24):  # and this month, unless it began a few hours ago
        year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
        assert (year, month + 1) in months, f"no case file received in {month + 1}/{year}"
    assert CaseFile.objects.filter(closed_at__lt=timezone.now() - datetime.timedelta(days=365)).exists()
    assert Assignment.objects.filter(status="declined").exists()
    assert PeriodicReport.objects.filter(status="accepted").exists()
    coordinator = get_user_model().objects.get(username="dieuphoi.tanbien")
    visible = set(units_visible_to(coordinator).values_list("code", flat=True))
    assert visible == {"705", "25486", "25489", "25498", "25510", "TB-AP-THANH-PHU"}
    assert authenticate(RequestFactory().post("/accounts/login/"), username="canbo.tanbien", password=DEMO_PASSWORD)

    before = _snapshot()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("load_admin_units", stdout=io.StringIO())
    assert "0 units, 0 agencies, 0 users, 0 memberships, 0 services, 0 case files, 0 plans" in out.getvalue()
    assert _snapshot() == before
