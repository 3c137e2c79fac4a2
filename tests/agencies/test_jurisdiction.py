import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from agencies.access import jurisdiction_of, unit_for_user, unit_in_jurisdiction, units_visible_to
from agencies.models import AdministrativeUnit
from agencies.services import unit_save
from tests.factories import MembershipFactory, UnitFactory

pytestmark = pytest.mark.django_db

ALL = {"province_p", "district_d", "commune_c1", "commune_c2", "commune_c3", "hamlet_h1", "province_q", "commune_c4"}

EXPECTED_UNITS = {
    "officer": {"commune_c1", "hamlet_h1"},
    "officer_elsewhere": {"commune_c4"},
    "collaborator": {"hamlet_h1"},
    "chairman": {"commune_c1", "hamlet_h1"},
    "police": {"commune_c1", "hamlet_h1"},
    "coordinator_district": {"district_d", "commune_c1", "commune_c2", "hamlet_h1"},
    "coordinator_province": {"province_p", "district_d", "commune_c1", "commune_c2", "commune_c3", "hamlet_h1"},
    "leader": {"province_p", "district_d", "commune_c1", "commune_c2", "commune_c3", "hamlet_h1"},
    "admin": ALL,
    "outsider": set(),
}


def _names(tree, units):
    by_pk = {getattr(tree, name).pk: name for name in ALL}
    return {by_pk[unit.pk] for unit in units}


@pytest.mark.parametrize("member", sorted(EXPECTED_UNITS))
def test_jurisdiction_is_exactly_the_subtree(tree, cast, member):
    user = getattr(cast, member)
    assert _names(tree, units_visible_to(user)) == EXPECTED_UNITS[member]
    for name in ALL:
        assert unit_in_jurisdiction(user, getattr(tree, name)) is (name in EXPECTED_UNITS[member])


@pytest.mark.parametrize("member", sorted(EXPECTED_UNITS))
def test_a_unit_outside_the_jurisdiction_is_a_404(tree, cast, member):
    user = getattr(cast, member)
    for name in ALL:
        unit = getattr(tree, name)
        if name in EXPECTED_UNITS[member]:
            assert unit_for_user(user, unit.pk) == unit
        else:
            with pytest.raises(Http404):
                unit_for_user(user, unit.pk)


def test_anonymous_user_sees_no_unit(tree):
    from django.contrib.auth.models import AnonymousUser

    assert jurisdiction_of(AnonymousUser()).is_empty
    assert not units_visible_to(AnonymousUser()).exists()


def test_inactive_membership_gives_no_jurisdiction(tree, cast):
    membership = cast.officer.memberships.get()
    membership.is_active = False
    membership.save()
    cast.officer.refresh_from_db()
    assert not units_visible_to(type(cast.officer).objects.get(pk=cast.officer.pk)).exists()


def test_several_memberships_give_the_union_without_duplicates(tree, cast):
    MembershipFactory(user=cast.officer, role="commune_officer", agency__unit=tree.commune_c4, unit=tree.commune_c4)
    user = type(cast.officer).objects.get(pk=cast.officer.pk)
    assert _names(tree, units_visible_to(user)) == {"commune_c1", "hamlet_h1", "commune_c4"}


def test_inserting_an_intermediate_level_moves_the_whole_subtree(tree, cast):
    """A province without an intermediate level gains one: C3 and everything under it follow."""
    hamlet = UnitFactory(level="hamlet", code="H3", name="Tổ dân phố 3", parent=tree.commune_c3)
    new_district = UnitFactory(level="intermediate", code="902", name="Huyện E (cũ)", parent=tree.province_p)
    coordinator = MembershipFactory(role="coordinator", agency__unit=new_district, unit=new_district).user

    commune = AdministrativeUnit.objects.get(pk=tree.commune_c3.pk)
    commune.parent = new_district
    unit_save(actor=None, unit=commune)

    hamlet.refresh_from_db()
    assert hamlet.path == f"{tree.province_p.path}{new_district.pk}/{commune.pk}/{hamlet.pk}/"
    assert set(units_visible_to(coordinator)) == {new_district, commune, hamlet}
    # The province coordinator still covers it, at the new depth.
    assert unit_in_jurisdiction(cast.coordinator_province, hamlet)


def test_deep_chains_work_at_any_depth(tree):
    """Two intermediate levels: jurisdiction does not assume a fixed depth."""
    inner = UnitFactory(level="intermediate", code="9011", name="Cụm", parent=tree.district_d)
    commune = UnitFactory(level="commune", code="90009", name="Xã Sâu", parent=inner)
    hamlet = UnitFactory(level="hamlet", code="H9", name="Ấp Sâu", parent=commune)
    user = MembershipFactory(role="coordinator", agency__unit=tree.district_d, unit=tree.district_d).user
    visible = set(units_visible_to(user))
    assert {inner, commune, hamlet, tree.commune_c1, tree.hamlet_h1} <= visible
    assert tree.commune_c3 not in visible
    assert hamlet.depth == 5


def test_a_unit_cannot_move_under_its_own_subtree(tree):
    district = AdministrativeUnit.objects.get(pk=tree.district_d.pk)
    inner = UnitFactory(level="intermediate", code="9012", name="Cụm 2", parent=district)
    district.parent = inner
    with pytest.raises(ValidationError) as error:
        unit_save(actor=None, unit=district)
    assert "parent" in error.value.message_dict
    district.refresh_from_db()
    assert district.parent == tree.province_p


@pytest.mark.parametrize(
    ("level", "parent_name"),
    [("commune", "hamlet_h1"), ("hamlet", "province_p"), ("province", "province_q"), ("intermediate", "commune_c1")],
)
def test_a_unit_at_the_wrong_level_is_refused(tree, level, parent_name):
    count = AdministrativeUnit.objects.count()
    with pytest.raises(ValidationError) as error:
        UnitFactory(level=level, code="X1", parent=getattr(tree, parent_name))
    assert "parent" in error.value.message_dict
    assert AdministrativeUnit.objects.count() == count
