"""``%s`` / ``%(name)s`` / ``%%`` like psycopg; values are always inert data."""

from __future__ import annotations

import pytest

from django_prisma import dbapi

NASTY = [
    "'; DROP TABLE users; --",
    "' OR '1'='1",
    "$1",
    "$1::int, $2",
    "$$",
    "$tag$ inside $tag$",
    "/* open comment",
    "*/",
    "-- line comment",
    "%s",
    "%(name)s",
    "%%",
    "100%",
    "\\",
    "\\'",
    "E'\\x41'",
    "\\x00ff",
    "a\nb\r\nc",
    "'",
    "''",
    '"',
    "?",
    ";",
    "SELECT 1; SELECT 2",
]


def test_positional_and_named(conn):
    cur = conn.cursor()
    cur.execute("SELECT %s, %s", (1, "two"))
    assert cur.fetchone() == (1, "two")
    cur.execute("SELECT %(a)s, %(b)s, %(a)s", {"a": 1, "b": "x", "unused": 3})
    assert cur.fetchone() == (1, "x", 1)


def test_percent_escapes(conn):
    cur = conn.cursor()
    cur.execute("SELECT '100%%', %s", ["50%"])
    assert cur.fetchone() == ("100%", "50%")
    cur.execute("SELECT %s LIKE 'ab%%'", ["abc"])
    assert cur.fetchone() == (True,)
    cur.execute("SELECT 'x%%'")  # no parameters: the SQL is sent as written (as psycopg does)
    assert cur.fetchone() == ("x%%",)
    cur.execute("SELECT 7 % 3, '%s'")
    assert cur.fetchone() == (1, "%s")
    cur.execute("SELECT 7 %% %s", [3])
    assert cur.fetchone() == (1,)


@pytest.mark.parametrize(
    "sql, params",
    [
        ("SELECT %s, %s", [1]),
        ("SELECT %s", [1, 2]),
        ("SELECT 1", [1]),
        ("SELECT %(a)s", {"b": 1}),
        ("SELECT %(a)s", [1]),
        ("SELECT %s", {"a": 1}),
        ("SELECT %d", [1]),
        ("SELECT %s", "x"),
        ("SELECT %s", 5),
        ("SELECT %s", [object()]),
    ],
)
def test_wrong_parameters_are_programming_errors_with_nothing_sent(conn, sql, params):
    before = conn.transport.requests_sent
    with pytest.raises(dbapi.ProgrammingError):
        conn.cursor().execute(sql, params)
    assert conn.transport.requests_sent == before


def test_nasty_values_are_stored_verbatim(conn, make_table):
    table = make_table("id int PRIMARY KEY, v text, b bytea")
    cur = conn.cursor()
    for i, value in enumerate(NASTY):
        cur.execute(f"INSERT INTO {table} VALUES (%s, %s, %s)", [i, value, value.encode()])
        assert cur.rowcount == 1
    cur.execute(f"SELECT v, b FROM {table} ORDER BY id")
    assert cur.fetchall() == [(v, v.encode()) for v in NASTY]
    cur.execute(f"SELECT count(*) FROM {table}")
    assert cur.fetchone() == (len(NASTY),)


def test_nasty_values_through_executemany_and_named(conn, make_table):
    table = make_table("id int PRIMARY KEY, v text")
    cur = conn.cursor()
    cur.executemany(
        f"INSERT INTO {table} VALUES (%(i)s, %(v)s)",
        [{"i": i, "v": v} for i, v in enumerate(NASTY)],
    )
    assert cur.rowcount == len(NASTY)
    for i, value in enumerate(NASTY):
        cur.execute(f"SELECT id FROM {table} WHERE v = %s", [value])
        assert cur.fetchall() == [(i,)]


def test_nasty_values_in_arrays(conn):
    cur = conn.cursor()
    cur.execute("SELECT %s::text[]", [NASTY])
    assert cur.fetchone() == (NASTY,)
    cur.execute("SELECT %s = ANY(%s)", ["$1", NASTY])
    assert cur.fetchone() == (True,)


def test_placeholder_inside_comment_and_identifier_are_substituted_like_psycopg(conn):
    # psycopg interpolates every %s, even in comments: counts must match its rules
    cur = conn.cursor()
    cur.execute('SELECT %s AS "col%%name" -- note: %s\n', ["a", "b"])
    assert cur.fetchone() == ("a",)
    assert cur.description[0][0] == "col%name"


def test_mogrify_shows_the_literal_sql(conn):
    cur = conn.cursor()
    assert cur.mogrify("SELECT %s, %s", ["it's", None]) == "SELECT 'it''s', NULL"
