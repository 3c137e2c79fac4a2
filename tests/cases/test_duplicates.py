"""Duplicate records of a child: suggested from name, birth, commune and caregivers across the area; compared
side by side; merged (everything moves to the kept record, the other redirects) and undone exactly within 30
days — only by an officer or coordinator who sees both children and all their case files."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from cases import services
from cases.models import (
    Caregiver,
    CaseEvent,
    CaseFile,
    Child,
    ChildCircumstance,
    ChildMerge,
    Consent,
    DuplicateDismissal,
)
from cases.selectors import duplicate_pairs, duplicates_of_child
from cases.services import CaregiverInput
from tests.factories import AgencyFactory, MembershipFactory, UserFactory, child_input

pytestmark = pytest.mark.django_db

BIRTH = datetime.date(2015, 3, 4)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _child(receive, commune, name, *, birth=BIRTH, caregivers=(), circumstances=(), actor=None, **extra):
    report = receive(
        actor=actor,
        commune=commune,
        children=[
            child_input(
                commune,
                name=name,
                birth=birth,
                caregivers=list(caregivers),
                circumstances=list(circumstances),
                **extra,
            )
        ],
    )
    return report.case_files.select_related("child").get()


MOTHER = CaregiverInput(full_name="Trần Thị Mai", relation="mẹ", is_legal_representative=True)


@pytest.fixture
def pair(tree, receive):
    """The same girl registered twice in Xã Một: once with diacritics, once typed without them."""
    first = _child(receive, tree.commune_c1, "Nguyễn Thị Hoà", caregivers=[MOTHER], circumstances=["d"])
    second = _child(
        receive,
        tree.commune_c1,
        "Nguyen Thi Hoa",
        caregivers=[CaregiverInput(full_name="Tran Thi Mai", relation="mẹ"), CaregiverInput("Lê Văn Bình", "bố")],
        circumstances=["n"],
        sex="female",
    )
    return first, second


def _counts(*children):
    ids = [child.pk for child in children]
    return {
        "case_files": {pk: sorted(CaseFile.objects.filter(child_id=pk).values_list("pk", flat=True)) for pk in ids},
        "caregivers": {pk: sorted(Caregiver.objects.filter(child_id=pk).values_list("pk", flat=True)) for pk in ids},
        "circumstances": {
            pk: sorted(ChildCircumstance.objects.filter(child_id=pk).values_list("pk", flat=True)) for pk in ids
        },
        "households": {pk: Child.objects.get(pk=pk).household_id for pk in ids},
    }


def _events(case_ids):
    return {
        pk: list(CaseEvent.objects.filter(case_id=pk).order_by("at", "pk").values_list("pk", "kind", "data"))
        for pk in case_ids
    }


# ---------------------------------------------------------------------------------------------- suggestion


def test_the_suggestion_finds_the_same_child_typed_without_diacritics(cast, pair):
    first, second = pair
    found = duplicates_of_child(cast.officer, first.child)
    assert [match.other.pk for match in found] == [second.child.pk]
    assert found[0].same_birth_date
    assert found[0].same_commune
    assert found[0].shared_caregivers == ["tran thi mai"]
    page = duplicate_pairs(cast.coordinator_province)
    assert [(p.child.pk, p.other.pk) for p in page.pairs] == [(second.child.pk, first.child.pk)]


@pytest.fixture
def officer_c2(tree):
    user = UserFactory(username="officer_c2")
    MembershipFactory(
        user=user,
        role="commune_officer",
        agency=AgencyFactory(agency_type__code="social_affairs", name="VH-XH Xã Hai", unit=tree.commune_c2),
        unit=tree.commune_c2,
    )
    return user


def test_a_shared_caregiver_is_enough_across_communes(cast, tree, receive, officer_c2):
    here = _child(receive, tree.commune_c1, "Lò Văn Tuấn", caregivers=[MOTHER])
    there = _child(receive, tree.commune_c2, "Lo Van Tuan", caregivers=[MOTHER], actor=officer_c2)
    found = duplicates_of_child(cast.coordinator_district, here.child)
    assert [match.other.pk for match in found] == [there.child.pk]
    assert not found[0].same_commune


def test_unrelated_children_are_not_suggested(cast, tree, receive, officer_c2):
    child = _child(receive, tree.commune_c1, "Nguyễn Thị Hoà", caregivers=[MOTHER])
    _child(receive, tree.commune_c1, "Nguyễn Thị Hoà", birth=datetime.date(2016, 3, 4))  # another birth date
    _child(receive, tree.commune_c1, "Phạm Văn Hoà")  # another name, same birth
    _child(receive, tree.commune_c1, "Nguyễn Thị Lan", caregivers=[MOTHER])  # a sister
    # Same name and birth, but another commune and no caregiver in common: not enough.
    _child(receive, tree.commune_c2, "Nguyen Thi Hoa", actor=officer_c2)
    assert duplicates_of_child(cast.coordinator_province, child.child) == []
    assert duplicate_pairs(cast.coordinator_province).pairs == []


def test_a_year_only_birth_matches_within_the_year(cast, tree, receive):
    child = _child(receive, tree.commune_c1, "Hoàng Minh Đức")
    vague = _child(receive, tree.commune_c1, "Hoang Minh Duc", birth=datetime.date(2015, 1, 1), birth_year_only=True)
    assert [match.other.pk for match in duplicates_of_child(cast.officer, child.child)] == [vague.child.pk]


def test_the_list_walks_the_area_a_window_at_a_time(cast, pair, tree, receive):
    first, second = pair
    for number in range(3):
        _child(receive, tree.commune_c1, f"Đinh Văn Khác{number}", birth=datetime.date(2014, 1, 1 + number))
    page = duplicate_pairs(cast.officer, window=3)
    assert page.pairs == []
    assert page.next_before is not None
    page = duplicate_pairs(cast.officer, before=page.next_before, window=3)
    assert [(p.child.pk, p.other.pk) for p in page.pairs] == [(second.child.pk, first.child.pk)]


def test_another_province_sees_no_suggestion(cast, pair):
    assert duplicate_pairs(cast.officer_elsewhere).pairs == []
    assert duplicates_of_child(cast.officer_elsewhere, pair[0].child) == []


# ---------------------------------------------------------------------------------------------- merge and undo


def test_merge_moves_everything_and_undo_restores_exactly(cast, pair):
    first, second = pair
    kept, merged = first.child, second.child
    before = _counts(kept, merged)
    events_before = _events([first.pk, second.pk])
    merge = services.child_merge(actor=cast.officer, kept=kept, merged=merged, reason="Cùng giấy khai sinh")

    after = _counts(kept, merged)
    assert after["case_files"][kept.pk] == sorted([first.pk, second.pk])
    assert after["case_files"][merged.pk] == []
    assert after["caregivers"][kept.pk] == sorted(before["caregivers"][kept.pk] + before["caregivers"][merged.pk])
    assert after["caregivers"][merged.pk] == []
    assert after["circumstances"][merged.pk] == []
    assert len(after["circumstances"][kept.pk]) == 2
    merged.refresh_from_db()
    assert merged.merged_into_id == kept.pk
    assert merge.moved["case_files"] == [second.pk]
    for case in (first, second):
        assert CaseEvent.objects.filter(case=case, kind="child_merged", data__merge=merge.pk).count() == 1
    assert AuditEvent.objects.filter(object_type="child", object_id=str(merged.pk), action="change").exists()
    # The merged record now leads to the kept one, and is no longer offered as a duplicate.
    assert duplicates_of_child(cast.officer, kept.__class__.objects.get(pk=kept.pk)) == []

    services.child_merge_undo(actor=cast.officer, merge=merge, reason="Nhầm: hai trẻ khác nhau")
    assert _counts(kept, merged) == before
    merged.refresh_from_db()
    assert merged.merged_into_id is None
    events_after = _events([first.pk, second.pk])
    for pk, history in events_before.items():
        # The history is kept as it was; the merge and its undo are added to it, nothing else.
        assert events_after[pk][: len(history)] == history
        assert [kind for _, kind, _ in events_after[pk][len(history) :]] == ["child_merged", "child_merge_undone"]
    merge.refresh_from_db()
    assert merge.undone_by == cast.officer
    assert merge.undone_at is not None


def test_the_kept_record_joins_the_merged_ones_family(cast, tree, receive, pair):
    first, second = pair
    sister = _child(receive, tree.commune_c1, "Nguyễn Thị Lan")
    services.household_link(actor=cast.officer, case=second, other=sister)
    second.child.refresh_from_db()
    household = second.child.household_id
    merge = services.child_merge(actor=cast.officer, kept=first.child, merged=second.child, reason="Trùng")
    assert Child.objects.get(pk=first.child.pk).household_id == household
    assert Child.objects.get(pk=second.child.pk).household_id is None
    services.child_merge_undo(actor=cast.officer, merge=merge)
    assert Child.objects.get(pk=first.child.pk).household_id is None
    assert Child.objects.get(pk=second.child.pk).household_id == household


def test_undo_is_refused_after_30_days(cast, pair, english):
    first, second = pair
    merge = services.child_merge(actor=cast.officer, kept=first.child, merged=second.child, reason="Trùng")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)), pytest.raises(ValidationError) as error:
        services.child_merge_undo(actor=cast.officer, merge=merge)
    assert "30 days" in error.value.messages[0]
    assert CaseFile.objects.get(pk=second.pk).child_id == first.child.pk


def test_undo_is_refused_when_a_consent_since_names_a_moved_caregiver(cast, pair, english):
    first, second = pair
    merge = services.child_merge(actor=cast.officer, kept=first.child, merged=second.child, reason="Trùng")
    moved_mother = Caregiver.objects.get(pk=merge.moved["caregivers"][0])
    Consent.objects.create(
        case=first,
        giver="representative",
        representative=moved_mother,
        recipient="Bệnh viện",
        purpose="Điều trị",
        given_on=timezone.localdate(),
        evidence="Văn bản",
        recorded_by=cast.officer,
    )
    with pytest.raises(ValidationError) as error:
        services.child_merge_undo(actor=cast.officer, merge=merge)
    assert "consent" in error.value.messages[0]


def test_undo_waits_for_a_later_merge_of_the_kept_record(cast, tree, receive, pair, english):
    first, second = pair
    third = _child(receive, tree.commune_c1, "Nguyễn Thị Hòa")
    merge = services.child_merge(actor=cast.officer, kept=first.child, merged=second.child, reason="Trùng")
    services.child_merge(actor=cast.officer, kept=third.child, merged=Child.objects.get(pk=first.child.pk), reason="x")
    with pytest.raises(ValidationError) as error:
        services.child_merge_undo(actor=cast.officer, merge=merge)
    assert "undo that merge first" in error.value.messages[0]


def test_two_children_of_one_report_are_not_merged(cast, tree, receive, english):
    report = receive(
        children=[child_input(tree.commune_c1, name="Vũ Văn Nam"), child_input(tree.commune_c1, name="Vu Van Nam")]
    )
    first, second = report.case_files.select_related("child").order_by("pk")
    with pytest.raises(ValidationError):
        services.child_merge(actor=cast.officer, kept=first.child, merged=second.child, reason="Trùng")
    assert Child.objects.get(pk=second.child.pk).merged_into_id is None


# ---------------------------------------------------------------------------------------------- pages


def test_the_officer_compares_merges_and_undoes_through_the_pages(cast, pair):
    first, second = pair
    client = _client(cast.officer)
    listing = client.get(reverse("cases:duplicates"))
    assert listing.status_code == 200
    assert "Nguyen Thi Hoa" in listing.content.decode()
    detail = client.get(reverse("cases:detail", args=[first.pk])).content.decode()
    assert 'data-testid="duplicate-banner"' in detail
    url = reverse("cases:duplicate_compare", args=[second.child.pk, first.child.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Nguyễn Thị Hoà" in page.content.decode()
    # Nothing merged without the confirmation and a reason; what was typed stays.
    refused = client.post(url, {"kept": first.child.pk, "reason": "Cùng giấy khai sinh"})
    assert refused.status_code == 400
    assert "Cùng giấy khai sinh" in refused.content.decode()
    assert not ChildMerge.objects.exists()
    done = client.post(url, {"kept": first.child.pk, "reason": "Cùng giấy khai sinh", "confirm": "on"})
    merge = ChildMerge.objects.get()
    assert done.status_code == 302
    assert done.url == reverse("cases:child_merge", args=[merge.pk])
    assert (merge.kept_id, merge.merged_id) == (first.child.pk, second.child.pk)
    record = client.get(done.url).content.decode()
    assert 'data-testid="undo-form"' in record
    # The merged record's address leads to the kept one.
    history = client.get(reverse("cases:child_history", args=[second.child.pk]))
    assert history.status_code == 302
    assert history.url == reverse("cases:child_history", args=[first.child.pk])
    api = client.get(reverse("api-child-detail", args=[second.child.pk]))
    assert api.status_code == 302
    undone = client.post(reverse("cases:child_merge_undo", args=[merge.pk]), {"reason": "Nhầm"})
    assert undone.status_code == 302
    assert CaseFile.objects.get(pk=second.pk).child_id == second.child.pk


def test_an_undo_refused_says_why_in_vietnamese(cast, pair):
    first, second = pair
    merge = services.child_merge(actor=cast.officer, kept=first.child, merged=second.child, reason="Trùng")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        page = _client(cast.officer).get(reverse("cases:child_merge", args=[merge.pk])).content.decode()
        posted = _client(cast.officer).post(reverse("cases:child_merge_undo", args=[merge.pk]), {"reason": "x"})
    assert "Đã quá 30 ngày" in page
    assert posted.status_code == 400
    assert ChildMerge.objects.get().undone_at is None


def test_two_different_children_are_no_longer_suggested_once_said(cast, pair):
    first, second = pair
    client = _client(cast.officer)
    compared = client.get(reverse("cases:duplicate_compare", args=[first.child.pk, second.child.pk])).content.decode()
    assert 'data-testid="dismiss-form"' in compared
    url = reverse("cases:duplicate_dismiss", args=[first.child.pk, second.child.pk])
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert 'data-testid="error-summary"' in refused.content.decode()
    assert not DuplicateDismissal.objects.exists()
    done = client.post(url, {"reason": "Hai chị em sinh đôi"})
    assert done.status_code == 302
    dismissal = DuplicateDismissal.objects.get()
    assert (dismissal.first_id, dismissal.second_id) == (first.child.pk, second.child.pk)
    assert duplicates_of_child(cast.officer, first.child) == []
    assert duplicate_pairs(cast.coordinator_province).pairs == []
    assert 'data-testid="duplicate-banner"' not in client.get(reverse("cases:detail", args=[first.pk])).content.decode()
    # Said twice (the other way round): still one row.
    client.post(reverse("cases:duplicate_dismiss", args=[second.child.pk, first.child.pk]), {"reason": "x"})
    assert DuplicateDismissal.objects.count() == 1


# ---------------------------------------------------------------------------------------------- permissions


@pytest.fixture
def restricted_pair(cast, pair):
    """The second record's case file is restricted to the officer: the coordinators cannot see it."""
    first, second = pair
    services.case_restrict(actor=cast.officer, case=second, named_users=[], reason="Người nhà cán bộ")
    return first, second


