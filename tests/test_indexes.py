"""Indexes a composite index made redundant are gone, their foreign keys kept (cases 0030, notifications 0012):
a redundant index costs every write, and every query's planning on a new connection."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

DROPPED = {
    "cases_casefile": ("commune_id", "report_id"),
    "cases_child": ("residence_commune_id",),
    "notifications_deadline": ("target_type_id",),
}


def _indexes(table: str) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        return {
            name: details["columns"]
            for name, details in connection.introspection.get_constraints(cursor, table).items()
            if details["index"] or details["unique"]
        }


def _foreign_keys(table: str) -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table).values()
        return {details["columns"][0] for details in constraints if details["foreign_key"]}


@pytest.mark.parametrize("table", DROPPED)
def test_each_column_is_reached_by_a_composite_index_only_and_keeps_its_foreign_key(table):
    indexes = _indexes(table)
    for column in DROPPED[table]:
        assert [columns for columns in indexes.values() if columns == [column]] == [], (table, column)
        assert any(columns[0] == column and len(columns) > 1 for columns in indexes.values()), (table, column)
        assert column in _foreign_keys(table), (table, column)
