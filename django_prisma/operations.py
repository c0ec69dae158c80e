from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations

from .dbapi.literals import interpolate
from .postgres_fields import TextResultLoader, text_result_type
from .results import decided_once, duration_from_epoch, float_from_text, returning_clause


class DatabaseOperations(PostgresOperations):
    compiler_module = "django_prisma.compiler"

    def compose_sql(self, sql, params):
        self.connection.ensure_connection()
        return interpolate(sql, params, self.connection.connection.as_literal)

    def last_executed_query(self, cursor, sql, params):
        return getattr(cursor, "query", None)

    def returning_columns(self, fields):
        from .compiler import cast_result

        return returning_clause(self, fields, cast_result)

    # Django < 6.0 names it return_insert_columns().
    return_insert_columns = returning_columns

    def get_db_converters(self, expression):
        converters = super().get_db_converters(expression)
        field = expression.output_field
        converter = decided_once(
            field, "converter", lambda: _result_converter(field, self.connection)
        )
        if converter is not None:
            converters.append(converter)
        return converters


def _result_converter(output_field, connection):
    """The converter back from what the compiler's casts select, if any."""
    internal_type = output_field.get_internal_type()
    if internal_type == "DurationField":
        return duration_from_epoch
    if internal_type == "FloatField":
        return float_from_text
    type_name = text_result_type(output_field, connection)
    return TextResultLoader(type_name) if type_name else None
