"""django.contrib.postgres on django_prisma.

contrib.postgres looks up the hstore and citext type OIDs when a connection opens, selecting
``oid`` columns, which Prisma's executor cannot serialise; and it registers psycopg loaders on the
connection. Here the lookup casts the OIDs to bigint (same values), and the DB-API connection
carries an adapters map for the registrations to land in, which Django's own adapters (those its
PostgreSQL backend puts on every psycopg connection) join in ``register_adapters``.
"""

from __future__ import annotations

import sys
from typing import Any

from django.db import connections

_installed = False


def register_adapters(adapters) -> None:
    """What django.db.backends.postgresql.psycopg_any.get_adapters_template registers that
    matters here: ranges of naive datetimes dump as tstzrange (DateTimeRangeField's type), and
    jsonb, inet and cidr load as text (for the results django_prisma.postgres_fields loads)."""
    from django.db.backends.postgresql.psycopg_any import DjangoRangeDumper
    from psycopg.types.range import Range
    from psycopg.types.string import TextLoader

    adapters.register_dumper(Range, DjangoRangeDumper)
    for type_name in ("jsonb", "inet", "cidr"):
        adapters.register_loader(type_name, TextLoader)


def _get_type_oids(connection_alias, type_name, _original=None):
    from .base import DatabaseWrapper

    connection = connections[connection_alias]
    if not isinstance(connection, DatabaseWrapper):
        return _original(connection_alias, type_name)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT oid::int8, typarray::int8 FROM pg_type WHERE typname = %s", (type_name,)
        )
        rows = cursor.fetchall()
    return tuple(row[0] for row in rows), tuple(row[1] for row in rows)


def install() -> None:
    """Patch contrib.postgres's OID lookup once, if the project uses contrib.postgres (its
    app, its migration operations and its fields import the lookup's module; a project that
    imports none of them never looks OIDs up, and does not import contrib.postgres for it)."""
    global _installed
    if _installed:
        return
    # Looked up, not imported: a project that never imports contrib.postgres needs no patch.
    signals: Any = sys.modules.get("django.contrib.postgres.signals")
    if signals is None:
        return
    original = signals.get_type_oids

    def get_type_oids(connection_alias, type_name):
        return _get_type_oids(connection_alias, type_name, _original=original)

    signals.get_type_oids = get_type_oids
    _installed = True
