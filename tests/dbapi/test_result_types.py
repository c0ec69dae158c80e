"""Every PostgreSQL type reads back through the driver as psycopg reads it, from SQL that casts
nothing: compared with psycopg itself on the database behind the executor (for ``prisma dev``,
the same expression evaluated there by psycopg)."""

from __future__ import annotations

import math
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from django_prisma import dbapi

# (id, SQL expression): each is also read as a one-dimensional array with a NULL element.
EXPRESSIONS = [
    ("interval", "'1 day 02:03:04.000005'::interval"),
    ("interval-negative", "'-3 mons -2 days +01:00:00'::interval"),
    ("timestamp", "'2024-05-06 07:08:09.123456'::timestamp"),
    ("timetz", "'07:08:09.123456+05:30'::timetz"),
    ("float8-nan", "'NaN'::float8"),
    ("float8-inf", "'Infinity'::float8"),
    ("float8-neg-inf", "'-Infinity'::float8"),
    ("float8-tenth", "0.1::float8"),
    ("float4-nan", "'NaN'::float4"),
    ("float4-inf", "'-Infinity'::float4"),
    ("float4", "1.1::float4"),
    ("numeric-nan", "'NaN'::numeric"),
    ("money-negative", "'-1234.50'::money"),
    (
        "jsonb-type-tag",
        """'{"$type": "Decimal", "value": "1.10", "big": 123456789012345678901}'::jsonb""",
    ),
    ("json-type-tag", """'{"$type": "Foo", "big": 12345678901234567890, "f": 1.10}'::json"""),
    ("jsonb-null", "'null'::jsonb"),
    ("regclass", "'pg_class'::regclass"),
    ("regtype", "'integer'::regtype"),
    ("regproc", "'now'::regproc"),
    ("oid", "4294967295::oid"),
    ("inet", "'192.168.0.1/24'::inet"),
    ("inet6", "'::1'::inet"),
    ("cidr", "'10.0.0.0/8'::cidr"),
    ("macaddr", "'08:00:2b:01:02:03'::macaddr"),
    ("bit", "B'101'::bit(3)"),
    ("varbit", "B'10'::varbit"),
    ("xml", "'<a>x</a>'::xml"),
    ("int4range", "int4range(1, 10)"),
    ("numrange-empty", "'empty'::numrange"),
    ("daterange", "daterange('2024-01-01', '2024-02-01', '[]')"),
    ("tstzrange", "tstzrange('2024-01-01 00:00+00', NULL)"),
    ("tsrange", "tsrange('2024-01-01 00:00', '2024-01-02 00:00')"),
    ("int4multirange", "'{[1,3), [5,8)}'::int4multirange"),
    ("tsvector", "to_tsvector('simple', 'the quick fox')"),
    ("char", "'x'::\"char\""),
    ("point", "point(1.5, 2)"),
    ("composite", "ROW(1, 'a b')::dp_pair"),
    ("enum", "'sad'::dp_mood"),
    ("int", "42"),
    ("text", "'it''s'"),
]


def _types(cursor) -> None:
    cursor.execute(
        "DO $$ BEGIN "
        "CREATE TYPE dp_pair AS (n int, s text); "
        "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
    )
    cursor.execute(
        "DO $$ BEGIN "
        "CREATE TYPE dp_mood AS ENUM ('ok', 'sad'); "
        "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
    )


@pytest.fixture
def typed_conn(conn, pg):
    _types(conn.cursor())
    _types(pg.cursor())
    return conn


def same(a, b) -> bool:
    """Equal, NaN equal to NaN, and of the same type (a str is not an IPv4Interface)."""
    if isinstance(a, float | Decimal) and type(a) is type(b) and a != a and b != b:
        return True  # NaN
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("expression", [e for _, e in EXPRESSIONS], ids=[i for i, _ in EXPRESSIONS])
def test_value_and_array_read_as_psycopg_reads_them(typed_conn, pg, expression):
    sql = f"SELECT {expression} AS v, ARRAY[{expression}, NULL] AS a"
    expected = pg.execute(sql).fetchone()
    cursor = typed_conn.cursor()
    cursor.execute(sql)
    got = cursor.fetchone()
    assert same(got[0], expected[0]), (got[0], expected[0])
    assert same(got[1], expected[1]), (got[1], expected[1])
    # Read as code written for psycopg reads them: by the names of psycopg's Column.
    assert [column.name for column in cursor.description] == ["v", "a"]
    oids = [column.type_code for column in pg.execute(sql).description]
    if oids[0] < 16384:  # a type of the database's own (enum, composite) differs between them
        assert [column.type_code for column in cursor.description] == oids


