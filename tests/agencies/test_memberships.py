import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from agencies.models import StaffMembership
from tests.factories import AgencyFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_membership_at_a_unit_outside_the_agency_is_refused(tree):
    agency = AgencyFactory(name="Công an Xã Một", agency_type__code="police", unit=tree.commune_c1)
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        MembershipFactory(role="focal_point", agency=agency, unit=tree.commune_c2)
    message = error.value.message_dict["unit"][0]
    assert "Xã Hai" in message
    assert "nằm ngoài" in message  # Vietnamese first
    assert not StaffMembership.objects.exists()

    with translation.override("en"), pytest.raises(ValidationError) as error:
        MembershipFactory(role="focal_point", agency=agency, unit=tree.commune_c2)
    assert "outside the area served" in error.value.message_dict["unit"][0]


def test_membership_below_the_agency_unit_is_accepted(tree):
    agency = AgencyFactory(name="VH-XH Huyện D", unit=tree.district_d)
    membership = MembershipFactory(role="commune_officer", agency=agency, unit=tree.commune_c1)
    assert StaffMembership.objects.get(pk=membership.pk).unit == tree.commune_c1


@pytest.mark.parametrize(
    ("role", "unit_name"),
    [
        ("commune_officer", "province_p"),
        ("chairman", "district_d"),
        ("collaborator", "province_p"),
        ("coordinator", "commune_c1"),
    ],
)
def test_role_at_the_wrong_level_is_refused(tree, role, unit_name):
    unit = getattr(tree, unit_name)
    agency = AgencyFactory(name="Cơ quan", unit=tree.province_p)
    with pytest.raises(ValidationError) as error:
        MembershipFactory(role=role, agency=agency, unit=unit)
    assert "role" in error.value.message_dict
    assert not StaffMembership.objects.exists()


def test_local_agency_staff_must_name_a_unit(tree):
    agency = AgencyFactory(name="UBND Xã Một", unit=tree.commune_c1)
    with pytest.raises(ValidationError) as error:
        MembershipFactory(role="chairman", agency=agency, unit=None)
    assert "unit" in error.value.message_dict


def test_national_agency_staff_cover_the_whole_country(tree):
    hotline = AgencyFactory(name="Tổng đài 111", agency_type__code="hotline_111", unit=None)
    membership = MembershipFactory(role="focal_point", agency=hotline, unit=None)
    from agencies.access import jurisdiction_of

    assert jurisdiction_of(membership.user).is_nationwide


def test_admin_form_shows_the_rule_and_keeps_what_was_typed(tree, cast):
    police_c1 = cast.police.memberships.get().agency
    newcomer = UserFactory(username="newcomer")
    client = Client()
    client.force_login(cast.admin)
    response = client.post(
        "/admin/agencies/staffmembership/add/",
        {
            "user": newcomer.pk,
            "agency": police_c1.pk,
            "unit": tree.commune_c2.pk,
            "role": "focal_point",
            "title": "Trinh sát viên",
            "is_active": "on",
        },
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "nằm ngoài khu vực" in body
    assert 'value="Trinh sát viên"' in body  # nothing typed is lost
    assert not StaffMembership.objects.filter(user=newcomer).exists()
