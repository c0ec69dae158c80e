"""django_prisma with django-prometheus's database metrics, as its own
``django_prometheus.db.backends.postgresql`` adds them to Django's PostgreSQL backend: new
connections and connection errors (``django_db_new_connections_total``,
``django_db_new_connection_errors_total``), statements, batches and errors by exception type
(``django_db_execute_total``, ``django_db_execute_many_total``, ``django_db_errors_total``) and
their durations (``django_db_query_duration_seconds``), labelled with the alias and the vendor
(``postgresql``). Needs ``django-prometheus`` installed."""

from django_prometheus.db.common import DatabaseWrapperMixin, ExportingCursorWrapper

from django_prisma import base


class DatabaseWrapper(DatabaseWrapperMixin, base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        params["cursor_factory"] = ExportingCursorWrapper(
            params["cursor_factory"], self.alias, self.vendor
        )
        return params

    def create_cursor(self, name=None):
        # The driver makes the counting cursors (cursor_factory); the mixin's create_cursor
        # passes a cursor class to connection.cursor(), as psycopg2 took it.
        return base.DatabaseWrapper.create_cursor(self, name)
