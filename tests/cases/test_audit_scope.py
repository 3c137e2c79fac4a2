"""The audit trail of a restricted case file is shown only to the users named on it and to system
administrators: a province's leader does not learn its reference, nor who opened it."""

import pytest
from django.test import Client

from audit.models import AuditEvent
from cases import services
from cases.models import CaseFile
from cases.selectors import AuditFilters, audit_trail
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_cases(cast, receive, tree):
    receive()
    receive(narrative="Hàng xóm báo tin em bị đánh.")
    open_case, hidden = CaseFile.objects.order_by("pk")
    services.case_restrict(actor=cast.officer, case=hidden, named_users=[cast.chairman], reason="Người thân là cán bộ.")
    client = Client()
    client.force_login(cast.officer)
    assert client.get(f"/cases/{hidden.pk}/").status_code == 200  # an "opened" row naming the officer
    return open_case, hidden


def _case_ids(user):
    return set(audit_trail(user, AuditFilters()).values_list("case_id", flat=True))


def test_a_leader_not_named_sees_the_open_file_but_nothing_of_the_restricted_one(cast, two_cases):
    open_case, hidden = two_cases
    assert AuditEvent.objects.filter(case_id=hidden.pk).count() >= 3  # received, restricted, opened
    assert _case_ids(cast.leader) == {open_case.pk}

    client = Client()
    client.force_login(cast.leader)
    page = client.get("/audit/").content.decode()
    assert open_case.reference in page
    assert hidden.reference not in page
    # Searching by its reference finds nothing either.
    found = client.get("/audit/", {"reference": hidden.reference}).content.decode()
    # Only typed back: the search box, the language form and the export link (which keeps the filter).
    assert found.count(hidden.reference) == 3
    assert not audit_trail(cast.leader, AuditFilters(reference=hidden.reference)).exists()


def test_the_system_administrator_and_a_named_leader_see_the_restricted_file(cast, two_cases, tree):
    open_case, hidden = two_cases
    assert _case_ids(cast.admin) >= {open_case.pk, hidden.pk}

    named_leader = UserFactory(username="leader_named")
    MembershipFactory(
        user=named_leader, role="leader", agency=cast.leader.memberships.get().agency, unit=tree.province_p
    )
    services.case_restrict(
        actor=cast.officer,
        case=CaseFile.objects.get(pk=hidden.pk),
        named_users=[cast.chairman, named_leader],
        reason="Thêm lãnh đạo tỉnh theo dõi.",
    )
    assert _case_ids(named_leader) == {open_case.pk, hidden.pk}
    assert _case_ids(cast.leader) == {open_case.pk}
