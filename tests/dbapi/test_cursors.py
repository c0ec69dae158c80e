"""Server-side cursors through the driver (what ``iterator()`` uses inside a transaction): DECLARE,
FETCH and CLOSE run on the connection an interactive transaction pins, on both local servers."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest

from django_prisma import dbapi


@pytest.fixture
def tx(server):
    connection = dbapi.connect(server.url, autocommit=False)
    yield connection
    connection.rollback()
    connection.close()


def test_declare_fetch_close_in_a_transaction(tx, make_table):
    table = make_table("id int PRIMARY KEY, v text")
    cursor = tx.cursor()
    cursor.executemany(f"INSERT INTO {table} VALUES (%s, %s)", [(i, f"v{i}") for i in range(7)])
    cursor.execute(f"DECLARE c1 NO SCROLL CURSOR FOR SELECT id, v FROM {table} ORDER BY id")
    cursor.execute("FETCH FORWARD 3 FROM c1")
    assert cursor.fetchall() == [(0, "v0"), (1, "v1"), (2, "v2")]
    # Insensitive: changes made after DECLARE, even by this transaction, are not seen.
    cursor.execute(f"UPDATE {table} SET v = 'changed'")
    cursor.execute(f"DELETE FROM {table} WHERE id = 5")
    cursor.execute("FETCH FORWARD 3 FROM c1")
    assert cursor.fetchall() == [(3, "v3"), (4, "v4"), (5, "v5")]
    cursor.execute("FETCH FORWARD 3 FROM c1")
    assert cursor.fetchall() == [(6, "v6")]
    cursor.execute("CLOSE c1")
    cursor.execute("SELECT count(*) FROM pg_cursors WHERE name = 'c1'")
    assert cursor.fetchone() == (0,)


def test_fetched_values_decode_like_a_select(tx):
    query = (
        "SELECT 12.50::numeric AS n, '{\"a\": [1, 2]}'::jsonb::text AS j, "
        "'2024-05-06 07:08:09.123456+00'::timestamptz AS t, "
        "'00000000-0000-0000-0000-000000000005'::uuid AS u, ARRAY[1, 2]::int[] AS a, "
        "'2024-05-06'::date AS d, NULL::text AS nothing"
    )
    cursor = tx.cursor()
    cursor.execute(query)
    selected = cursor.fetchall()
    cursor.execute(f"DECLARE c2 NO SCROLL CURSOR FOR {query}")
    cursor.execute("FETCH FORWARD 10 FROM c2")
    fetched = cursor.fetchall()
    assert fetched == selected
    assert fetched[0][0] == Decimal("12.50") and fetched[0][3] == uuid.UUID(int=5)
    assert fetched[0][2] == datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, datetime.UTC)
    assert [column[0] for column in cursor.description][:2] == ["n", "j"]


def test_a_cursor_declared_after_a_held_savepoint(tx, make_table):
    # The driver holds SAVEPOINT back to ride with the next statement: here the DECLARE.
    table = make_table("id int PRIMARY KEY")
    cursor = tx.cursor()
    cursor.execute(f"INSERT INTO {table} VALUES (1), (2)")
    cursor.execute("SAVEPOINT s1")
    cursor.execute(f"DECLARE c3 NO SCROLL CURSOR FOR SELECT id FROM {table} ORDER BY id")
    cursor.execute("ROLLBACK TO SAVEPOINT s1")  # the cursor goes with the savepoint
    with pytest.raises(dbapi.ProgrammingError):
        cursor.execute("FETCH FORWARD 1 FROM c3")


def test_with_hold_cursors_are_refused(tx, conn):
    for connection in (tx, conn):
        with pytest.raises(dbapi.NotSupportedError, match="WITH HOLD"):
            connection.cursor().execute(
                "/* x */ DECLARE c4 NO SCROLL CURSOR WITH HOLD FOR SELECT 1"
            )


def test_a_cursor_declared_in_autocommit_leaves_nothing_behind(conn):
    # An autocommit write travels in a transaction of its own, which ends with the request.
    cursor = conn.cursor()
    cursor.execute("DECLARE c5 NO SCROLL CURSOR FOR SELECT 1")
    cursor.execute("SELECT count(*) FROM pg_cursors")
    assert cursor.fetchone() == (0,)
