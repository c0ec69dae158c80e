"""A PEP 249 (DB-API 2.0) driver for Prisma Postgres / Accelerate over Prisma's HTTP protocol."""

from __future__ import annotations

import datetime as _dt
import time as _time
from typing import TYPE_CHECKING

from .exceptions import (
    DatabaseError,
    DataError,
    Error,
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


def connect(url: str, **options) -> Connection:
    """``connect("prisma+postgres://HOST/?api_key=KEY")`` or ``connect(url, api_key=KEY)``."""
    from .connection import Connection

    return Connection(url, **options)


def __getattr__(name):
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


def DateFromTicks(ticks):  # noqa: N802 - PEP 249 names
    return Date(*_time.localtime(ticks)[:3])


def TimeFromTicks(ticks):  # noqa: N802
    return Time(*_time.localtime(ticks)[3:6])


def TimestampFromTicks(ticks):  # noqa: N802
    return Timestamp(*_time.localtime(ticks)[:6])


Binary = bytes


class _TypeSet(frozenset):
    def __eq__(self, other):
        return other in self if isinstance(other, str) else frozenset.__eq__(self, other)

    __hash__ = frozenset.__hash__


STRING = _TypeSet({"string", "enum", "uuid", "json"})
BINARY = _TypeSet({"bytes"})
NUMBER = _TypeSet({"int", "bigint", "float", "double", "decimal"})
DATETIME = _TypeSet({"date", "time", "datetime"})
ROWID = _TypeSet({"bigint"})

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
