import datetime

import pytest
from django.db import connection

from cases.selectors import CaseFilters, case_list, child_search
from cases.text import fold
from tests.factories import child_input

pytestmark = pytest.mark.django_db


def test_fold_removes_vietnamese_diacritics():
    assert fold("  Nguyễn   Văn Đạt ") == "nguyen van dat"
    assert fold("ĐẶNG THỊ THU HƯƠNG") == "dang thi thu huong"


@pytest.fixture
def children(tree, receive):
    names = ["Nguyễn Văn An", "Nguyễn Văn Anh", "Trần Thị Bích", "Đặng Minh Đức", "Lê Thị An"]
    receive(children=[child_input(tree.commune_c1, name=name) for name in names])


def _names(matches):
    return [match.child.full_name for match in matches]


def test_search_without_diacritics_finds_the_child(cast, children):
    assert _names(child_search(cast.officer, "Nguyen Van An"))[0] == "Nguyễn Văn An"
    assert _names(child_search(cast.officer, "dang minh duc")) == ["Đặng Minh Đức"]


def test_search_tolerates_small_typos(cast, children):
    assert "Trần Thị Bích" in _names(child_search(cast.officer, "Tran Thi Bich"))
    assert "Trần Thị Bích" in _names(child_search(cast.officer, "Tran Thij Bich"))
    assert "Đặng Minh Đức" in _names(child_search(cast.officer, "Dang Min Duc"))


def test_date_of_birth_ranks_the_same_child_first(tree, cast, receive):
    receive(
        children=[
            child_input(tree.commune_c1, name="Phạm Văn Long", birth=datetime.date(2012, 5, 1)),
            child_input(tree.commune_c1, name="Phạm Văn Long", birth=datetime.date(2016, 7, 9)),
        ]
    )
    matches = child_search(cast.officer, "Pham Van Long", birth_date=datetime.date(2016, 7, 9))
    assert matches[0].child.birth_date == datetime.date(2016, 7, 9)


def test_search_stays_inside_the_jurisdiction(tree, cast, receive, children):
    receive(
        actor=cast.officer_elsewhere,
        commune=tree.commune_c4,
        children=[child_input(tree.commune_c4, name="Nguyễn Văn An")],
    )
    assert len(child_search(cast.officer, "Nguyen Van An")) == 2  # An and Anh of C1, not C4's An
    assert _names(child_search(cast.officer_elsewhere, "Nguyen Van An")) == ["Nguyễn Văn An"]
    assert child_search(cast.outsider, "Nguyen Van An") == []
    assert child_search(cast.police, "Nguyen Van An") == []


def test_the_trigram_index_exists_on_postgresql():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'child_name_key_trgm_idx'")
        assert "gin_trgm_ops" in cursor.fetchone()[0]


def test_case_list_filters(tree, cast, receive):
    receive(children=[child_input(tree.commune_c1, name="Hồ Văn Nam")], abuse_forms=["neglect"])
    receive(children=[child_input(tree.commune_c1, name="Vũ Thị Hoa")], abuse_forms=["sexual_molestation"])
    assert [c.child.full_name for c in case_list(cast.officer, CaseFilters(abuse_form="neglect"))] == ["Hồ Văn Nam"]
    assert [c.child.full_name for c in case_list(cast.officer, CaseFilters(query="vu thi"))] == ["Vũ Thị Hoa"]
    assert case_list(cast.officer, CaseFilters(state="closed")).count() == 0
    assert case_list(cast.officer_elsewhere).count() == 0
    assert case_list(cast.coordinator_province).count() == 2


