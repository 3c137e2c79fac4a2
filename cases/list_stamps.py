"""The case lists' stamps (CaseListStamp), written by the database's own triggers (migration 0031) whenever
what a commune's case list shows changes: its case files, their open deadlines, their children's names.

The triggers are immediate: the transaction that changes a file holds its commune's stamp until it commits,
as it holds the file. A long transaction (a register's import) has them fire at its end, so that the reports
received meanwhile in the same commune do not wait for it."""

import contextlib

from django.db import DEFAULT_DB_ALIAS, connections

TRIGGERS = (
    "cases_casefile_stamp_lists",
    "cases_deadline_stamp_lists",
    "cases_deadline_changed_stamp_lists",
    "cases_child_stamp_lists",
)


@contextlib.contextmanager
def stamped_at_the_end(using: str = DEFAULT_DB_ALIAS):
    """Inside a transaction: the stamps of what the block writes are written when it ends (PostgreSQL's
    deferred triggers, fired by setting them back to immediate), each commune once, not as each row is;
    elsewhere, as they are."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SET CONSTRAINTS {', '.join(TRIGGERS)} DEFERRED")
        cursor.execute(_ONCE, ["on"])
    yield
    with connection.cursor() as cursor:
        # Back to immediate: what waited fires now (PostgreSQL), just before the transaction commits.
        cursor.execute(f"SET CONSTRAINTS {', '.join(TRIGGERS)} IMMEDIATE")
        cursor.execute(_ONCE, ["off"])


# Whether the triggers stamp each commune once (migration 0031), and the communes stamped so far: for the rest
# of the transaction.
_ONCE = "SELECT set_config('baove.stamp_once', %s, true), set_config('baove.stamped_lists', ',', true)"
