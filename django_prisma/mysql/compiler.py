"""SQL compilers that cast, in the outermost SELECT only, the columns the executor would return
inexactly from MySQL: DATETIME/TIMESTAMP (cut to milliseconds), JSON (parsed by JavaScript: big
numbers and key order), INT UNSIGNED columns and computed unsigned integers (JavaScript BigInts,
which the executor cannot serialise). They are selected as text (``CAST(… AS CHAR)``) and turned back by the
converters of ``operations.get_db_converters``."""

from typing import TYPE_CHECKING

from django.core.exceptions import FieldError
from django.db.models.expressions import Col
from django.db.models.fields.json import KeyTextTransform
from django.db.models.sql.constants import GET_ITERATOR_CHUNK_SIZE, MULTI
from django.db.models.sql.query import Query

from ..compiler import ExecutionScopeMixin
from ..results import decided_once
from .mysqldb import import_django_backend

if TYPE_CHECKING:  # what mypy reads; at run time, only import_django_backend imports it
    from django.db.backends.mysql import compiler as mysql_compiler
else:
    mysql_compiler = import_django_backend("compiler")

# Internal types whose values reach Python exactly only as text.
_AS_TEXT = frozenset({"DateTimeField", "JSONField"})
# Positive*Field results of expressions: MySQL computes them as unsigned BIGINT, which the
# executor cannot serialise (a column of an unsigned type other than INT is serialised exactly).
_AS_TEXT_WHEN_COMPUTED = frozenset(
    {"PositiveBigIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField"}
)


def text_result(output_field, connection, *, column: bool) -> bool:
    """Whether a result of ``output_field`` is selected as text."""

    def decide():
        try:
            internal_type = output_field.get_internal_type()
        except AttributeError:
            return False
        if internal_type in _AS_TEXT:
            return True
        if not column and internal_type in _AS_TEXT_WHEN_COMPUTED:
            return True
        # An INT UNSIGNED column (PositiveIntegerField, and foreign keys to one) reaches the
        # executor as a JavaScript BigInt, which it cannot serialise.
        try:
            db_type = output_field.db_type(connection) or ""
        except Exception:
            return False
        return db_type.lower().startswith("integer unsigned")

    return decided_once(output_field, "mysql_column_text" if column else "mysql_text", decide)


def cast_result(output_field, sql, connection, *, column=False):
    """``sql`` (a result column of ``output_field``) as the executor can return it exactly.
    Unsigned integers become DECIMAL(20, 0) (exact, and still ordered as numbers where an ORDER
    BY names the column's alias); the others text, whose order is theirs too (DATETIME's text
    sorts chronologically)."""
    if text_result(output_field, connection, column=column):
        if output_field.get_internal_type() in ("DateTimeField", "JSONField"):
            return f"CAST({sql} AS CHAR)"
        return f"CAST({sql} AS DECIMAL(20, 0))"
    return sql


def _cast(expression, sql, connection):
    if isinstance(expression, KeyTextTransform):
        # MariaDB types JSON_UNQUOTE() binary: the executor sends its text where bytes would be
        # base64, and "abcd" reads as both.
        return f"CAST({sql} AS CHAR)"
    try:
        output_field = expression.output_field
    except (AttributeError, FieldError):
        return sql
    return cast_result(output_field, sql, connection, column=isinstance(expression, Col))


class ResultCastingMixin:
    query: Query  # set by Django's SQLCompiler, which the mixin precedes
    _outermost = False

    def execute_sql(
        self, result_type=MULTI, chunked_fetch=False, chunk_size=GET_ITERATOR_CHUNK_SIZE
    ):
        self._outermost = True
        return super().execute_sql(result_type, chunked_fetch, chunk_size)

    def _returns_rows_to_python(self) -> bool:
        # The executed query, or a part of the UNION / INTERSECT / EXCEPT it executes (all parts
        # are cast alike, so their columns still agree).
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
                (expression, (_cast(expression, sql, self.connection), params), alias)
                for expression, (sql, params), alias in select
            ]
        return select, klass_info, annotations


class PageFirstMixin:
    """A sliced select_related query selects its page before it joins (``page_first``): MariaDB
    otherwise often joins from the related table, sorts every matching row in a temporary table
    and keeps 20 (5x slower in ``bench/run.py --topology mysql``), while Prisma Client sends the
    page and its relations as two statements. A page with a missing related row goes again as
    Django wrote it."""

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
            from .. import page_first  # imported by the first sliced select_related query

            self._page_first = page_first.plan(self, order_by, extra_select)
            if self._page_first is not None:
                self.where = None  # it moved into the page's subquery
        return extra_select, order_by, group_by

    def get_from_clause(self):
        if self._page_first is not None:
            return self._page_first.from_clause(self)
        return super().get_from_clause()


class SQLCompiler(
    ExecutionScopeMixin, PageFirstMixin, ResultCastingMixin, mysql_compiler.SQLCompiler
):
    pass


class SQLInsertCompiler(mysql_compiler.SQLInsertCompiler):
    pass


class SQLDeleteCompiler(ExecutionScopeMixin, mysql_compiler.SQLDeleteCompiler):
    scope_kind = "write"


class SQLUpdateCompiler(ExecutionScopeMixin, mysql_compiler.SQLUpdateCompiler):
    scope_kind = "write"


class SQLAggregateCompiler(ExecutionScopeMixin, mysql_compiler.SQLAggregateCompiler):
    pass
