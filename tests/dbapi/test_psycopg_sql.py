"""Code written for psycopg renders SQL with the driver's connection as psycopg's context:
``sql.SQL(…).as_string(connection.connection)``, ``sql.quote(value, connection.connection)``."""

from __future__ import annotations

import datetime
import decimal
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg import sql
from psycopg.adapt import Dumper

VALUES = [
    "plain",
    "it's",
    "back\\slash \\' both",
    "",
    "emoji 🐘 and ünïcode",
    None,
    0,
    -(2**63),
    2.5,
    float("inf"),
    decimal.Decimal("1.10"),
    True,
    datetime.datetime(2020, 1, 2, 3, 4, 5, 123456),
    datetime.datetime(2020, 1, 2, 3, 4, 5, 123456, tzinfo=datetime.UTC),
    datetime.date(2020, 1, 1),
    datetime.time(23, 59, 58, 999999),
    datetime.timedelta(days=-1, seconds=5, microseconds=7),
    uuid.UUID("12345678-1234-5678-1234-567812345678"),
    [1, 2, None],
    ["a", 'b"', "c,d", None],
    b"\x00\xff'\\",
]


@pytest.fixture
def context(executor_conn):
    """The driver's connection, as psycopg's adaptation context."""
    return executor_conn


def select_of(value):
    return sql.SQL("SELECT {} AS {}").format(sql.Literal(value), sql.Identifier('odd "name"'))


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_literal_renders_and_reads_back_as_with_psycopg(context, pg, value):
    ours = select_of(value).as_string(context)
    if not isinstance(value, bytes):  # psycopg without libpq's connection escapes bytea as E'\\…'
        assert ours == select_of(value).as_string(pg)
    cursor = context.cursor()
    cursor.execute(ours)
    assert cursor.description[0][0] == 'odd "name"'
    assert cursor.fetchall() == pg.execute(select_of(value)).fetchall()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00")))
def test_quote_of_any_text_is_psycopgs(context, pg, text):
    assert sql.quote(text, context) == sql.quote(text, pg)
    cursor = context.cursor()
    cursor.execute(f"SELECT {sql.quote(text, context)}")
    assert cursor.fetchone() == (text,)


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y


class PointDumper(Dumper):
    def dump(self, obj):
        return f"({obj.x},{obj.y})".encode()


def test_dumpers_registered_on_the_connection_render_its_literals(context, pg):
    with pytest.raises(Exception, match="cannot adapt type 'Point'"):
        sql.Literal(Point(1, 2)).as_string(context)
    context.adapters.register_dumper(Point, PointDumper)
    pg.adapters.register_dumper(Point, PointDumper)
    statement = sql.SQL("SELECT {}::point::text").format(sql.Literal(Point(1, 2)))
    assert statement.as_string(context) == statement.as_string(pg)
    cursor = context.cursor()
    cursor.execute(statement.as_string(context))
    assert cursor.fetchone() == ("(1,2)",)


def test_cursors_take_compositions_and_bytes_as_psycopgs_do(context, pg, table_name):
    """A library may pass the composition itself (or bytes) to ``execute``; pgtrigger renders
    it first with ``as_string(cursor.connection)``."""
    from psycopg import ClientCursor

    pg.execute(f'CREATE TABLE {table_name} (id int, "odd ""name""" text)')
    insert = sql.SQL("INSERT INTO {} (id, {}) VALUES ({}, {})").format(
        sql.Identifier(table_name), sql.Identifier('odd "name"'), sql.Literal(1), sql.Placeholder()
    )
    select = sql.SQL("SELECT {} FROM {} WHERE id = %s").format(
        sql.Identifier('odd "name"'), sql.Identifier(table_name)
    )
    cursor = context.cursor()
    cursor.execute(insert, ["it's"])
    cursor.execute(select.as_string(context).encode(), [1])
    assert cursor.fetchall() == [("it's",)]
    assert cursor.mogrify(select, [1]) == ClientCursor(pg).mogrify(select, [1])
    cursor.executemany(insert, [["two"], ["three"]])
    assert cursor.rowcount == 2
    with pytest.raises(TypeError, match="psycopg.sql composition"):
        cursor.execute(42)
    pg.execute(f"DROP TABLE {table_name}")


def test_dumpers_registered_on_a_cursor_render_its_statements_only(context, pg):
    cursor, other = context.cursor(), context.cursor()
    cursor.adapters.register_dumper(Point, PointDumper)
    pg_cursor = pg.cursor()
    pg_cursor.adapters.register_dumper(Point, PointDumper)
    statement = "SELECT %s::point::text"
    assert cursor.mogrify(statement, [Point(3, 4)]) == "SELECT '(3,4)'::point::text"
    cursor.execute(statement, [Point(3, 4)])
    assert cursor.fetchone() == pg_cursor.execute(statement, [Point(3, 4)]).fetchone() == ("(3,4)",)
    with pytest.raises(Exception, match="cannot adapt type 'Point'"):
        other.execute(statement, [Point(3, 4)])
    with pytest.raises(Exception, match="cannot adapt type 'Point'"):
        context.cursor().execute(statement, [Point(3, 4)])