def test_table_columns_of_every_kind_through_a_plain_select(typed_conn, pg, make_table):
    columns = ", ".join(f'"{name}" {_type_of(expression)}' for name, expression in EXPRESSIONS)
    values = ", ".join(expression for _, expression in EXPRESSIONS)
    table = make_table(f"id int, {columns}")
    cursor = typed_conn.cursor()
    cursor.execute(f"INSERT INTO {table} VALUES (1, {values})")
    cursor.execute(f"SELECT * FROM {table}")
    got = cursor.fetchone()
    expected = pg.execute(f"SELECT 1, {values}").fetchone()
    for (name, _), value, want in zip(EXPRESSIONS, got[1:], expected[1:], strict=True):
        assert same(value, want), (name, value, want)
    assert [column[0] for column in cursor.description] == ["id", *(n for n, _ in EXPRESSIONS)]


def _type_of(expression: str) -> str:
    if "::" in expression:
        return expression.rsplit("::", 1)[1]
    return {
        "int4range(1, 10)": "int4range",
        "daterange('2024-01-01', '2024-02-01', '[]')": "daterange",
        "tstzrange('2024-01-01 00:00+00', NULL)": "tstzrange",
        "tsrange('2024-01-01 00:00', '2024-01-02 00:00')": "tsrange",
        "to_tsvector('simple', 'the quick fox')": "tsvector",
        "point(1.5, 2)": "point",
        "42": "int",
        "'it''s'": "text",
    }[expression]


def test_values_python_cannot_hold_are_data_errors_as_with_psycopg(conn):
    cursor = conn.cursor()
    with pytest.raises(dbapi.DataError):
        cursor.execute("SELECT 'infinity'::timestamp")
    with pytest.raises(dbapi.DataError):
        cursor.execute("SELECT '1 day'::interval * 1e9")


def test_parameters_of_a_template_keep_their_own_types(conn):
    cursor = conn.cursor()
    cursor.execute("SELECT %s AS v", [timedelta(hours=1)])
    assert cursor.fetchone() == (timedelta(hours=1),)
    cursor.execute("SELECT %s AS v", [None])
    assert cursor.fetchone() == (None,)
    cursor.execute("SELECT %s AS v", [float("nan")])
    assert math.isnan(cursor.fetchone()[0])


def test_columns_sharing_a_name(conn, pg):
    cursor = conn.cursor()
    cursor.execute("SELECT 1, 2, 'a' AS x, 'b' AS x")
    assert cursor.fetchone() == (1, 2, "a", "b")
    assert [column[0] for column in cursor.description] == ["?column?", "?column?", "x", "x"]
    sql = (
        'SELECT c.oid::regclass, c.oid, \'1 hour\'::interval AS "we""ird (x)", '
        "'2 hours'::interval AS \"we\"\"ird (x)\" FROM pg_class c WHERE c.oid = 'pg_class'::regclass"
    )
    cursor.execute(sql)
    assert cursor.fetchall() == pg.execute(sql).fetchall()
    assert [c[0] for c in cursor.description] == [c.name for c in pg.execute(sql).description]


def test_a_statement_that_cannot_parse_raises_its_own_error_before_it_runs(conn):
    cursor = conn.cursor()
    before = conn.transport.requests_sent
    with pytest.raises(dbapi.ProgrammingError) as info:
        cursor.execute("SELECT * FROM dp_no_such_table")
    assert info.value.pgcode == "42P01"
    assert conn.transport.requests_sent - before == 1


