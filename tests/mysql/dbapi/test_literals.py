"""MySQL literals (``literals.quote``) against PyMySQL's own escaping, the reference for what a
MySQL client writes, and against the server itself: a value sent as a literal comes back equal."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pymysql.converters
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django_prisma.dbapi.exceptions import ProgrammingError
from django_prisma.dbapi.mysql.literals import escape_string, quote

# Any text MySQL's utf8mb4 can hold: everything but lone surrogates (not UTF-8 at all).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
# The characters that need escaping, often, among ordinary and four-byte ones.
PIECES = ["'", '"', "\\", "\x00", "\n", "\r", "\x1a", "%", "`", "a", "😀", "é", "-- ", "#", "*/"]
HOSTILE = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


def pymysql_literal(value) -> str:
    return pymysql.converters.escape_item(value, "utf8mb4")


@given(st.one_of(TEXT, HOSTILE))
def test_strings_are_escaped_exactly_as_pymysql_escapes_them(text):
    assert quote(text) == pymysql_literal(text)


def test_every_escaped_character_by_name():
    assert escape_string("a'b\"c\\d\x00e\nf\rg\x1ah") == "a\\'b\\\"c\\\\d\\0e\\nf\\rg\\Zh"
    assert escape_string("plain 😀 é %s") == "plain 😀 é %s"


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        0,
        -(2**63),
        2**64 - 1,
        1.5,
        -0.0,
        1e300,
        2.5e-308,
        Decimal("12345678901234567890.123456789012345678"),
        Decimal("-0.000001"),
        dt.date(1, 1, 1),
        dt.date(9999, 12, 31),
        dt.datetime(2024, 2, 29, 23, 59, 59, 999999),
        dt.datetime(2024, 2, 29, 0, 0),
        dt.time(0, 0),
        dt.time(23, 59, 59, 1),
    ],
    ids=repr,
)
def test_other_types_are_written_as_pymysql_writes_them(value):
    assert quote(value) == pymysql_literal(value)


@pytest.mark.parametrize("sequence", [(1, "a'", None), ["x'y", 2.5], (dt.date(2024, 1, 2),)])
def test_sequences_are_parenthesised_lists_of_pymysqls_literals(sequence):
    # For ``IN %s``, as MySQLdb and PyMySQL write a tuple.
    assert quote(sequence) == "(" + ",".join(pymysql_literal(item) for item in sequence) + ")"


def test_where_the_literal_differs_from_pymysql_in_spelling_only():
    # bytes: X'hex' (no sql_mode reads it differently) where PyMySQL writes _binary X'…'.
    assert quote(b"a'\x00") == "X'612700'" and pymysql_literal(b"a'\x00") == "_binary X'612700'"
    assert quote(b"") == "''" and quote(bytearray(b"\xff")) == "X'ff'"
    assert quote(memoryview(b"\x01")) == "X'01'"
    # TIME from a timedelta: MySQLdb's format_TIMEDELTA (a sign, unpadded hours).
    assert quote(dt.timedelta(hours=-1)) == "'-1:00:00'"
    assert quote(dt.timedelta(days=2, seconds=5, microseconds=7)) == "'48:00:05.000007'"
    # Any other type: its str() as a string, as MySQLdb writes it (a UUID among them).
    value = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert quote(value) == "'12345678-1234-5678-1234-567812345678'"


@pytest.mark.parametrize(
    "value, message",
    [
        (float("nan"), "nan can not be used with MySQL"),
        (float("-inf"), "-inf can not be used with MySQL"),
        (Decimal("NaN"), "Decimal('NaN') can not be used with MySQL"),
        (Decimal("Infinity"), "Decimal('Infinity') can not be used with MySQL"),
        (dt.datetime(2024, 1, 1, tzinfo=dt.UTC), "an aware datetime cannot be written to MySQL"),
        ({"a": 1}, "cannot adapt a dict to MySQL"),
    ],
)
def test_values_mysql_cannot_hold_are_refused_before_sending(value, message):
    with pytest.raises(ProgrammingError, match=message.replace("(", r"\(").replace(")", r"\)")):
        quote(value)


# -- through the server: what MariaDB reads from each literal -----------------------------------


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.one_of(TEXT, HOSTILE), min_size=1, max_size=8))
def test_strings_round_trip_through_the_server(my_conn, texts):
    cursor = my_conn.cursor()
    cursor.execute("SELECT " + ", ".join(["%s"] * len(texts)), texts)
    assert cursor.fetchone() == tuple(texts)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.binary(max_size=40), min_size=1, max_size=8))
def test_bytes_round_trip_through_the_server(my_conn, blobs):
    cursor = my_conn.cursor()
    cursor.execute("SELECT " + ", ".join(["CAST(%s AS BINARY)"] * len(blobs)), blobs)
    assert cursor.fetchone() == tuple(blobs)


def test_typed_literals_are_read_back_by_the_server_as_the_values(my_conn):
    values = {
        "CAST(%s AS DECIMAL(65,30))": Decimal(
            "12345678901234567890.123456789012345678901234567891"
        ),
        "CAST(%s AS DATE)": dt.date(9999, 12, 31),
        "CAST(%s AS TIME(6))": dt.timedelta(hours=-838, minutes=-59, seconds=-59),
        "%s + 0": 2**63 - 1,
        "CAST(%s AS UNSIGNED) = 18446744073709551615": 2**64 - 1,
        "%s * 1": 1e300,
        "CHAR_LENGTH(%s)": "😀'\\",
        "HEX(%s)": b"\x00\xff'",
    }
    cursor = my_conn.cursor()
    cursor.execute("SELECT " + ", ".join(values), list(values.values()))
    assert cursor.fetchone() == (
        Decimal("12345678901234567890.123456789012345678901234567891"),
        dt.date(9999, 12, 31),
        -dt.timedelta(hours=838, minutes=59, seconds=59),
        2**63 - 1,
        1,
        1e300,
        3,
        "00FF27",
    )
    cursor.execute("SELECT CAST(%s AS CHAR)", [dt.datetime(2024, 2, 29, 23, 59, 59, 999999)])
    assert cursor.fetchone() == ("2024-02-29 23:59:59.999999",)
    cursor.execute("SELECT %s IN %s, %s IN %s", [2, (1, 2), "x", ("a'", "b")])
    assert cursor.fetchone() == (1, 0)
