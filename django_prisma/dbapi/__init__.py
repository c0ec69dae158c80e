"""A PEP 249 (DB-API 2.0) driver for Prisma Postgres / Accelerate over Prisma's HTTP protocol."""

from __future__ import annotations

import datetime as _dt
import time as _time

from .connection import Connection
from .cursor import Cursor
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


def connect(url: str, **options) -> Connection:
    """``connect("prisma+postgres://HOST/?api_key=KEY")`` or ``connect(url, api_key=KEY)``."""
    return Connection(url, **options)


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
