"""`field__in_array=[…]`: IN for the long lists of ids a page reads with (its rows' case files, their
deadlines, visits, contact rules).

Django writes one placeholder per value, and psycopg parses the statement for its placeholders on every run
(statements that long are not kept): on a home page with a few hundred ids in five such queries, that cost
more than the queries. On PostgreSQL the list goes as one array parameter (`= ANY(%s::bigint[])`); other
databases (the demo's SQLite) use IN as before."""

from django.core.exceptions import EmptyResultSet
from django.db.models import Field
from django.db.models.expressions import ColPairs
from django.db.models.fields.related import ForeignObject
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In


class _AsArray:
    lookup_name = "in_array"

    def as_postgresql(self, compiler, connection):
        if not isinstance(self.rhs, (list, tuple, set, frozenset)) or isinstance(self.lhs, ColPairs):
            return self.as_sql(compiler, connection)  # a subquery, an expression, a composite key: IN
        values = [value for value in self.rhs if value is not None]
        if not values:
            raise EmptyResultSet
        field = self.lhs.output_field
        values = [field.get_db_prep_value(value, connection, prepared=True) for value in values]
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::{field.db_type(connection)}[])", (*lhs_params, values)


@Field.register_lookup
class InArray(_AsArray, In):
    pass


@ForeignObject.register_lookup
class RelatedInArray(_AsArray, RelatedIn):
    pass
