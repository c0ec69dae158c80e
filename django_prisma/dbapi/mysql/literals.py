"""Python values → MySQL literals, as MySQLdb (mysqlclient) writes them, and ``%s`` / ``%(name)s``
placeholders → those literals.

Binding is client-side, as MySQLdb's is: the executor would bind parameters as JSON values, cutting
datetimes to milliseconds and numbers to doubles (docs/prisma-http-protocol.md). Strings are
escaped with backslashes (``mysql_real_escape_string``'s rules for the default ``sql_mode``,
which Django's MySQL backend assumes as well: its LIKE patterns escape with ``\\``); bytes travel
as hexadecimal literals, which no ``sql_mode`` reads differently.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ..exceptions import ProgrammingError
from ..literals import interpolate as _interpolate

# String literals ('…' and "…", backslash escapes and doubled quotes), `identifiers` and comments
# (#…, "-- "…, /*…*/): a placeholder inside one of them could end it and smuggle in SQL.
_PROTECTED = re.compile(
    r"'(?:[^'\\]|\\.|'')*'|\"(?:[^\"\\]|\\.|\"\")*\"|`(?:[^`]|``)*`"
    r"|#[^\n]*|--(?:[ \t\r\f\v][^\n]*|$)|/\*.*?\*/",
    re.S,
)

_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
    "\x00": "\\0",
    "\n": "\\n",
    "\r": "\\r",
    "\x1a": "\\Z",
}
_NEEDS_ESCAPE = re.compile("[\\\\'\"\x00\n\r\x1a]")


def protected_spans(sql: str) -> list[tuple[int, int]]:
    """Where ``sql`` has string literals, quoted identifiers and comments (sorted pairs)."""
    if not any(c in sql for c in "'\"`#-/"):
        return []
    return [m.span() for m in _PROTECTED.finditer(sql)]


def escape_string(text: str) -> str:
    """The body of a single-quoted MySQL string literal holding ``text``."""
    if _NEEDS_ESCAPE.search(text) is None:
        return text
    return _NEEDS_ESCAPE.sub(lambda match: _ESCAPES[match.group(0)], text)


def _string(value: str) -> str:
    return f"'{escape_string(value)}'"


def _bytes(value: bytes | bytearray | memoryview) -> str:
    data = bytes(value)
    return f"X'{data.hex()}'" if data else "''"


def _float(value: float) -> str:
    if math.isnan(value) or math.isinf(value):
        raise ProgrammingError(f"{value!r} can not be used with MySQL")
    text = repr(value)
    return text if "e" in text else text + "e0"  # a DOUBLE literal, as MySQLdb writes it


def _decimal(value: Decimal) -> str:
    if not value.is_finite():
        raise ProgrammingError(f"Decimal({str(value)!r}) can not be used with MySQL")
    return format(value, "f")


def _datetime(value: dt.datetime) -> str:
    if value.utcoffset() is not None:
        raise ProgrammingError(
            "an aware datetime cannot be written to MySQL, whose DATETIME has no time zone: "
            "convert it to a naive datetime (Django does this for its fields)"
        )
    return f"'{value.isoformat(' ')}'"


def _timedelta(value: dt.timedelta) -> str:
    """MySQL's TIME literal ``[-]H:MM:SS[.ffffff]`` (MySQLdb's format_TIMEDELTA)."""
    sign = "-" if value < dt.timedelta(0) else ""
    value = abs(value)
    seconds = value.days * 86400 + value.seconds
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    fraction = f".{value.microseconds:06d}" if value.microseconds else ""
    return f"'{sign}{hours:d}:{minutes:02d}:{seconds:02d}{fraction}'"


def _sequence(values: Any) -> str:
    """MySQLdb's literal for a sequence: ``(a,b,c)``, for ``IN %s``."""
    return "(" + ",".join(quote(item) for item in values) + ")"


_BY_TYPE: dict[type, Callable[[Any], str]] = {
    str: _string,
    int: str,
    float: _float,
    Decimal: _decimal,
    bytes: _bytes,
    bytearray: _bytes,
    memoryview: _bytes,
    dt.datetime: _datetime,
    dt.date: lambda value: f"'{value.isoformat()}'",
    dt.time: lambda value: f"'{value.isoformat()}'",
    dt.timedelta: _timedelta,
    list: _sequence,
    tuple: _sequence,
    set: _sequence,
    frozenset: _sequence,
}


def quote(value: Any) -> str:
    """The MySQL literal of ``value`` (NULL for None, 1/0 for booleans, any other object as
    the string of its ``str()``, as MySQLdb writes it)."""
    if value is None:
        return "NULL"
    if value is True or value is False:
        return "1" if value else "0"
    convert = _BY_TYPE.get(type(value))
    if convert is None:
        for kind, candidate in _BY_TYPE.items():
            if isinstance(value, kind):
                convert = candidate
                break
        else:
            if isinstance(value, dict):
                raise ProgrammingError(
                    "cannot adapt a dict to MySQL; pass a str, number, Decimal, bytes, "
                    "date/time/datetime/timedelta, or a sequence of them"
                )
            # MySQLdb's rule for any other type (UUID among them): its str() as a string.
            convert = _string_of
    return convert(value)


def _string_of(value: Any) -> str:
    return _string(str(value))


def interpolate(sql: str, params: Any) -> str:
    """Replace ``%s`` / ``%(name)s`` placeholders with MySQL literals; ``%%`` becomes ``%``.
    A placeholder inside a string literal, quoted identifier or comment is refused."""
    return _interpolate(sql, params, quote_value=quote, spans=protected_spans)
