from ..dbapi.mysql.literals import quote
from .mysqldb import import_django_backend

mysql_schema = import_django_backend("schema")


class DatabaseSchemaEditor(mysql_schema.DatabaseSchemaEditor):
    def quote_value(self, value):
        # MySQLdb's connection.escape(): the driver's MySQL literals, without a connection.
        return quote(value)
