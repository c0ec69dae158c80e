"""django.contrib.postgres's field values in results, on django_prisma.

Prisma's executor cannot return ranges, tsvector, tsquery, arrays of those, of user types (hstore,
citext, enums) or of JSON exactly, nor any multi-dimensional integer array (§5.2 of the protocol
notes). The SQL compiler selects such columns as ``::text`` in the outermost SELECT, and the
converter here loads PostgreSQL's text output with psycopg's own loaders, through the adapters
of the connection (where contrib.postgres registers hstore and citext), so the values are those a
psycopg connection returns: ``Range`` objects, dicts, nested lists of the element type.
"""

from __future__ import annotations

import re
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from psycopg import abc as psycopg_abc
from psycopg.adapt import Transformer
from psycopg.pq import Format
from psycopg.types.range import Range

from .dbapi.decoding import parse_array_literal

# Non-array types the executor cannot return (or returns as text psycopg would parse).
TEXT_RESULT_TYPES = frozenset(
    {
        "int4range",
        "int8range",
        "numrange",
        "daterange",
        "tsrange",
        "tstzrange",
        "tsvector",
        "tsquery",
        "hstore",
    }
)

# Element types of one-dimensional arrays the executor returns exactly as JSON arrays.
NATIVE_ARRAY_ELEMENTS = frozenset(
    {
        "smallint",
        "integer",
        "bigint",
        "numeric",
        "boolean",
        "text",
        "varchar",
        "character varying",
        "char",
        "character",
        "uuid",
        "date",
        "time",
        "timestamp",
        "timestamp with time zone",
        "bytea",
        "inet",
        "cidr",
        "real",
        "double precision",
    }
)

_MODIFIERS = re.compile(r"\(.*?\)")


def _field_classes():
    """contrib.postgres's field classes whose values are selected as text, among those the
    project imported: a field of a class nobody imported cannot exist, and a project that uses
    none of them does not import contrib.postgres because of this backend."""
    fields = sys.modules.get("django.contrib.postgres.fields")
    search = sys.modules.get("django.contrib.postgres.search")
    classes = ()
    if fields is not None:
        classes += (fields.ArrayField, fields.HStoreField, fields.RangeField)
    if search is not None:
        classes += (search.SearchQueryField, search.SearchVectorField)
    return (fields.ArrayField if fields is not None else None), classes


def _base_type(db_type: str) -> str:
    return _MODIFIERS.sub("", db_type).strip().lower()


def text_result_type(field, connection) -> str | None:
    """The PostgreSQL type of ``field``'s values (``integer[]`` for arrays of any depth) when the
    compiler must select them as text for the executor, else None."""
    array_field, classes = _field_classes()
    if getattr(field, "generated", False):  # GeneratedField: its output field's values
        field = field.output_field
    if not classes or not isinstance(field, classes):
        return None
    if isinstance(field, array_field):
        depth = 0
        while isinstance(field, array_field):
            field, depth = field.base_field, depth + 1
        db_type = field.db_type(connection)
        if db_type is None:
            return None
        element = _base_type(db_type)
        if depth == 1 and element in NATIVE_ARRAY_ELEMENTS:
            return None
        return element + "[]"
    db_type = field.db_type(connection)
    if db_type is None:
        return None
    db_type = _base_type(db_type)
    return db_type if db_type in TEXT_RESULT_TYPES else None


class TextResultLoader:
    """A converter (``get_db_converters``) from a column's text to psycopg's value for its type."""

    def __init__(self, type_name: str):
        self.is_array = type_name.endswith("[]")
        self.base_name = type_name[:-2] if self.is_array else type_name

    def __call__(self, value, expression, connection):
        if not isinstance(value, str):
            return value
        dbapi_connection = connection.connection
        adapters = dbapi_connection.adapters
        info = adapters.types.get(self.base_name)
        oid = (info.array_oid if self.is_array else info.oid) if info is not None else 0
        if not oid:
            return parse_array_literal(value) if self.is_array else value
        value = _transformer(dbapi_connection).get_loader(oid, Format.TEXT).load(value.encode())
        if self.base_name in ("tstzrange", "timestamp with time zone", "timestamptz"):
            value = _in_django_zone(value, connection)
        return value


def _transformer(dbapi_connection) -> psycopg_abc.Transformer:
    adapters = dbapi_connection.adapters
    cached = getattr(dbapi_connection, "_django_prisma_loaders", None)
    if cached is None or cached[0] != adapters.generation:
        cached = (adapters.generation, Transformer(adapters))
        dbapi_connection._django_prisma_loaders = cached
    return cached[1]


def _in_django_zone(value, connection):
    """Loaded timestamptz values are in UTC; Django's psycopg loader gives them in the
    connection's zone, or as naive wall clock of TIME_ZONE without USE_TZ."""
    if isinstance(value, list):
        return [_in_django_zone(item, connection) for item in value]
    if isinstance(value, Range):
        if value.isempty:
            return value
        return Range(
            _in_django_zone(value.lower, connection),
            _in_django_zone(value.upper, connection),
            value.bounds,
        )
    if isinstance(value, datetime) and value.tzinfo is not None:
        if settings.USE_TZ:
            return value.astimezone(connection.timezone)
        return value.astimezone(ZoneInfo(connection.timezone_name)).replace(tzinfo=None)
    return value
