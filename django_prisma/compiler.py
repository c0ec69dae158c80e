"""SQL compilers that cast, in the outermost SELECT only, the columns the executor would return
inexactly: JSON (parsed by JavaScript: big numbers, key order, ``$type``), intervals (not
serialisable at all), float8 columns (NaN and ±Infinity become null) and contrib.postgres's
ranges, search vectors, hstore and arrays (``postgres_fields``)."""

from django.core.exceptions import FieldError
from django.db.backends.postgresql import compiler as pg
from django.db.models.expressions import Col
from django.db.models.sql.compiler import SQLCompiler as BaseSQLCompiler
from django.db.models.sql.constants import GET_ITERATOR_CHUNK_SIZE, MULTI
from django.db.models.sql.query import Query

from .chunked import KeyedReads
from .postgres_fields import text_result_type
from .results import decided_once

# Context managers entered around every execute_sql() of this backend's compilers, by kind:
# "read" (SELECT compilers) and "write" (UPDATE and DELETE compilers); each is called with the
# compiler's Query. The cache registers its own (django_prisma.cache.install()); empty otherwise,
# and no other database's compilers are affected.
EXECUTION_SCOPES: dict = {}


class ExecutionScopeMixin:
    scope_kind = "read"

    def execute_sql(self, *args, **kwargs):
        scope = EXECUTION_SCOPES.get(self.scope_kind)
        if scope is None:
            return super().execute_sql(*args, **kwargs)
        with scope(self.query):
            return super().execute_sql(*args, **kwargs)


def _cast(expression, sql, connection):
    try:
        output_field = expression.output_field
    except (AttributeError, FieldError):
        return sql
    return cast_result(output_field, sql, connection, column=isinstance(expression, Col))


def cast_result(output_field, sql, connection, *, column=False):
    """``sql`` (a result column of ``output_field``) as the executor can return it exactly; the
    converters of ``operations.get_db_converters`` turn it back."""
    around = decided_once(
        output_field,
        "column_cast" if column else "cast",
        lambda: _cast_around(output_field, connection, column),
    )
    return f"{around[0]}{sql}{around[1]}" if around else sql


_AS_TEXT = ("(", ")::text")


def _cast_around(output_field, connection, column):
    """What goes before and after such a column, or None."""
    try:
        internal_type = output_field.get_internal_type()
    except AttributeError:
        return None
    if internal_type == "JSONField":
        return _AS_TEXT
    if internal_type == "DurationField":
        return ("EXTRACT(EPOCH FROM ", ")")
    if internal_type == "FloatField" and column:
        return _AS_TEXT
    if text_result_type(output_field, connection):
        return _AS_TEXT
    return None


class OutermostResultMixin:
    """Casts the columns of the SELECT whose rows reach Python — the executed query, or each
    part of the UNION / INTERSECT / EXCEPT it executes (cast alike, so their columns still
    agree) — never those of a subquery, with the dialect's ``cast_result_column``."""

    query: Query  # set by Django's SQLCompiler, which the mixin precedes
    _outermost = False

    def cast_result_column(self, expression, sql):
        raise NotImplementedError

    def execute_sql(
        self, result_type=MULTI, chunked_fetch=False, chunk_size=GET_ITERATOR_CHUNK_SIZE
    ):
        self._outermost = True
        return super().execute_sql(result_type, chunked_fetch, chunk_size)

    def _returns_rows_to_python(self) -> bool:
        return self._outermost or getattr(self.query, "_prisma_result_part", False)

    def get_combinator_sql(self, combinator, all):
        if self._returns_rows_to_python():
            for query in self.query.combined_queries:
                query._prisma_result_part = True
        return super().get_combinator_sql(combinator, all)

    def get_select(self, *args, **kwargs):
        select, klass_info, annotations = super().get_select(*args, **kwargs)
        if self._returns_rows_to_python() and not self.query.combinator:
            select = [
                (expression, (self.cast_result_column(expression, sql), params), alias)
                for expression, (sql, params), alias in select
            ]
        return select, klass_info, annotations


class PageFirstMixin:
    """A sliced select_related query selects its page before it joins (``page_first``):
    neither PostgreSQL nor MariaDB pushes the LIMIT below the joins, and join every matching row
    before keeping 20. A page with a missing related row goes again as Django wrote it.
    ``OPTIONS["page_first_joins"] = False`` turns it off."""

    query: Query
    _page_first_wanted = False
    _page_first = None

    def execute_sql(
        self, result_type=MULTI, chunked_fetch=False, chunk_size=GET_ITERATOR_CHUNK_SIZE
    ):
        self._page_first_wanted = (
            result_type == MULTI and not chunked_fetch and self.connection.page_first_joins
        )
        result = super().execute_sql(result_type, chunked_fetch, chunk_size)
        if self._page_first and result and self._page_first.missing_related_row(result):
            self._page_first_wanted = False
            result = super().execute_sql(result_type, chunked_fetch, chunk_size)
        return result

    def pre_sql_setup(self, with_col_aliases=False):
        extra_select, order_by, group_by = super().pre_sql_setup(with_col_aliases)
        self._page_first = None
        query = self.query
        if self._page_first_wanted and query.select_related and query.high_mark is not None:
            from . import page_first  # imported by the first sliced select_related query

            self._page_first = page_first.plan(self, order_by, extra_select)
            if self._page_first is not None:
                self.where = None  # it moved into the page's subquery
        return extra_select, order_by, group_by

    def get_from_clause(self):
        if self._page_first is not None:
            return self._page_first.from_clause(self)
        return super().get_from_clause()


class ResultCastingMixin(OutermostResultMixin):
    """PostgreSQL's casts (``cast_result``), the driver told that the results are exact, and
    ``iterator()``'s keyed reads (chunked.py)."""

    def cast_result_column(self, expression, sql):
        return _cast(expression, sql, self.connection)

    def execute_sql(
        self, result_type=MULTI, chunked_fetch=False, chunk_size=GET_ITERATOR_CHUNK_SIZE
    ):
        if chunked_fetch and result_type == MULTI:
            # iterator(): tell the chunked cursor how to read rows by key (chunked.py); its
            # statements select this query's cast columns (or its keys), all exact.
            keyed_reads = KeyedReads.of(self.query, self.connection)
            with self.connection.chunked_reads(keyed_reads), self.connection.exact_results():
                return super().execute_sql(result_type, chunked_fetch, chunk_size)
        with self.connection.exact_results():  # its outermost SELECT is cast (get_select)
            return super().execute_sql(result_type, chunked_fetch, chunk_size)


# PageFirstMixin before ResultCastingMixin: a page sent again as Django wrote it (a missing
# related row) is a second execution, on a second cursor, that is exact too.
class SQLCompiler(ExecutionScopeMixin, PageFirstMixin, ResultCastingMixin, pg.SQLCompiler):
    pass


class SQLInsertCompiler(pg.SQLInsertCompiler):
    pass


class SQLDeleteCompiler(ExecutionScopeMixin, pg.SQLDeleteCompiler):
    scope_kind = "write"


class SQLUpdateCompiler(ExecutionScopeMixin, pg.SQLUpdateCompiler):
    scope_kind = "write"


class SQLAggregateCompiler(ExecutionScopeMixin, pg.SQLAggregateCompiler):
    pass


__all__ = [
    "BaseSQLCompiler",
    "SQLAggregateCompiler",
    "SQLCompiler",
    "SQLDeleteCompiler",
    "SQLInsertCompiler",
    "SQLUpdateCompiler",
]
