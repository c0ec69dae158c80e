"""Round-trip matrix: write through parameters, read back through the driver, compare exactly;
on the executor topology also look at what PostgreSQL itself stored (direct psycopg)."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from psycopg.types.json import Json, Jsonb

from django_prisma import dbapi

IST = timezone(timedelta(hours=5, minutes=30))
PST = timezone(timedelta(hours=-8))
NPT = timezone(timedelta(hours=5, minutes=45))
A_UUID = uuid.UUID("0b9f4d8e-6c8a-4c1e-9d3e-2f7a1b5c6d7e")
ALL_BYTES = bytes(range(256))
TRICKY_TEXT = ["a", "b,c", '"q"', None, "NULL", "", "x y", "back\\slash", "{}", "it's", "ü😀"]

# (id, column type, value written, value expected back from the driver)
CASES = [
    ("timestamptz-utc", "timestamptz", datetime(2024, 5, 6, 7, 8, 9, 123456, UTC), None),
    ("timestamptz-ist", "timestamptz", datetime(2024, 5, 6, 7, 8, 9, 123456, IST), None),
    ("timestamptz-pst", "timestamptz", datetime(2024, 12, 31, 23, 59, 59, 999999, PST), None),
    ("timestamptz-npt", "timestamptz", datetime(2000, 2, 29, 0, 0, 0, 1, NPT), None),
    ("timestamptz-min", "timestamptz", datetime(1, 1, 1, 0, 0, 0, 0, UTC), None),
    ("timestamptz-max", "timestamptz", datetime(9999, 12, 31, 23, 59, 59, 999999, UTC), None),
    ("date", "date", date(2024, 2, 29), None),
    ("date-min", "date", date(1, 1, 1), None),
    ("date-max", "date", date(9999, 12, 31), None),
    ("time-us", "time", time(7, 8, 9, 1), None),
    ("time-min", "time", time(0, 0), None),
    ("time-max", "time", time(23, 59, 59, 999999), None),
    ("numeric-38-digits", "numeric", Decimal("12345678901234567890.123456789012345678"), None),
    ("numeric-scale", "numeric", Decimal("1.10"), None),
    ("numeric-tiny", "numeric", Decimal("-0.00000000000000000001"), None),
    ("numeric-fixed-scale", "numeric(10,3)", Decimal("0.000"), None),
    ("numeric-1000-digits", "numeric", Decimal("9" * 600 + "." + "1" * 400), None),
    ("numeric-inf", "numeric", Decimal("Infinity"), None),
    ("numeric-neg-inf", "numeric", Decimal("-Infinity"), None),
    ("numeric-int-2^100", "numeric", 2**100, Decimal(2**100)),
    ("numeric-int-neg-2^100", "numeric", -(2**100), Decimal(-(2**100))),
    ("int2-min", "smallint", -32768, None),
    ("int2-max", "smallint", 32767, None),
    ("int4-min", "integer", -(2**31), None),
    ("int4-max", "integer", 2**31 - 1, None),
    ("int8-max", "bigint", 2**63 - 1, None),
    ("int8-min", "bigint", -(2**63), None),
    ("int8-2^53+1", "bigint", 2**53 + 1, None),
    ("int8-zero", "bigint", 0, None),
    ("float8-tenth", "double precision", 0.1, None),
    ("float8-max", "double precision", 1.7976931348623157e308, None),
    ("float8-denormal", "double precision", 5e-324, None),
    ("float8-negative", "double precision", -123456.789e-10, None),
    ("float4", "real", 1.5, None),
    ("text-empty", "text", "", None),
    ("text-unicode", "text", "ünïcödé ß 日本語 עברית", None),
    ("text-astral", "text", "😀𝄞🇫🇷\U0010ffff", None),
    ("text-quotes", "text", "it's \"q\" \\ back \\x00 E'x'", None),
    ("text-control", "text", "\x01\t\n\r\x7f\u2028", None),
    ("text-long", "text", "ab€" * 50_000, None),
    ("varchar", "varchar(5)", "abcde", None),
    ("bytea-all-256", "bytea", ALL_BYTES, None),
    ("bytea-empty", "bytea", b"", None),
    ("bytea-memoryview", "bytea", memoryview(ALL_BYTES * 2), ALL_BYTES * 2),
    ("uuid", "uuid", A_UUID, None),
    ("uuid-nil", "uuid", uuid.UUID(int=0), None),
    ("uuid-max", "uuid", uuid.UUID(int=2**128 - 1), None),
    ("bool-true", "boolean", True, None),
    ("bool-false", "boolean", False, None),
    ("int[]", "integer[]", [1, None, -(2**31), 2**31 - 1], None),
    ("bigint[]", "bigint[]", [2**63 - 1, -(2**63), None], None),
    ("text[]", "text[]", TRICKY_TEXT, None),
    ("uuid[]", "uuid[]", [A_UUID, uuid.UUID(int=0), None], None),
    ("numeric[]", "numeric[]", [Decimal("1.10"), Decimal("-2"), None], None),
    ("bool[]", "boolean[]", [True, False, None], None),
    ("int[]-empty", "integer[]", [], None),
    ("text[]-empty", "text[]", [], None),
    ("date[]", "date[]", [date(2024, 1, 2), None], None),
]


def _roundtrip(conn, make_table, column_type, value, **connect_options):
    table = make_table(f"id int PRIMARY KEY, v {column_type}")
    cur = conn.cursor()
    cur.execute(f"INSERT INTO {table} (id, v) VALUES (%s, %s)", [1, value])
    assert cur.rowcount == 1
    cur.execute(f"SELECT v FROM {table} WHERE id = %s", [1])
    rows = cur.fetchall()
    assert len(rows) == 1
    return table, rows[0][0]


@pytest.mark.parametrize(
    "column_type, value, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_roundtrip(conn, make_table, pg_direct, column_type, value, expected):
    expected = value if expected is None else expected
    table, got = _roundtrip(conn, make_table, column_type, value)
    assert got == expected
    assert type(got) is type(expected)
    if isinstance(expected, Decimal):
        assert str(got) == str(expected)  # scale kept, not merely numerically equal
    if isinstance(expected, datetime):
        assert got.utcoffset() == timedelta(0)  # the same instant, reported in UTC
    if pg_direct is not None:
        stored = pg_direct.execute(f"SELECT v FROM {table}").fetchone()[0]
        assert stored == expected


@pytest.mark.parametrize("column_type", sorted({c[1] for c in CASES} | {"json", "jsonb", "money"}))
def test_null_in_every_type(conn, make_table, column_type):
    table, got = _roundtrip(conn, make_table, column_type, None)
    assert got is None


def test_naive_datetime_exact_with_naive_datetimes(server, make_table, pg_direct):
    value = datetime(2024, 5, 6, 7, 8, 9, 123456)
    conn = dbapi.connect(server.url, autocommit=True, naive_datetimes=True)
    try:
        for written in (value, datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59, 59, 999999)):
            table, got = _roundtrip(conn, make_table, "timestamp", written)
            assert got == written and got.tzinfo is None
            if pg_direct is not None:
                assert pg_direct.execute(f"SELECT v FROM {table}").fetchone()[0] == written
    finally:
        conn.close()


def test_timestamp_without_time_zone_reads_back_naive_as_with_psycopg(conn, make_table, pg_direct):
    # The executor labels `timestamp` values "+00:00" like timestamptz ones; the driver reads
    # such columns as text, so they come back naive, as psycopg gives them.
    value = datetime(2024, 5, 6, 7, 8, 9, 123456)
    table, got = _roundtrip(conn, make_table, "timestamp", value)
    assert got == value and got.tzinfo is None
    if pg_direct is not None:
        assert pg_direct.execute(f"SELECT v FROM {table}").fetchone()[0] == got


def test_aware_datetime_into_timestamptz_is_the_same_instant_in_postgres(
    conn, make_table, pg_direct
):
    value = datetime(2024, 5, 6, 23, 30, 0, 654321, IST)
    table, got = _roundtrip(conn, make_table, "timestamptz", value)
    assert got == value
    assert got == datetime(2024, 5, 6, 18, 0, 0, 654321, UTC)
    cur = conn.cursor()
    cur.execute(f"SELECT (v AT TIME ZONE 'UTC')::text FROM {table}")
    assert cur.fetchone() == ("2024-05-06 18:00:00.654321",)
    if pg_direct is not None:
        assert pg_direct.execute(f"SELECT v FROM {table}").fetchone()[0] == value


def test_interval_reads_back_as_timedelta_and_casts_work(conn, make_table, pg_direct):
    value = timedelta(days=1, hours=2, minutes=3, seconds=4, microseconds=5)
    table = make_table("id int PRIMARY KEY, v interval")
    cur = conn.cursor()
    cur.execute(f"INSERT INTO {table} VALUES (1, %s), (2, %s)", [value, -value])
    cur.execute(f"SELECT v FROM {table} ORDER BY id")
    assert cur.fetchall() == [(value,), (-value,)]
    cur.execute(f"SELECT EXTRACT(EPOCH FROM v), v::text FROM {table} ORDER BY id")
    assert cur.fetchall() == [
        (Decimal("93784.000005"), "1 day 02:03:04.000005"),
        (Decimal("-93784.000005"), "-2 days +21:56:55.999995"),  # Python's normal form
    ]
    cur.execute(f"SELECT (EXTRACT(EPOCH FROM v) * 1000000)::bigint FROM {table} WHERE id = 1")
    assert timedelta(microseconds=cur.fetchone()[0]) == value
    if pg_direct is not None:
        assert pg_direct.execute(f"SELECT v FROM {table} WHERE id = 1").fetchone()[0] == value


@pytest.mark.parametrize("column_type", ["double precision", "real"])
def test_non_finite_floats(conn, make_table, pg_direct, column_type):
    table = make_table(f"id int PRIMARY KEY, v {column_type}")
    cur = conn.cursor()
    values = [math.nan, math.inf, -math.inf]
    cur.executemany(f"INSERT INTO {table} VALUES (%s, %s)", list(enumerate(values)))
    assert cur.rowcount == 3
    # The executor turns non-finite floats into JSON null: the driver reads float columns as
    # text, so they come back as psycopg gives them.
    cur.execute(f"SELECT v FROM {table} ORDER BY id")
    got = [row[0] for row in cur.fetchall()]
    assert math.isnan(got[0]) and got[1:] == [math.inf, -math.inf]
    cur.execute(f"SELECT v::text FROM {table} ORDER BY id")
    assert cur.fetchall() == [("NaN",), ("Infinity",), ("-Infinity",)]
    cur.execute(f"SELECT v IS NULL, v = 'NaN' FROM {table} WHERE id = 0")
    assert cur.fetchone() == (False, True)
    if pg_direct is not None:
        stored = [r[0] for r in pg_direct.execute(f"SELECT v FROM {table} ORDER BY id")]
        assert math.isnan(stored[0]) and stored[1:] == [math.inf, -math.inf]


def test_decimal_nan(conn, make_table, pg_direct):
    table, got = _roundtrip(conn, make_table, "numeric", Decimal("NaN"))
    assert isinstance(got, Decimal) and got.is_nan()
    if pg_direct is not None:
        assert pg_direct.execute(f"SELECT v FROM {table}").fetchone()[0].is_nan()


def test_int_beyond_bigint_overflows_a_bigint_column(conn, make_table):
    table = make_table("v bigint")
    with pytest.raises(dbapi.DataError) as info:
        conn.cursor().execute(f"INSERT INTO {table} VALUES (%s)", [2**63])
    assert info.value.pgcode == "22003"


def test_nul_byte_in_text_is_a_data_error_and_nothing_is_sent(conn, make_table):
    table = make_table("v text")
    cur = conn.cursor()
    before = conn.transport.requests_sent
    with pytest.raises(dbapi.DataError) as info:
        cur.execute(f"INSERT INTO {table} VALUES (%s)", ["a\x00b"])
    assert "NUL" in str(info.value)
    assert conn.transport.requests_sent == before
    cur.execute(f"SELECT count(*) FROM {table}")
    assert cur.fetchone() == (0,)


def test_nul_byte_in_bytea_is_fine(conn, make_table):
    _, got = _roundtrip(conn, make_table, "bytea", b"\x00" * 10)
    assert got == b"\x00" * 10


SAFE_JSON = {"a": [1, 2.5, None, True, "x"], "nested": {"k": "ü😀"}, "empty": {}, "list": []}
# Values the executor's JSON.parse would mangle on a plain read.
TRICKY_JSON_TEXT = (
    '{"big": 12345678901234567890, "$type": "Decimal", "value": "1.10", "f": 1.10, "10": 1}'
)


@pytest.mark.parametrize("column_type", ["json", "jsonb"])
@pytest.mark.parametrize("wrap", [Json, Jsonb], ids=["Json", "Jsonb"])
def test_json_dicts_and_lists(conn, make_table, pg_direct, column_type, wrap):
    for value in (SAFE_JSON, [1, "two", {"three": 3}], [], "a string", 42):
        table, got = _roundtrip(conn, make_table, column_type, wrap(value))
        assert got == value
        if pg_direct is not None:
            assert pg_direct.execute(f"SELECT v FROM {table}").fetchone()[0] == value


def test_json_text_survives_exactly_through_a_text_cast(conn, make_table, pg_direct):
    table = make_table("id int PRIMARY KEY, j json, b jsonb")
    cur = conn.cursor()
    cur.execute(f"INSERT INTO {table} VALUES (1, %s, %s)", [TRICKY_JSON_TEXT, TRICKY_JSON_TEXT])
    cur.execute(f"SELECT j::text, b::text FROM {table}")
    j_text, b_text = cur.fetchone()
    assert j_text == TRICKY_JSON_TEXT  # json keeps the text byte for byte
    assert b_text == (
        '{"f": 1.10, "10": 1, "big": 12345678901234567890, "$type": "Decimal", "value": "1.10"}'
    )
    if pg_direct is not None:
        assert pg_direct.execute(f"SELECT b::text FROM {table}").fetchone()[0] == b_text


def test_json_big_integer_via_jsonb_wrapper_text_cast(conn, make_table):
    value = {"big": 2**70, "neg": -(2**63) - 1, "$type": "BigInt"}
    table, _ = (make_table("v jsonb"), None)
    cur = conn.cursor()
    cur.execute(f"INSERT INTO {table} VALUES (%s)", [Jsonb(value)])
    cur.execute(f"SELECT v::text FROM {table}")
    assert cur.fetchone() == (
        '{"big": 1180591620717411303424, "neg": -9223372036854775809, "$type": "BigInt"}',
    )


def test_json_with_a_type_tag_reads_back_as_with_psycopg(conn, make_table, pg_direct):
    table = make_table("v jsonb")
    cur = conn.cursor()
    cur.execute(f"INSERT INTO {table} VALUES (%s)", ['{"$type": "Foo", "x": 1}'])
    cur.execute(f"SELECT v FROM {table}")
    assert cur.fetchone() == ({"$type": "Foo", "x": 1},)
    if pg_direct is not None:
        assert pg_direct.execute(f"SELECT v FROM {table}").fetchone() == ({"$type": "Foo", "x": 1},)
    cur.execute(f"SELECT v::text FROM {table}")
    assert cur.fetchone() == ('{"x": 1, "$type": "Foo"}',)


@pytest.mark.parametrize(
    "value", [Decimal("1234.50"), Decimal("0.01"), Decimal("0.00"), Decimal("92233720368547758.07")]
)
def test_positive_money_is_exact(conn, make_table, pg_direct, value):
    # psycopg has no loader for money: PostgreSQL's text, as lc_monetary (C here) prints it.
    table, got = _roundtrip(conn, make_table, "money", value)
    assert got == f"${value:,}"
    if pg_direct is not None:
        assert pg_direct.execute(f"SELECT v FROM {table}").fetchone()[0] == got
        assert pg_direct.execute(f"SELECT v::numeric FROM {table}").fetchone()[0] == value


@pytest.mark.parametrize(
    "value", [Decimal("-1.50"), Decimal("-1234.50"), Decimal("-92233720368547758.08")]
)
def test_negative_money_never_loses_its_sign(conn, make_table, value):
    table = make_table("id int PRIMARY KEY, v money")
    cur = conn.cursor()
    cur.execute(f"INSERT INTO {table} VALUES (1, %s)", [value])
    cur.execute(f"SELECT v FROM {table}")
    assert cur.fetchone() == (f"-${-value:,}",)
    cur.execute(f"SELECT v::numeric FROM {table}")
    assert cur.fetchone() == (value,)


def test_select_of_literals_without_a_table(conn):
    cur = conn.cursor()
    values = [
        1,
        2**63 - 1,
        Decimal("1.10"),
        "ü😀",
        b"\x00\xff",
        A_UUID,
        True,
        None,
        date(2024, 2, 29),
        time(1, 2, 3, 4),
        datetime(2024, 1, 2, 3, 4, 5, 6, UTC),
    ]
    cur.execute("SELECT " + ", ".join(["%s"] * len(values)), values)
    row = cur.fetchone()
    assert list(row[:5]) == values[:5]
    assert row[5:] == tuple(values[5:])


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT '24:00:00'::time",
        "SELECT 'infinity'::timestamp",
        "SELECT '-infinity'::timestamptz",
        "SELECT '10000-01-01'::timestamp",
        "SELECT '0044-03-15 BC'::date",
        "SELECT 'infinity'::date",
    ],
)
def test_values_python_cannot_hold_are_data_errors(conn, sql):
    cur = conn.cursor()
    with pytest.raises(dbapi.DataError) as info:
        cur.execute(sql)
    assert "range" in str(info.value)
    cur.execute(sql.replace("SELECT ", "SELECT (") + ")::text")  # the text form works
    assert cur.fetchone()[0]


@pytest.mark.parametrize("text", ["NaN", "-NaN", "sNaN"])
def test_every_decimal_nan_is_postgresqls_nan(conn, text):
    cur = conn.cursor()
    cur.execute("SELECT %s::numeric::text", [Decimal(text)])
    assert cur.fetchone() == ("NaN",)
