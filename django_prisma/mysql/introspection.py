import re
from typing import TYPE_CHECKING

from .mysqldb import FIELD_TYPES, import_django_backend

if TYPE_CHECKING:  # what mypy reads; at run time, only import_django_backend imports it
    from django.db.backends.mysql import introspection as mysql_introspection
else:
    mysql_introspection = import_django_backend("introspection")
FieldInfo = mysql_introspection.FieldInfo

# information_schema's DATA_TYPE → the type code MySQLdb's cursor.description reports for it
# (TEXT and BLOB columns alike report BLOB; ENUM, SET and BINARY report STRING).
TYPE_CODES = {
    "tinyint": FIELD_TYPES["TINY"],
    "smallint": FIELD_TYPES["SHORT"],
    "mediumint": FIELD_TYPES["INT24"],
    "int": FIELD_TYPES["LONG"],
    "bigint": FIELD_TYPES["LONGLONG"],
    "decimal": FIELD_TYPES["NEWDECIMAL"],
    "float": FIELD_TYPES["FLOAT"],
    "double": FIELD_TYPES["DOUBLE"],
    "bit": FIELD_TYPES["BIT"],
    "date": FIELD_TYPES["DATE"],
    "datetime": FIELD_TYPES["DATETIME"],
    "timestamp": FIELD_TYPES["TIMESTAMP"],
    "time": FIELD_TYPES["TIME"],
    "year": FIELD_TYPES["YEAR"],
    "char": FIELD_TYPES["STRING"],
    "varchar": FIELD_TYPES["VAR_STRING"],
    "binary": FIELD_TYPES["STRING"],
    "varbinary": FIELD_TYPES["VAR_STRING"],
    "tinytext": FIELD_TYPES["BLOB"],
    "text": FIELD_TYPES["BLOB"],
    "mediumtext": FIELD_TYPES["BLOB"],
    "longtext": FIELD_TYPES["BLOB"],
    "tinyblob": FIELD_TYPES["BLOB"],
    "blob": FIELD_TYPES["BLOB"],
    "mediumblob": FIELD_TYPES["BLOB"],
    "longblob": FIELD_TYPES["BLOB"],
    "enum": FIELD_TYPES["STRING"],
    "set": FIELD_TYPES["STRING"],
    "json": FIELD_TYPES["JSON"],
    "geometry": FIELD_TYPES["GEOMETRY"],
    "uuid": FIELD_TYPES["STRING"],
    "inet4": FIELD_TYPES["STRING"],
    "inet6": FIELD_TYPES["STRING"],
}


# SHOW INDEX's columns (Table, Non_unique, Key_name, Seq_in_index, Column_name, Collation,
# Cardinality, Sub_part, Packed, Null, Index_type, Comment, Index_comment), in its order, from
# information_schema: the executor cannot serialise SHOW INDEX's unsigned 64-bit numbers.
SHOW_INDEX = re.compile(r"SHOW\s+(?:INDEX|INDEXES|KEYS)\s+FROM\s+`((?:[^`]|``)+)`", re.I)
INDEXES_SQL = (
    "SELECT table_name, CAST(non_unique AS SIGNED), index_name, CAST(seq_in_index AS SIGNED), "
    "column_name, collation, CAST(cardinality AS CHAR), CAST(sub_part AS CHAR), packed, "
    "nullable, index_type, comment, index_comment FROM information_schema.statistics "
    "WHERE table_schema = DATABASE() AND table_name = %s "
    "ORDER BY index_name <> 'PRIMARY', index_name, seq_in_index"
)


class _IndexesFromCatalog:
    """A cursor that answers SHOW INDEX FROM from information_schema.statistics."""

    def __init__(self, cursor):
        self._cursor = cursor

    def execute(self, sql, params=None):
        match = SHOW_INDEX.fullmatch(sql.strip())
        if match is not None:
            return self._cursor.execute(INDEXES_SQL, [match.group(1).replace("``", "`")])
        return self._cursor.execute(sql, params)

    def __getattr__(self, name):
        return getattr(self._cursor, name)


class DatabaseIntrospection(mysql_introspection.DatabaseIntrospection):
    def get_constraints(self, cursor, table_name):
        return super().get_constraints(_IndexesFromCatalog(cursor), table_name)

    def get_table_description(self, cursor, table_name):
        """Django's MySQL introspection reads type codes and nullability from
        ``cursor.description`` of ``SELECT * … LIMIT 1``; over HTTP there are no protocol type
        codes, so they come from information_schema (the codes MySQLdb would report)."""
        fields = super().get_table_description(cursor, table_name)
        cursor.execute(
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
            "WHERE table_name = %s AND table_schema = DATABASE()",
            [table_name],
        )
        catalog = {name: (data_type, nullable) for name, data_type, nullable in cursor.fetchall()}
        described = []
        for field in fields:
            data_type, nullable = catalog[field.name]
            described.append(
                field._replace(
                    type_code=TYPE_CODES.get(data_type.lower(), FIELD_TYPES["STRING"]),
                    null_ok=nullable == "YES",
                )
            )
        return described
