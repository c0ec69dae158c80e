"""What the transport needs to know of the database behind the Prisma server: how its errors read,
its name for telemetry and how to ask for the database's name. One per SQL dialect; the
connection class picks it (``Connection.dialect``)."""

from __future__ import annotations

from dataclasses import dataclass

from . import errors


@dataclass(frozen=True, slots=True)
class Dialect:
    #: OpenTelemetry's ``db.system.name``.
    name: str
    #: One row, one column: the database's name (``db.namespace``).
    namespace_sql: str
    #: The database's own errors, as the executor passes them on.
    database_error: errors.DatabaseErrorReader


POSTGRESQL = Dialect("postgresql", "SELECT current_database()", errors.postgres_error)
