from typing import TYPE_CHECKING

from ..dbapi.mysql.literals import quote
from .mysqldb import import_django_backend

if TYPE_CHECKING:  # what mypy reads; at run time, only import_django_backend imports it
    from django.db.backends.mysql import schema as mysql_schema
else:
    mysql_schema = import_django_backend("schema")


class DatabaseSchemaEditor(mysql_schema.DatabaseSchemaEditor):
    def quote_value(self, value):
        # MySQLdb's connection.escape(): the driver's MySQL literals, without a connection.
        return quote(value)