def test_describing_inside_a_transaction_keeps_it_usable(server, make_table):
    table = make_table("id int")
    conn = dbapi.connect(server.url)
    try:
        cursor = conn.cursor()
        cursor.execute(f"INSERT INTO {table} VALUES (1)")
        # A view cannot hold two columns of one name: the description fails inside a
        # savepoint, the transaction goes on and the statement runs as written.
        cursor.execute(f"SELECT id, id FROM {table}")
        assert cursor.fetchall() == [(1, 1)]
        cursor.execute(f"SELECT id, '1 hour'::interval AS d FROM {table}")
        assert cursor.fetchall() == [(1, timedelta(hours=1))]
        conn.commit()
        cursor.execute(
            "SELECT count(*) FROM pg_class WHERE relname LIKE 'django_prisma_%' "
            "AND relpersistence = 't'"
        )
        assert cursor.fetchone() == (0,)  # no view stays behind
        cursor.execute(f"SELECT count(*) FROM {table}")
        assert cursor.fetchone() == (1,)
        conn.commit()
    finally:
        conn.close()


def test_requests_exact_statements_cost_one_described_ones_one_more_once(conn):
    name = f"v_{uuid.uuid4().hex[:8]}"  # a statement this process has not described yet
    cursor = conn.cursor()
    sent = conn.transport.requests_sent

    def requests():
        nonlocal sent
        before, sent = sent, conn.transport.requests_sent
        return sent - before

    exact = conn.cursor()
    exact.results_exact = True
    exact.execute(f"SELECT 1 AS {name}")
    assert requests() == 1
    cursor.execute(f"SELECT '1 day'::interval AS {name}, %s AS n", [1])
    assert cursor.fetchone() == (timedelta(days=1), 1)
    assert requests() == 2  # described, then run
    for n in range(2, 5):
        cursor.execute(f"SELECT '1 day'::interval AS {name}, %s AS n", [n])
        assert cursor.fetchone() == (timedelta(days=1), n)
        assert requests() == 1  # the same template: described already
    other = dbapi.connect(conn.endpoint.redacted_url(), api_key=conn.endpoint.api_key)
    try:
        other.autocommit = True
        cursor = other.cursor()
        cursor.execute(f"SELECT '1 day'::interval AS {name}, %s AS n", [9])
        assert cursor.fetchone() == (timedelta(days=1), 9)
        assert other.transport.requests_sent == 1  # descriptions are kept per process
    finally:
        other.close()
    cursor = conn.cursor()
    cursor.execute(f"SELECT 2 AS {name}")  # exact types, described once: nothing rewritten
    assert requests() == 2
    cursor.execute(f"SELECT 2 AS {name}")
    assert requests() == 1


def test_type_objects_compare_with_the_oids_of_a_described_result(conn):
    cursor = conn.cursor()
    cursor.execute("SELECT 1 AS n, 'x'::text AS s, now() AS t, '1 day'::interval AS d")
    codes = [column[1] for column in cursor.description]
    assert codes == [23, 25, 1184, 1186]
    assert codes[0] == dbapi.NUMBER and codes[1] == dbapi.STRING
    assert codes[2] == dbapi.DATETIME and codes[3] == dbapi.DATETIME
    assert codes[1] != dbapi.NUMBER and codes[0] != dbapi.STRING


def test_data_modifying_with_statements_run_as_written(conn, make_table):
    """A WITH whose parts or main statement change data cannot be a view: never described,
    it runs as written (as with psycopg)."""
    table = make_table("id int PRIMARY KEY, v int")
    cursor = conn.cursor()
    cursor.execute(f"INSERT INTO {table} VALUES (1, 10), (2, 20)")
    cursor.execute(
        f"WITH x AS (SELECT 1 AS one) UPDATE {table} SET v = v + 1 WHERE id IN (SELECT one FROM x)"
    )
    cursor.execute(
        f"WITH d AS (DELETE FROM {table} WHERE id = 2 RETURNING id) SELECT count(*) FROM d"
    )
    assert cursor.fetchone() == (1,)
    cursor.execute(f"SELECT id, v FROM {table} ORDER BY id")
    assert cursor.fetchall() == [(1, 11)]
