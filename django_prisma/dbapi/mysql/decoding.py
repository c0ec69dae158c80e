"""MySQL result values as the executor serialises them → the Python values MySQLdb returns.

What the executor's MySQL adapter sends (docs/prisma-http-protocol.md, measured on MariaDB):
``int`` and ``double``/``float`` as JSON numbers, ``bigint`` and ``decimal`` as exact strings,
``datetime`` as ISO text labelled ``+00:00`` and cut to milliseconds (callers that need
microseconds select ``CAST(col AS CHAR)``: Django's compiler does), ``time`` exactly as MySQL
prints it (``-838:59:59.000000`` included), ``bytes`` in base64, a SET column as a JSON list and
``json`` parsed (numbers beyond a double's precision are lost there too: select it as text),
MariaDB's UUID as its text, typed ``bytes``.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import orjson

from ..decoding import Converter
from ..exceptions import DataError

_TIME = re.compile(r"(-)?(\d+):(\d\d):(\d\d)(?:\.(\d{1,6}))?$")


def _decimal(value: Any) -> Decimal:
    return Decimal(value if isinstance(value, str) else str(value))


def _datetime(value: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        raise DataError(f"datetime {value!r} is outside Python's datetime range") from None


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DataError(f"date {value!r} is outside Python's date range") from None


def time_as_timedelta(value: str) -> dt.timedelta:
    """MySQL's TIME (a duration, -838:59:59 to 838:59:59), as MySQLdb returns it."""
    match = _TIME.match(value)
    if match is None:
        raise DataError(f"unexpected TIME value {value!r} from the Prisma server")
    sign, hours, minutes, seconds, fraction = match.groups()
    delta = dt.timedelta(
        hours=int(hours),
        minutes=int(minutes),
        seconds=int(seconds),
        microseconds=int((fraction or "0").ljust(6, "0")),
    )
    return -delta if sign else delta


def time_as_time(value: str) -> dt.time | dt.timedelta:
    """A TIME as a time of day (what Django's MySQL backend asks MySQLdb for), or a timedelta
    when the value is no time of day (negative, or 24 hours and more)."""
    delta = time_as_timedelta(value)
    if dt.timedelta(0) <= delta < dt.timedelta(days=1):
        return (dt.datetime.min + delta).time()
    return delta


def _bytes(value: str) -> bytes | str:
    """Binary values arrive in base64; MariaDB's UUID (and INET4/INET6) columns are typed
    ``bytes`` too but arrive as their text, which base64 cannot hold ('-', ':', '.'): kept as
    the text MySQLdb returns for them."""
    try:
        return base64.b64decode(value, validate=True)
    except ValueError:  # binascii.Error, or text that is not even ASCII
        return value


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode("utf-8")


def _set_or_string(value: Any) -> Any:
    # A SET column arrives as a list of its members; MySQLdb gives MySQL's text, "a,b".
    return ",".join(value) if isinstance(value, list) else value


SCALARS: dict[str, Converter] = {
    "bigint": int,  # the builtin itself: no Python frame per value
    "decimal": _decimal,
    "datetime": _datetime,
    "date": _date,
    "time": time_as_timedelta,
    "bytes": _bytes,
    "json": _json_text,
    "string": _set_or_string,
}


def _json_as_sent(value: Any) -> str:
    # In records (``records.py``) JSON arrives as MySQL's text already.
    return value if isinstance(value, str) else _json_text(value)


def _table(*, times_as_time: bool, records: bool) -> dict[str, Converter]:
    table = dict(SCALARS)
    if times_as_time:
        table["time"] = time_as_time
    if records:
        table["json"] = _json_as_sent
        table["int"] = int
    return table


# The four tables, built once: results are decoded on every query.
_TABLES = {
    (times, records): _table(times_as_time=times, records=records)
    for times in (False, True)
    for records in (False, True)
}


def converters_for(
    types: Iterable[str], *, times_as_time: bool = False, records: bool = False
) -> list[Converter | None]:
    """One converter per column (None where the JSON value already is the Python value);
    ``records``: for the values of a result read as records (``records.py``), where 64-bit
    integers may arrive as numbers and JSON as text."""
    table = _TABLES[(bool(times_as_time), bool(records))]
    return [table.get(name) for name in types]
