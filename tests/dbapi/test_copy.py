"""COPY that streams rows beside the statement cannot travel over HTTP: refused before anything
is sent, never answered with a row count while the rows are dropped (psycopg's ``execute()`` refuses
them too, pointing at its ``copy()``). COPY between the server's own files and tables is ordinary SQL."""

from __future__ import annotations

import uuid

import pytest

from django_prisma import dbapi

STREAMING = [
    "COPY {table} FROM STDIN",
    "copy {table} (id, v) from stdin with (format csv)",
    "COPY {table} TO STDOUT",
    "COPY (SELECT * FROM {table}) TO STDOUT WITH CSV HEADER",
    "/* export */ COPY {table} TO stdout",
]


@pytest.fixture
def table(pg):
    name = f"t_{uuid.uuid4().hex[:12]}"
    pg.execute(f"CREATE TABLE {name} (id int, v text)")
    yield name
    pg.execute(f"DROP TABLE {name}")


@pytest.mark.parametrize("template", STREAMING)
def test_streaming_copy_is_refused_with_nothing_sent(executor_conn, pg, table, template):
    executor_conn.cursor().execute(f"INSERT INTO {table} VALUES (1, 'one')")
    before = executor_conn.transport.requests_sent
    with pytest.raises(dbapi.NotSupportedError, match="INSERT .*SELECT"):
        executor_conn.cursor().execute(template.format(table=table))
    assert executor_conn.transport.requests_sent == before
    assert pg.execute(f"SELECT id, v FROM {table}").fetchall() == [(1, "one")]


def test_copy_through_a_server_file_and_words_inside_literals(executor_conn, pg, table):
    cursor = executor_conn.cursor()
    cursor.execute(f"INSERT INTO {table} VALUES (1, 'to stdout'), (2, 'FROM STDIN')")
    server_file = f"/tmp/dp_copy_{table}.csv"  # the local PostgreSQL runs on this machine
    try:
        cursor.execute(
            f"COPY (SELECT * FROM {table} WHERE v <> 'TO STDOUT') TO '{server_file}' WITH CSV"
        )
        assert cursor.rowcount == 2
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(f"COPY {table} FROM '{server_file}' WITH CSV")
        assert cursor.rowcount == 2
    finally:
        pg.execute(f"COPY (SELECT 1) TO PROGRAM 'rm -f {server_file}'")
    cursor.execute(f"SELECT id, v FROM {table} ORDER BY id")
    assert cursor.fetchall() == [(1, "to stdout"), (2, "FROM STDIN")]