@pytest.mark.parametrize("who", ["coordinator_district", "coordinator_province"])
def test_a_user_who_cannot_see_one_child_sees_nothing_of_it_and_cannot_merge(cast, restricted_pair, who):
    first, second = restricted_pair
    user = getattr(cast, who)
    client = _client(user)
    assert duplicates_of_child(user, first.child) == []
    listing = client.get(reverse("cases:duplicates")).content.decode()
    assert "Nguyen Thi Hoa" not in listing
    url = reverse("cases:duplicate_compare", args=[first.child.pk, second.child.pk])
    dismiss = reverse("cases:duplicate_dismiss", args=[first.child.pk, second.child.pk])
    for response in (
        client.get(url),
        client.post(url, {"kept": first.child.pk, "reason": "x", "confirm": "on"}),
        client.post(dismiss, {"reason": "x"}),
    ):
        assert response.status_code == 404
        assert "Nguyen Thi Hoa" not in response.content.decode()
        assert str(second.reference) not in response.content.decode()
    assert not ChildMerge.objects.exists()
    assert not DuplicateDismissal.objects.exists()
    assert CaseFile.objects.get(pk=second.pk).child_id == second.child.pk
    assert AuditEvent.objects.filter(user=user, action="denied", object_type="child").exists()


@pytest.mark.parametrize("who", ["officer_elsewhere", "police", "leader", "outsider", "collaborator"])
def test_outsiders_get_404_and_nothing_changes(cast, pair, who):
    first, second = pair
    client = _client(getattr(cast, who))
    url = reverse("cases:duplicate_compare", args=[first.child.pk, second.child.pk])
    for response in (
        client.get(url),
        client.post(url, {"kept": first.child.pk, "reason": "x", "confirm": "on"}),
    ):
        assert response.status_code == 404
        assert "Hoa" not in response.content.decode()
    # The list: empty for an officer of another area, 404 for anyone who resolves no duplicates.
    listing = client.get(reverse("cases:duplicates"))
    assert listing.status_code == (200 if who == "officer_elsewhere" else 404)
    assert "Hoa" not in listing.content.decode()
    assert not ChildMerge.objects.exists()


def test_the_chairman_sees_both_but_may_not_merge(cast, pair):
    first, second = pair
    client = _client(cast.chairman)
    url = reverse("cases:duplicate_compare", args=[first.child.pk, second.child.pk])
    response = client.post(url, {"kept": first.child.pk, "reason": "x", "confirm": "on"})
    assert response.status_code == 403
    assert "Chỉ cán bộ" in response.content.decode()
    assert not ChildMerge.objects.exists()


def test_the_merge_record_and_its_undo_are_hidden_from_outsiders(cast, pair):
    first, second = pair
    merge = services.child_merge(actor=cast.officer, kept=first.child, merged=second.child, reason="Trùng")
    client = _client(cast.officer_elsewhere)
    assert client.get(reverse("cases:child_merge", args=[merge.pk])).status_code == 404
    assert client.post(reverse("cases:child_merge_undo", args=[merge.pk]), {"reason": "x"}).status_code == 404
    merge.refresh_from_db()
    assert merge.undone_at is None
