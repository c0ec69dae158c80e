"""SQL compilers that cast, in the outermost SELECT only, the columns the executor would return
inexactly from MySQL: DATETIME/TIMESTAMP (cut to milliseconds), JSON (parsed by JavaScript: big
numbers and key order), INT UNSIGNED columns and computed unsigned integers (JavaScript BigInts,
which the executor cannot serialise). They are selected as text (``CAST(… AS CHAR)``) and turned back by the
converters of ``operations.get_db_converters``."""

from typing import TYPE_CHECKING

from django.core.exceptions import FieldError
from django.db.models.expressions import Col
from django.db.models.fields.json import KeyTextTransform

from ..compiler import ExecutionScopeMixin, OutermostResultMixin, PageFirstMixin
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


class ResultCastingMixin(OutermostResultMixin):
    def cast_result_column(self, expression, sql):
        return _cast(expression, sql, self.connection)


class SQLCompiler(
    ExecutionScopeMixin, ResultCastingMixin, PageFirstMixin, mysql_compiler.SQLCompiler
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
