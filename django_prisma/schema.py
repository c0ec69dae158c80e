from django.db.backends.postgresql.schema import DatabaseSchemaEditor as PostgresSchemaEditor

from .dbapi.literals import quote


class DatabaseSchemaEditor(PostgresSchemaEditor):
    def quote_value(self, value):
        self.connection.ensure_connection()
        return quote(value, self.connection.connection.as_literal)