def test_a_case_file_is_found_by_its_number_as_said_on_the_phone(tree, cast, receive):
    first = receive(children=[child_input(tree.commune_c1, name="Hồ Văn Nam")]).case_files.get()
    second = receive(children=[child_input(tree.commune_c1, name="Vũ Thị Hoa")]).case_files.get()
    number = int(first.reference.rsplit("-", 1)[1])
    for typed in (str(number), f"{number:06d}", first.reference.lower(), f" {number} "):
        assert [c.pk for c in case_list(cast.officer, CaseFilters(query=typed))] == [first.pk], typed
    assert [c.pk for c in case_list(cast.officer_elsewhere, CaseFilters(query=str(number)))] == []  # not theirs
    assert second.pk not in [c.pk for c in case_list(cast.officer, CaseFilters(query=str(number)))]
    assert list(case_list(cast.officer, CaseFilters(query="²"))) == []  # a digit to isdigit(), not to int()


def test_the_exact_name_comes_first_even_when_a_close_name_is_far_more_common(tree, cast, receive):
    receive(children=[child_input(tree.commune_c1, name="Trần Thị Bích") for _ in range(2)])
    receive(children=[child_input(tree.commune_c1, name="Trần Thu Bích") for _ in range(12)])
    matches = child_search(cast.officer, "Tran Thi Bich", limit=2)  # ranks 10 children: both names read
    assert _names(matches) == ["Trần Thị Bích", "Trần Thị Bích"]
    assert len(child_search(cast.officer, "Tran Thi Bich", limit=10)) == 10


def test_an_officer_finds_the_child_of_their_commune_when_the_best_name_lives_elsewhere(tree, cast, receive):
    receive(
        actor=cast.officer_elsewhere,
        commune=tree.commune_c4,
        children=[child_input(tree.commune_c4, name="Nguyễn Văn An") for _ in range(6)],
    )
    receive(children=[child_input(tree.commune_c1, name="Nguyễn Văn Anh")])
    # One result ranks five children: the registry holds five "Nguyễn Văn An" (none the officer's), then "Anh".
    matches = child_search(cast.officer, "Nguyen Van An", limit=1)
    assert _names(matches) == ["Nguyễn Văn Anh"]
    assert {match.child.residence_commune_id for match in child_search(cast.officer, "Nguyen Van An")} == {
        tree.commune_c1.pk
    }
    assert _names(child_search(cast.officer_elsewhere, "Nguyen Van An", limit=1)) == ["Nguyễn Văn An"]
    assert len(child_search(cast.officer_elsewhere, "Nguyen Van An")) == 6  # not C1's Anh
    assert child_search(cast.police, "Nguyen Van An") == []


def test_the_search_reads_a_fixed_number_of_times_whatever_the_names(
    tree, cast, receive, django_assert_max_num_queries
):
    middles = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Gia", "Thành", "Công"]
    receive(children=[child_input(tree.commune_c1, name=f"Lê {middle} Nam") for middle in middles])
    receive(
        actor=cast.officer_elsewhere,
        commune=tree.commune_c4,
        children=[child_input(tree.commune_c4, name="Lê Văn Nam") for _ in range(3)],
    )
    child_search(cast.officer, "Le Van Nam", record=False)  # the vocabulary of names, read once and kept
    # Named restricted files, the names, the best names' children (two reads), the other names' children.
    with django_assert_max_num_queries(5):
        matches = child_search(cast.officer, "Le Van Nam", limit=2, record=False)
    assert _names(matches)[0] == "Lê Văn Nam"
    assert {match.child.residence_commune_id for match in matches} == {tree.commune_c1.pk}
    assert len(child_search(cast.officer, "Le Nam", limit=10, record=False)) == 8


def test_a_single_word_is_searched_as_the_given_name_in_every_family(cast, children):
    assert set(_names(child_search(cast.officer, "An"))) >= {"Nguyễn Văn An", "Lê Thị An"}
    assert "Trần Thị Bích" not in _names(child_search(cast.officer, "An"))


def test_a_record_merged_away_is_never_offered(tree, cast, receive, children):
    from cases.models import Child

    kept = Child.objects.get(full_name="Nguyễn Văn An")
    duplicate = Child.objects.get(full_name="Lê Thị An")
    Child.objects.filter(pk=duplicate.pk).update(merged_into=kept)
    assert "Lê Thị An" not in _names(child_search(cast.officer, "Le Thi An"))
