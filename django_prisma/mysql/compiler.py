"""SQL compilers that cast, in the outermost SELECT only, the columns the executor would return
inexactly from MySQL: DATETIME/TIMESTAMP (cut to milliseconds), JSON (parsed by JavaScript: big
numbers and key order) and computed unsigned integers (``CAST(… AS UNSIGNED)``, which the executor
cannot serialise). They are selected as text (``CAST(… AS CHAR)``) and turned back by the
converters of ``operations.get_db_converters``."""

from django.core.exceptions import FieldError
from django.db.models.expressions import Col
from django.db.models.sql.constants import GET_ITERATOR_CHUNK_SIZE, MULTI

from ..compiler import ExecutionScopeMixin
from ..results import decided_once
from .mysqldb import import_django_backend

mysql_compiler = import_django_backend("compiler")

# Internal types whose values reach Python exactly only as text.
_AS_TEXT_ALWAYS = frozenset({"DateTimeField", "JSONField"})
# Unsigned results of expressions (a column of such a type is serialised exactly).
_AS_TEXT_WHEN_COMPUTED = frozenset(
    {"PositiveBigIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField"}
)


def text_result(output_field, *, column: bool) -> bool:
    """Whether a result of ``output_field`` is selected as text."""

    def decide():
        try:
            internal_type = output_field.get_internal_type()
        except AttributeError:
            return False
        return internal_type in _AS_TEXT_ALWAYS or (
            not column and internal_type in _AS_TEXT_WHEN_COMPUTED
        )

    return decided_once(output_field, "mysql_column_text" if column else "mysql_text", decide)


def cast_result(output_field, sql, *, column=False):
    """``sql`` (a result column of ``output_field``) as the executor can return it exactly."""
    return f"CAST({sql} AS CHAR)" if text_result(output_field, column=column) else sql


def _cast(expression, sql):
    try:
        output_field = expression.output_field
    except (AttributeError, FieldError):
        return sql
    return cast_result(output_field, sql, column=isinstance(expression, Col))


class ResultCastingMixin:
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
                (expression, (_cast(expression, sql), params), alias)
                for expression, (sql, params), alias in select
            ]
        return select, klass_info, annotations


class SQLCompiler(ExecutionScopeMixin, ResultCastingMixin, mysql_compiler.SQLCompiler):
    pass


class SQLInsertCompiler(mysql_compiler.SQLInsertCompiler):
    pass


class SQLDeleteCompiler(ExecutionScopeMixin, mysql_compiler.SQLDeleteCompiler):
    scope_kind = "write"


class SQLUpdateCompiler(ExecutionScopeMixin, mysql_compiler.SQLUpdateCompiler):
    scope_kind = "write"


class SQLAggregateCompiler(ExecutionScopeMixin, mysql_compiler.SQLAggregateCompiler):
    pass
