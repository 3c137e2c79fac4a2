"""The door reads what it needs about a user beside their memberships: the restricted files naming them and
whether a transfer waits for their commune, both kept with the memberships across requests; a case file or a
naming changed in the same process since is read afresh, so a service or a test that goes on with the same
user object never acts on what the door read before."""

import pytest
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases import access, services
from tests.factories import assess

pytestmark = pytest.mark.django_db


def _visible(user) -> set[int]:
    return set(access.cases_visible_to(user).values_list("pk", flat=True))


def test_the_case_page_reads_the_namings_and_the_waiting_transfers_once(cast, receive):
    case = receive().case_files.get()
    client = Client()
    client.force_login(cast.officer)
    client.get(f"/cases/{case.pk}/")  # warm: the memberships in the shared cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/cases/{case.pk}/").status_code == 200
    sql = [query["sql"] for query in queries.captured_queries]
    # The namings and whether a transfer waits are kept with the memberships across requests.
    assert sum("casefileuserobjectpermission" in text for text in sql) == 0
    assert sum("transfer_pending" in text and "LIMIT 1" in text for text in sql) == 0
    assert sum("agencies_staffmembership" in text for text in sql) == 0


def test_a_naming_made_meanwhile_is_seen_with_the_same_user_object(cast, receive):
    case = receive().case_files.get()
    officer, other = cast.officer, cast.coordinator_province
    assert case.pk in _visible(officer)  # no file names them: read and kept on these user objects
    assert case.pk in _visible(other)
    services.case_restrict(
        actor=cast.coordinator_district, case=case, named_users=[officer], reason="Người bị tố là cán bộ."
    )
    assert case.pk in _visible(officer)  # named: the door read the namings afresh
    assert access.case_for_user(officer, case.pk).pk == case.pk
    assert case.pk not in _visible(other)
    with pytest.raises(Http404):
        access.case_for_user(other, case.pk)
    case.refresh_from_db()
    services.case_unrestrict(actor=cast.coordinator_district, case=case, reason="Đã xác minh.")
    assert case.pk in _visible(other)


def test_a_transfer_made_meanwhile_is_seen_by_the_receiving_commune_with_the_same_user_object(tree, cast, receive):
    case = receive().case_files.get()
    assess(case, cast.officer)
    receiving = cast.officer_elsewhere
    assert case.pk not in _visible(receiving)  # no transfer waits: read and kept on this user object
    case.refresh_from_db()
    services.case_transfer(actor=cast.officer, case=case, to_commune=tree.commune_c4, reason="Chuyển nhà.")
    assert case.pk in _visible(receiving)
    case.refresh_from_db()
    services.case_decline_transfer(actor=receiving, case=case, reason="Trẻ không sống ở đây.")
    assert case.pk not in _visible(receiving)


def test_a_transfer_is_seen_by_the_receiving_commune_on_its_next_request(tree, cast, receive):
    """Whether a transfer waits is kept across requests: starting one renews what every user has kept, so the
    receiving officer's very next page shows the file; once declined it is gone again."""
    case = receive().case_files.get()
    assess(case, cast.officer)
    receiving = Client()
    receiving.force_login(cast.officer_elsewhere)
    assert receiving.get(f"/cases/{case.pk}/").status_code == 404  # kept: no transfer waits for them
    assert case.reference not in receiving.get("/cases/").content.decode()
    case.refresh_from_db()
    services.case_transfer(actor=cast.officer, case=case, to_commune=tree.commune_c4, reason="Chuyển nhà.")
    page = receiving.get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    listed = receiving.get("/cases/").content.decode()
    assert case.reference in listed
    # The list names the communes of its rows from the officer's memberships; the sending commune, not one
    # of them, is named all the same.
    assert listed.count(f"<td>{tree.commune_c1.name}</td>") == 1
    case.refresh_from_db()
    services.case_decline_transfer(actor=cast.officer_elsewhere, case=case, reason="Trẻ không sống ở đây.")
    assert receiving.get(f"/cases/{case.pk}/").status_code == 404
    assert case.reference not in receiving.get("/cases/").content.decode()
