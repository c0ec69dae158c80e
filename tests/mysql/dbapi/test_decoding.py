"""The executor's MySQL result values → the Python values MySQLdb returns (the decoding table)."""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal

import pytest

from django_prisma.dbapi.exceptions import DataError
from django_prisma.dbapi.mysql.decoding import (
    converters_for,
    time_as_time,
    time_as_timedelta,
)


def decoded(kind: str, value, **options):
    (convert,) = converters_for([kind], **options)
    return value if convert is None else convert(value)


@pytest.mark.parametrize(
    "kind, wire, python",
    [
        ("int", 7, 7),
        ("double", 1.5, 1.5),
        ("float", 0.25, 0.25),
        ("bigint", "18446744073709551615", 2**64 - 1),
        ("bigint", "-9223372036854775808", -(2**63)),
        ("decimal", "12345678901234567890.123456789", Decimal("12345678901234567890.123456789")),
        ("decimal", 1.5, Decimal("1.5")),
        ("datetime", "2024-02-29T23:59:59.123+00:00", dt.datetime(2024, 2, 29, 23, 59, 59, 123000)),
        ("date", "0001-01-01", dt.date(1, 1, 1)),
        ("time", "838:59:59.000000", dt.timedelta(hours=838, minutes=59, seconds=59)),
        ("time", "-838:59:59.000000", -dt.timedelta(hours=838, minutes=59, seconds=59)),
        ("time", "01:02:03.5", dt.timedelta(hours=1, minutes=2, seconds=3, microseconds=500000)),
        ("bytes", base64.b64encode(b"\x00\xff'").decode(), b"\x00\xff'"),
        ("bytes", "", b""),
        # MariaDB's UUID (and INET6) arrive typed bytes but as their text: kept as text.
        ("bytes", "12345678-1234-5678-1234-567812345678", "12345678-1234-5678-1234-567812345678"),
        ("bytes", "::1", "::1"),
        # MariaDB's JSON_UNQUOTE() is typed bytes too and arrives as text, not always ASCII.
        ("bytes", "héllo wörld", "héllo wörld"),
        ("json", {"b": [1, None, "ü"], "a": True}, '{"b":[1,null,"ü"],"a":true}'),
        ("string", ["a", "c"], "a,c"),  # a SET column: MySQL's text
        ("string", "it's", "it's"),
        ("unknown-type", "kept", "kept"),
    ],
)
def test_decoding_table(kind, wire, python):
    value = decoded(kind, wire)
    assert value == python and type(value) is type(python)


def test_time_of_day_when_django_asks_for_it():
    assert decoded("time", "13:14:15.000001", times_as_time=True) == dt.time(13, 14, 15, 1)
    assert decoded("time", "00:00:00", times_as_time=True) == dt.time(0, 0)
    # No time of day: kept a duration (negative, or a day and more).
    assert time_as_time("-00:00:01") == dt.timedelta(seconds=-1)
    assert time_as_time("24:00:00") == dt.timedelta(days=1)
    assert decoded("time", "01:00:00") == dt.timedelta(hours=1), "MySQLdb's default"


@pytest.mark.parametrize(
    "kind, wire, message",
    [
        ("datetime", "0000-00-00T00:00:00+00:00", "outside Python's datetime range"),
        ("date", "0000-00-00", "outside Python's date range"),
        ("time", "noon", "unexpected TIME value 'noon'"),
    ],
)
def test_values_python_cannot_hold_are_data_errors(kind, wire, message):
    with pytest.raises(DataError, match=message):
        decoded(kind, wire)


def test_time_fractions_are_microseconds_left_aligned():
    assert time_as_timedelta("00:00:00.1") == dt.timedelta(microseconds=100000)
    assert time_as_timedelta("00:00:00.000001") == dt.timedelta(microseconds=1)
