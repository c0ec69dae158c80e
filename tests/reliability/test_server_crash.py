"""Killing (SIGKILL) and restarting the executor process under a live DB-API connection."""

from __future__ import annotations

import threading
import time
import uuid

import psycopg
import pytest

from django_prisma import dbapi


@pytest.fixture
def table(restartable):
    name = f"crash_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(restartable.database_url, autocommit=True) as pg:
        pg.execute(f"CREATE TABLE {name} (v int NOT NULL)")
    return name


def _count(server, table) -> int:
    with psycopg.connect(server.database_url, autocommit=True) as pg:
        return pg.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_down_server_then_restart_same_connection(restartable, table):
    conn = dbapi.connect(restartable.url, autocommit=True, read_timeout=5)
    cur = conn.cursor()
    cur.execute(f"INSERT INTO {table} VALUES (1)")
    restartable.kill()
    try:
        with pytest.raises(dbapi.OperationalError) as read_error:
            cur.execute(f"SELECT count(*) FROM {table}")
        assert "cannot connect" in str(read_error.value)
        with pytest.raises(dbapi.OperationalError) as write_error:
            cur.execute(f"INSERT INTO {table} VALUES (2)")
        # Never sent: a refused connection is a clean failure, not an unknown outcome.
        assert not isinstance(write_error.value, dbapi.OutcomeUnknown)
        assert "cannot connect" in str(write_error.value)
    finally:
        restartable.restart()
    cur.execute(f"INSERT INTO {table} VALUES (3)")  # same connection, no reconnect by the caller
    cur.execute(f"SELECT v FROM {table} ORDER BY v")
    assert cur.fetchall() == [(1,), (3,)]
    assert _count(restartable, table) == 2
    conn.close()


def test_crash_inside_an_open_transaction(restartable, table):
    conn = dbapi.connect(restartable.url, read_timeout=5)
    cur = conn.cursor()
    cur.execute(f"INSERT INTO {table} VALUES (1)")
    restartable.kill()
    restartable.restart()
    with pytest.raises(dbapi.OperationalError) as info:
        cur.execute(f"INSERT INTO {table} VALUES (2)")
    assert "no longer open" in str(info.value)
    # The transaction is gone: neither a statement nor commit() may pretend otherwise.
    with pytest.raises(dbapi.TransactionAborted):
        cur.execute(f"INSERT INTO {table} VALUES (3)")
    with pytest.raises(dbapi.TransactionAborted) as commit_error:
        conn.commit()
    assert "nothing was committed" in str(commit_error.value)
    conn.rollback()
    cur.execute(f"INSERT INTO {table} VALUES (4)")
    conn.commit()
    assert _count(restartable, table) == 1  # only the row of the new transaction
    conn.close()


def test_crash_during_a_write_in_flight(restartable, table):
    """The executor dies while an autocommit write runs: the answer is lost (OutcomeUnknown, not
    retried), and since the write travelled inside a transaction node whose COMMIT never came,
    PostgreSQL has nothing of it."""
    conn = dbapi.connect(restartable.url, autocommit=True, read_timeout=10)
    errors = []

    def write():
        try:
            conn.cursor().execute(f"INSERT INTO {table} SELECT 1 FROM pg_sleep(1.5)")
        except dbapi.Error as error:
            errors.append(error)

    before = conn.transport.requests_sent
    worker = threading.Thread(target=write)
    worker.start()
    time.sleep(0.5)
    restartable.kill()
    worker.join(15)
    try:
        assert len(errors) == 1 and isinstance(errors[0], dbapi.OutcomeUnknown), errors
        assert conn.transport.requests_sent - before == 1
        time.sleep(1.5)
        assert _count(restartable, table) == 0
    finally:
        restartable.restart()
    cur = conn.cursor()
    cur.execute(f"SELECT count(*) FROM {table}")
    assert cur.fetchone() == (0,)
    conn.close()
