"""A PEP 249 (DB-API 2.0) driver for Prisma Postgres / Accelerate over Prisma's HTTP protocol."""

from __future__ import annotations

import datetime as _dt
import time as _time
from typing import TYPE_CHECKING, Any

from .exceptions import (
    DatabaseError,
    DataError,
    Error,
    ErrorKind,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    OutcomeUnknown,
    ProgrammingError,
    QueryCanceled,
    TransactionAborted,
    TransactionExpired,
    TransactionRollbackError,
    Warning,
)
from .url import Endpoint, parse_url, split_api_key

apilevel = "2.0"
threadsafety = 1
paramstyle = "pyformat"


if TYPE_CHECKING:
    from .connection import Connection
    from .cursor import Cursor


def connect(url: str, **options: Any) -> Connection:
    """``connect("prisma+postgres://HOST/?api_key=KEY")`` or ``connect(url, api_key=KEY)``."""
    from .connection import Connection

    return Connection(url, **options)


def __getattr__(name: str) -> type:
    # The connection and its HTTP stack (ssl, http.cookies, …) are imported on first use: the
    # backend's operations import the literal and decoding helpers from here at Django's setup.
    if name == "Connection":
        from .connection import Connection

        return Connection
    if name == "Cursor":
        from .cursor import Cursor

        return Cursor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


Date = _dt.date
Time = _dt.time
Timestamp = _dt.datetime


def DateFromTicks(ticks: float) -> _dt.date:  # noqa: N802 - PEP 249 names
    return Date(*_time.localtime(ticks)[:3])


def TimeFromTicks(ticks: float) -> _dt.time:  # noqa: N802
    return Time(*_time.localtime(ticks)[3:6])


def TimestampFromTicks(ticks: float) -> _dt.datetime:  # noqa: N802
    return Timestamp(*_time.localtime(ticks)[:6])


Binary = bytes


class _TypeSet(frozenset[str | int]):
    """A PEP 249 type object: equal to the type codes of ``description`` it stands for — the
    PostgreSQL type OID of a described result (as psycopg's), or the executor's type name of a
    result the driver did not describe (``Cursor.results_exact``)."""

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str | int) and not isinstance(other, bool):
            return other in self
        return frozenset.__eq__(self, other)

    __hash__ = frozenset.__hash__


# text, varchar, bpchar, name, "char", json, jsonb, uuid, xml
STRING = _TypeSet({"string", "enum", "uuid", "json", 25, 1043, 1042, 19, 18, 114, 3802, 2950, 142})
BINARY = _TypeSet({"bytes", 17})
# int2, int4, int8, oid, float4, float8, numeric, money
NUMBER = _TypeSet(
    {"int", "bigint", "float", "double", "decimal", 21, 23, 20, 26, 700, 701, 1700, 790}
)
# date, time, timetz, timestamp, timestamptz, interval
DATETIME = _TypeSet({"date", "time", "datetime", 1082, 1083, 1266, 1114, 1184, 1186})
ROWID = _TypeSet({"bigint", 26})

__all__ = [
    "BINARY",
    "DATETIME",
    "NUMBER",
    "ROWID",
    "STRING",
    "Binary",
    "Connection",
    "Cursor",
    "DataError",
    "DatabaseError",
    "Date",
    "DateFromTicks",
    "Endpoint",
    "Error",
    "ErrorKind",
    "IntegrityError",
    "InterfaceError",
    "InternalError",
    "NotSupportedError",
    "OperationalError",
    "OutcomeUnknown",
    "ProgrammingError",
    "QueryCanceled",
    "Time",
    "TimeFromTicks",
    "Timestamp",
    "TimestampFromTicks",
    "TransactionAborted",
    "TransactionExpired",
    "TransactionRollbackError",
    "Warning",
    "apilevel",
    "connect",
    "paramstyle",
    "parse_url",
    "split_api_key",
    "threadsafety",
]
