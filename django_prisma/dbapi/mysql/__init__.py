"""The driver's MySQL and MariaDB dialect: PEP 249 over Prisma's HTTP protocol, for a Prisma server
whose database is MySQL or MariaDB (``prisma://…?api_key=…``).

MySQLdb's conventions where PEP 249 leaves a choice: ``format`` placeholders (``%s``), errors whose
``args`` are ``(errno, message)``, ``cursor.lastrowid``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import (
    BINARY,
    DATETIME,
    NUMBER,
    ROWID,
    STRING,
    Binary,
    Date,
    DateFromTicks,
    Time,
    TimeFromTicks,
    Timestamp,
    TimestampFromTicks,
)
from ..exceptions import (
    DatabaseError,
    DataError,
    Error,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    Warning,
)

if TYPE_CHECKING:
    from .connection import MySQLConnection

apilevel = "2.0"
threadsafety = 1
paramstyle = "format"


def connect(url: str, **options: Any) -> MySQLConnection:
    """``connect("prisma://HOST/?api_key=KEY")`` or ``connect(url, api_key=KEY)``."""
    from .connection import MySQLConnection

    return MySQLConnection(url, **options)


__all__ = [
    "BINARY",
    "DATETIME",
    "NUMBER",
    "ROWID",
    "STRING",
    "Binary",
    "DataError",
    "DatabaseError",
    "Date",
    "DateFromTicks",
    "Error",
    "IntegrityError",
    "InterfaceError",
    "InternalError",
    "NotSupportedError",
    "OperationalError",
    "ProgrammingError",
    "Time",
    "TimeFromTicks",
    "Timestamp",
    "TimestampFromTicks",
    "Warning",
    "apilevel",
    "connect",
    "paramstyle",
    "threadsafety",
]
