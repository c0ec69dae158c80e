import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from ..dbapi.mysql.literals import interpolate
from ..results import decided_once, returning_clause
from .compiler import cast_result, text_result
from .mysqldb import import_django_backend

if TYPE_CHECKING:  # what mypy reads; at run time, only import_django_backend imports it
    from django.db.backends.mysql import operations as mysql_operations
else:
    mysql_operations = import_django_backend("operations")


class DatabaseOperations(mysql_operations.DatabaseOperations):
    compiler_module = "django_prisma.mysql.compiler"

    def last_executed_query(self, cursor, sql, params):
        # The statement as sent, its parameters as MySQL literals (what MySQLdb's _executed is).
        query = getattr(cursor, "query", None)
        return query if query is not None else interpolate(sql, params)

    def compose_sql(self, sql, params):
        return interpolate(sql, params)

    def returning_columns(self, fields):
        # MariaDB's RETURNING.
        return returning_clause(self, fields, cast_result)

    # Django < 6.0 names it return_insert_columns().
    return_insert_columns = returning_columns

    def lookup_cast(self, lookup_type, internal_type=None):
        lookup = super().lookup_cast(lookup_type, internal_type)
        if (
            internal_type == "UUIDField"
            and lookup_type in _CASE_INSENSITIVE_LOOKUPS
            and self.connection.features.has_native_uuid_field
        ):
            # MariaDB compares its UUID type with a pattern case-sensitively in prepared
            # statements, as the executor runs them (text-protocol clients match "8400-E29B"):
            # compare the UUID's text, as Django's native backend does in effect.
            return lookup.replace("%s", "CAST(%s AS CHAR)")
        return lookup

    def get_db_converters(self, expression):
        converters = super().get_db_converters(expression)
        field = expression.output_field
        converter = decided_once(
            field, "mysql_converter", lambda: _text_converter(field, self.connection)
        )
        if converter is not None:
            # First: Django's own converters (make_aware, from_db_value) want the Python value.
            converters.insert(0, converter)
        return converters


_CASE_INSENSITIVE_LOOKUPS = frozenset({"iexact", "icontains", "istartswith", "iendswith", "iregex"})


def _text_converter(output_field, connection):
    """The converter back from what the compiler's casts select, if any."""
    if not text_result(output_field, connection, column=False):
        return None
    internal_type = output_field.get_internal_type()
    if internal_type == "DateTimeField":
        return datetime_from_text
    if internal_type == "JSONField":
        return None  # Django's MySQL JSONField parses the text itself
    return int_from_decimal  # the unsigned integers, selected as DECIMAL(20, 0)


def datetime_from_text(value, expression, connection):
    if isinstance(value, str):
        return datetime.datetime.fromisoformat(value)
    return value


def int_from_decimal(value, expression, connection):
    if isinstance(value, Decimal | str):
        return int(value)
    return value
