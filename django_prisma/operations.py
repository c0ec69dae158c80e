from django.conf import settings
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations

from .dbapi.literals import interpolate
from .results import duration_from_epoch, float_from_text, localize_datetime


class DatabaseOperations(PostgresOperations):
    compiler_module = "django_prisma.compiler"

    def compose_sql(self, sql, params):
        return interpolate(sql, params)

    def last_executed_query(self, cursor, sql, params):
        return getattr(cursor, "query", None)

    def get_db_converters(self, expression):
        converters = super().get_db_converters(expression)
        internal_type = expression.output_field.get_internal_type()
        if internal_type == "DurationField":
            converters.append(duration_from_epoch)
        elif internal_type == "FloatField":
            converters.append(float_from_text)
        elif internal_type == "DateTimeField" and not settings.USE_TZ:
            converters.append(localize_datetime)
        return converters

    def adapt_datetimefield_value(self, value):
        if value is None or hasattr(value, "resolve_expression"):
            return value
        if not settings.USE_TZ and value.tzinfo is None:
            # PostgreSQL would read a naive value in the session zone, which over HTTP is UTC;
            # Django means TIME_ZONE.
            from django.utils import timezone

            return timezone.make_aware(value, timezone.get_default_timezone())
        return value

    def _convert_sql_to_tz(self, sql, params, tzname):
        if not settings.USE_TZ and tzname is None:
            tzname = settings.TIME_ZONE
            return f"{sql} AT TIME ZONE %s", (*params, tzname)
        return super()._convert_sql_to_tz(sql, params, tzname)
