"""A user's memberships are kept in the shared cache between requests: read once, and read afresh after
any change to a membership, an agency or a unit — never served stale."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from agencies.access import access_changed, active_memberships, jurisdiction_of
from agencies.models import AdministrativeUnit, StaffMembership
from cases.access import cases_visible_to

pytestmark = pytest.mark.django_db


def fresh(user):
    """The user as a new request loads it: nothing kept on the object."""
    return get_user_model().objects.get(pk=user.pk)


def membership_queries(user) -> int:
    with CaptureQueriesContext(connection) as queries:
        active_memberships(user)
    return sum("agencies_staffmembership" in query["sql"] for query in queries.captured_queries)


def test_a_second_request_reads_no_membership_row(cast):
    assert membership_queries(fresh(cast.officer)) == 1
    again = fresh(cast.officer)
    assert membership_queries(again) == 0
    assert [(m.role, m.unit.name, m.agency.name) for m in active_memberships(again)] == [
        ("commune_officer", "Xã Một", "VH-XH Xã Một")
    ]


def test_a_membership_ended_is_seen_at_once_by_the_next_request(cast, receive):
    case = receive().case_files.get()
    assert list(cases_visible_to(fresh(cast.officer))) == [case]
    membership = StaffMembership.objects.get(user=cast.officer)
    membership.is_active = False
    membership.save()
    user = fresh(cast.officer)
    assert active_memberships(user) == []
    assert jurisdiction_of(user).is_empty
    assert not cases_visible_to(user).exists()


def test_a_new_membership_widens_the_area_at_once(cast, tree):
    assert jurisdiction_of(fresh(cast.officer)).paths == (tree.commune_c1.path,)
    StaffMembership.objects.create(
        user=cast.officer, agency=StaffMembership.objects.get(user=cast.officer).agency, unit=tree.hamlet_h1,
        role="collaborator",
    )  # fmt: skip
    assert {m.role for m in active_memberships(fresh(cast.officer))} == {"commune_officer", "collaborator"}


def test_an_agency_or_unit_deactivated_ends_the_kept_memberships(cast, tree):
    active_memberships(fresh(cast.police))
    agency = StaffMembership.objects.get(user=cast.police).agency
    agency.is_active = False
    agency.save()
    assert active_memberships(fresh(cast.police)) == []

    assert jurisdiction_of(fresh(cast.chairman)).paths == (tree.commune_c1.path,)
    AdministrativeUnit.objects.filter(pk=tree.commune_c1.pk).update(is_active=False)
    access_changed()  # what the services do after a bulk update
    assert jurisdiction_of(fresh(cast.chairman)).is_empty


def test_the_page_of_a_user_whose_membership_ended_shows_nothing(cast, receive):
    case = receive().case_files.get()
    client = Client()
    client.force_login(cast.officer)
    assert case.reference in client.get("/cases/").content.decode()
    StaffMembership.objects.filter(user=cast.officer).get().delete()
    page = client.get("/cases/").content.decode()
    assert case.reference not in page
    assert client.get(f"/cases/{case.pk}/").status_code in (403, 404)


# The restricted case files naming a user are kept with their memberships: never served stale either.


def named_queries(user) -> int:
    with CaptureQueriesContext(connection) as queries:
        list(cases_visible_to(user))
    return sum("cases_casefileuserobjectpermission" in query["sql"] for query in queries.captured_queries)


def visible(user) -> set[int]:
    return set(cases_visible_to(fresh(user)).values_list("pk", flat=True))


def test_a_second_request_reads_no_named_case_file(cast, receive):
    receive()
    assert named_queries(fresh(cast.officer)) == 1
    assert named_queries(fresh(cast.officer)) == 0


def test_a_restriction_and_its_lifting_are_seen_at_once_by_every_next_request(cast, receive):
    from cases import services

    first, second = receive().case_files.get(), receive(narrative="Hàng xóm báo tin em bị đánh.").case_files.get()
    assert visible(cast.officer) == visible(cast.chairman) == {first.pk, second.pk}  # both kept now
    services.case_restrict(actor=cast.officer, case=second, named_users=[cast.chairman], reason="Người nhà cán bộ.")
    assert visible(cast.officer) == visible(cast.chairman) == {first.pk, second.pk}  # both named
    assert visible(cast.coordinator_district) == {first.pk}  # in the area, not named
    services.case_unrestrict(actor=cast.officer, case=second, reason="Đã rõ.")
    assert visible(cast.coordinator_district) == {first.pk, second.pk}
    # Restricted again without the chairman: the chairman's kept names must not open it any more.
    services.case_restrict(actor=cast.officer, case=second, named_users=[], reason="Người nhà cán bộ.")
    assert visible(cast.chairman) == visible(cast.coordinator_district) == {first.pk}
    assert visible(cast.officer) == {first.pk, second.pk}


def test_a_name_removed_outside_the_services_is_seen_at_once(cast, receive):
    from guardian.shortcuts import remove_perm

    from cases import services

    case = receive().case_files.get()
    services.case_restrict(actor=cast.officer, case=case, named_users=[cast.chairman], reason="Người nhà cán bộ.")
    assert visible(cast.chairman) == {case.pk}
    remove_perm("cases.view_casefile", cast.chairman, case)  # e.g. from the admin or a shell: the signal
    assert visible(cast.chairman) == set()
    assert visible(cast.officer) == {case.pk}
