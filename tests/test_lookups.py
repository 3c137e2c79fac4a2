"""Long id lists as one array parameter (config/lookups.py) and row URLs from a kept pattern (config/reversing.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, set_script_prefix
from django.utils import timezone

from cases.models import CaseFile, CaseFlag
from config.reversing import row_url
from notifications.models import Deadline


@pytest.fixture
def files(receive):
    return [receive().case_files.get() for _ in range(3)]


def test_in_array_finds_what_in_finds_with_one_parameter(files):
    ids = [case.pk for case in files[:2]]
    with CaptureQueriesContext(connection) as queries:
        found = sorted(CaseFile.objects.filter(pk__in_array=ids).values_list("pk", flat=True))
        deadlines = sorted(Deadline.objects.filter(target_id__in_array=ids).values_list("pk", flat=True))
    assert found == sorted(ids)
    assert deadlines == sorted(Deadline.objects.filter(target_id__in=ids).values_list("pk", flat=True))
    assert deadlines  # each received file has its legal deadlines
    assert all("= ANY(" in query["sql"] and " IN (" not in query["sql"] for query in queries.captured_queries)


def test_in_array_on_a_foreign_key_takes_ids_and_objects(files, cast):
    first, second, third = files
    for case in (first, third):
        CaseFlag.objects.create(
            case=case, reason="kiểm tra", until="2099-01-01", raised_by=cast.officer, raised_at=timezone.now()
        )
    by_id = CaseFlag.objects.filter(case_id__in_array=[first.pk, second.pk]).values_list("case_id", flat=True)
    by_object = CaseFlag.objects.filter(case__in_array=[first, second]).values_list("case_id", flat=True)
    by_text = CaseFlag.objects.filter(case__in_array=[str(third.pk)]).values_list("case_id", flat=True)
    assert list(by_id) == list(by_object) == [first.pk]
    assert list(by_text) == [third.pk]


def test_in_array_of_nothing_asks_nothing(files):
    with CaptureQueriesContext(connection) as queries:
        assert list(CaseFile.objects.filter(pk__in_array=[])) == []
        assert list(CaseFile.objects.filter(pk__in_array=[None])) == []
    assert queries.captured_queries == []


def test_in_array_of_a_subquery_is_in(files):
    visible = CaseFile.objects.filter(pk=files[0].pk).values("pk")
    assert list(CaseFile.objects.filter(pk__in_array=visible).values_list("pk", flat=True)) == [files[0].pk]


def test_row_url_is_reverse_for_every_row(db):
    for pk in (1, 42, 987654320, 987654321, 10**12):
        assert row_url("cases:detail", pk) == reverse("cases:detail", args=[pk])
        assert row_url("cases:action", pk, "assess") == reverse("cases:action", args=[pk, "assess"])
        assert row_url("cases:visit_record", pk, 7) == reverse("cases:visit_record", args=[pk, 7])
        assert row_url("cases:visit_record", 7, pk) == reverse("cases:visit_record", args=[7, pk])


def test_row_url_follows_the_script_prefix(db):
    try:
        set_script_prefix("/baove/")
        assert row_url("cases:detail", 5) == "/baove/cases/5/" == reverse("cases:detail", args=[5])
    finally:
        set_script_prefix("/")
    assert row_url("cases:detail", 5) == "/cases/5/"
