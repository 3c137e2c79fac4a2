import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import RequestFactory, override_settings

from agencies.access import units_visible_to
from agencies.demo import DEMO_PASSWORD, USERS
from agencies.models import AdministrativeUnit, Role, StaffMembership

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
    coordinator = get_user_model().objects.get(username="dieuphoi.tanbien")
    visible = set(units_visible_to(coordinator).values_list("code", flat=True))
    assert visible == {"705", "25486", "25489", "25498", "25510", "TB-AP-THANH-PHU"}
    assert authenticate(RequestFactory().post("/accounts/login/"), username="canbo.tanbien", password=DEMO_PASSWORD)

    before = _snapshot()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("load_admin_units", stdout=io.StringIO())
    assert "0 units, 0 agencies, 0 users, 0 memberships, 0 case files" in out.getvalue()
    assert _snapshot() == before
