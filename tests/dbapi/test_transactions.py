"""PEP 249 transactions over Prisma's interactive-transaction API.

On ``prisma dev`` (PGlite) an open transaction freezes every other connection, so visibility
from *another* connection is only checked there once the transaction has ended."""

from __future__ import annotations

import socket
import uuid

import pytest

from django_prisma import dbapi


def _count(server, table, where="true"):
    check = dbapi.connect(server.url, autocommit=True)
    try:
        cur = check.cursor()
        cur.execute(f"SELECT count(*) FROM {table} WHERE {where}")
        return cur.fetchone()[0]
    finally:
        check.close()


@pytest.fixture
def tx(server):
    connection = dbapi.connect(server.url)  # autocommit=False: PEP 249's default
    yield connection
    connection.close()


def test_first_statement_opens_an_interactive_transaction(tx):
    assert tx.autocommit is False and not tx.in_transaction
    _describe_once(tx.endpoint, "SELECT 1", "SELECT 2")
    before = tx.transport.requests_sent
    tx.cursor().execute("SELECT 1")
    assert tx.in_transaction
    assert tx.transport.requests_sent - before == 2  # /transaction/start + /transaction/{id}/query
    tx.cursor().execute("SELECT 2")
    assert tx.transport.requests_sent - before == 3
    cur = tx.cursor()
    cur.execute("SELECT txid_current() = txid_current()")  # same transaction, same id twice
    first = tx.cursor()
    first.execute("SELECT txid_current()")
    second = tx.cursor()
    second.execute("SELECT txid_current()")
    assert first.fetchone() == second.fetchone()
    tx.commit()
    assert not tx.in_transaction


def test_commit_makes_writes_visible(server, tx, make_table, pg_direct):
    table = make_table("id int")
    tx.cursor().execute(f"INSERT INTO {table} VALUES (1), (2)")
    cur = tx.cursor()
    cur.execute(f"SELECT count(*) FROM {table}")
    assert cur.fetchone() == (2,)  # visible inside
    if pg_direct is not None:
        assert pg_direct.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
        assert _count(server, table) == 0  # executor: another HTTP connection does not see it
    tx.commit()
    assert _count(server, table) == 2
    if pg_direct is not None:
        assert pg_direct.execute(f"SELECT count(*) FROM {table}").fetchone() == (2,)


def test_rollback_discards_writes(server, tx, make_table, pg_direct):
    table = make_table("id int")
    tx.cursor().execute(f"INSERT INTO {table} VALUES (1)")
    tx.rollback()
    assert not tx.in_transaction
    assert _count(server, table) == 0
    if pg_direct is not None:
        assert pg_direct.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
    tx.rollback()  # nothing open: a no-op
    tx.commit()  # likewise


def test_ddl_is_transactional(server, tx, table_name):
    tx.cursor().execute(f"CREATE TABLE {table_name} (id int)")
    tx.rollback()
    conn = dbapi.connect(server.url, autocommit=True)
    with pytest.raises(dbapi.ProgrammingError) as info:
        conn.cursor().execute(f"SELECT * FROM {table_name}")
    assert info.value.pgcode == "42P01"
    conn.close()


def test_savepoints_recover_after_an_error(server, tx, make_table):
    table = make_table("id int PRIMARY KEY")
    cur = tx.cursor()
    cur.execute(f"INSERT INTO {table} VALUES (1)")
    cur.execute("SAVEPOINT s1")
    with pytest.raises(dbapi.IntegrityError):
        cur.execute(f"INSERT INTO {table} VALUES (1)")
    assert tx.transaction_failed
    cur.execute("ROLLBACK TO SAVEPOINT s1")
    assert not tx.transaction_failed
    cur.execute(f"INSERT INTO {table} VALUES (2)")
    cur.execute("SAVEPOINT s2")
    cur.execute(f"INSERT INTO {table} VALUES (3)")
    cur.execute("ROLLBACK TO SAVEPOINT s2")  # discards 3 without an error
    cur.execute("RELEASE SAVEPOINT s1")
    tx.commit()
    check = dbapi.connect(server.url, autocommit=True)
    c = check.cursor()
    c.execute(f"SELECT id FROM {table} ORDER BY id")
    assert c.fetchall() == [(1,), (2,)]
    check.close()


def test_savepoint_outside_a_transaction_is_refused(conn):
    before = conn.transport.requests_sent
    for sql in ("SAVEPOINT s", "RELEASE SAVEPOINT s", "ROLLBACK TO SAVEPOINT s"):
        with pytest.raises(dbapi.NotSupportedError):
            conn.cursor().execute(sql)
    assert conn.transport.requests_sent == before


def test_commit_after_a_failed_statement_raises_and_commits_nothing(server, tx, make_table):
    table = make_table("id int PRIMARY KEY")
    cur = tx.cursor()
    cur.execute(f"INSERT INTO {table} VALUES (1)")
    with pytest.raises(dbapi.IntegrityError):
        cur.execute(f"INSERT INTO {table} VALUES (1)")
    with pytest.raises(dbapi.TransactionAborted) as info:
        tx.commit()
    assert "nothing was committed" in str(info.value) and "23505" in str(info.value)
    assert info.value.pgcode == "25P02"
    assert not tx.in_transaction and not tx.transaction_failed
    assert _count(server, table) == 0
    # the connection goes on with a fresh transaction
    cur.execute(f"INSERT INTO {table} VALUES (5)")
    tx.commit()
    assert _count(server, table) == 1


def test_rollback_after_a_failed_statement_is_clean(tx):
    cur = tx.cursor()
    with pytest.raises(dbapi.DataError):
        cur.execute("SELECT 1 / 0")
    tx.rollback()
    cur.execute("SELECT 1")
    assert cur.fetchone() == (1,)
    tx.commit()


@pytest.mark.parametrize(
    "level", ["read uncommitted", "read committed", "repeatable read", "serializable"]
)
def test_isolation_levels(server, level):
    conn = dbapi.connect(server.url, isolation_level=level.upper())
    try:
        cur = conn.cursor()
        cur.execute("SHOW transaction_isolation")
        assert cur.fetchone() == (level,)
    finally:
        conn.rollback()
        conn.close()


def test_default_isolation_level_is_read_committed(tx):
    cur = tx.cursor()
    cur.execute("SHOW transaction_isolation")
    assert cur.fetchone() == ("read committed",)
    tx.rollback()


def test_unknown_isolation_level_is_refused_when_connecting(server):
    with pytest.raises(dbapi.ProgrammingError) as info:
        dbapi.connect(server.url, isolation_level="snapshot")
    assert "snapshot" in str(info.value) and "serializable" in str(info.value)


def test_unknown_isolation_level_is_refused_when_set(server):
    conn = dbapi.connect(server.url, isolation_level="serializable")
    with pytest.raises(dbapi.ProgrammingError, match="snapshot"):
        conn.isolation_level = "snapshot"
    assert conn.isolation_level == "serializable"  # unchanged
    conn.close()
    assert conn.transport.requests_sent == 0


def test_autocommit_cannot_change_inside_a_transaction(tx):
    tx.cursor().execute("SELECT 1")
    with pytest.raises(dbapi.ProgrammingError):
        tx.autocommit = True
    assert tx.autocommit is False and tx.in_transaction
    tx.commit()
    tx.autocommit = True
    before = tx.transport.requests_sent
    tx.cursor().execute("SELECT 1")
    assert not tx.in_transaction
    assert tx.transport.requests_sent - before == 1
    tx.autocommit = False
    tx.cursor().execute("SELECT 1")
    assert tx.in_transaction
    tx.rollback()


def test_close_rolls_back_an_open_transaction(server, make_table):
    table = make_table("id int")
    conn = dbapi.connect(server.url)
    conn.cursor().execute(f"INSERT INTO {table} VALUES (1)")
    conn.close()
    assert conn.closed
    assert _count(server, table) == 0
    with pytest.raises(dbapi.InterfaceError):
        conn.cursor()


def test_context_manager_commits_or_rolls_back(server, make_table):
    table = make_table("id int")
    with dbapi.connect(server.url) as conn:
        conn.cursor().execute(f"INSERT INTO {table} VALUES (1)")
    assert _count(server, table) == 1
    with pytest.raises(RuntimeError), dbapi.connect(server.url) as conn:
        conn.cursor().execute(f"INSERT INTO {table} VALUES (2)")
        raise RuntimeError("boom")
    assert _count(server, table) == 1
    conn.close()


def test_a_failing_rollback_on_leaving_the_block_keeps_the_callers_error(server):
    """The block's own exception goes on, the rollback's failure told in a note of it."""
    refusing = socket.socket()  # bound, never listening: connections to it are refused
    refusing.bind(("127.0.0.1", 0))
    with pytest.raises(RuntimeError) as info, dbapi.connect(server.url) as conn:
        conn.cursor().execute("SELECT 1")
        tx_id = conn._transaction.id
        reachable = conn.transport.endpoint
        conn.transport.close()
        conn.transport.endpoint = reachable.replace(port=refusing.getsockname()[1])
        raise RuntimeError("boom")
    refusing.close()
    assert str(info.value) == "boom"
    (note,) = info.value.__notes__
    assert "rollback" in note and "OperationalError" in note and "cannot connect" in note
    assert info.value.__context__ is None
    assert not conn.in_transaction
    # The server still has the transaction: end it, as the server would once it expired.
    conn.transport.endpoint = reachable
    conn.transport.request("POST", f"/transaction/{tx_id}/rollback", None, idempotent=True)
    conn.close()


def test_commit_after_close_of_the_server_side_transaction(server, tx):
    """The server forgot the transaction (here: rolled back behind the driver's back through the
    API): commit must not report success."""
    tx.cursor().execute("SELECT 1")
    tx_id = tx._transaction.id
    tx.transport.request("POST", f"/transaction/{tx_id}/rollback", None, idempotent=True)
    with pytest.raises(dbapi.OperationalError) as info:
        tx.commit()
    assert "no longer open" in str(info.value)
    assert info.value.kind is dbapi.ErrorKind.TRANSACTION_ROLLED_BACK
    assert not tx.in_transaction


def test_concurrent_transactions_on_the_executor(executor_server, table_name):
    """Executor only: two interactive transactions and autocommit reads run side by side."""
    table = table_name
    admin = dbapi.connect(executor_server.url, autocommit=True)
    admin.cursor().execute(f"CREATE TABLE {table} (id int PRIMARY KEY)")
    a = dbapi.connect(executor_server.url)
    b = dbapi.connect(executor_server.url)
    try:
        a.cursor().execute(f"INSERT INTO {table} VALUES (1)")
        b.cursor().execute(f"INSERT INTO {table} VALUES (2)")
        cur = b.cursor()
        cur.execute(f"SELECT id FROM {table}")
        assert cur.fetchall() == [(2,)]
        a.commit()
        cur.execute(f"SELECT id FROM {table} ORDER BY id")  # read committed: now sees 1
        assert cur.fetchall() == [(1,), (2,)]
        b.commit()
    finally:
        a.close()
        b.close()
        admin.cursor().execute(f"DROP TABLE {table}")
        admin.close()


def test_autocommit_writes_travel_in_a_transaction_node_unless_turned_off(executor_server):
    import orjson

    from django_prisma import dbapi

    sent = []
    for atomic in (True, False):
        conn = dbapi.connect(executor_server.url, autocommit=True, atomic_autocommit_writes=atomic)
        original = conn.transport.request

        def spy(method, path, body=None, _original=original, **kwargs):
            sent.append(orjson.loads(body) if body else None)
            return _original(method, path, body, **kwargs)

        _describe_once(conn.endpoint, "SELECT 1")
        conn.transport.request = spy
        cur = conn.cursor()
        cur.execute("SELECT 1")
        cur.execute("CREATE TABLE IF NOT EXISTS atomic_writes (id int)")
        conn.close()
    plans = [body["plan"]["type"] for body in sent]
    # reads are never wrapped; writes are, unless the option is off
    assert plans == ["query", "transaction", "query", "execute"]


def _describe_once(endpoint, *statements):
    """Let the driver describe these statements' results now (once per process), so that the
    requests counted afterwards are the statements' own (dbapi/describe.py)."""
    from django_prisma import dbapi

    other = dbapi.connect(endpoint.redacted_url(), api_key=endpoint.api_key, autocommit=True)
    try:
        for sql in statements:
            other.cursor().execute(sql)
    finally:
        other.close()


@pytest.mark.parametrize("multiple", [False, True])
def test_temporary_tables_last_as_long_as_the_transaction(executor_server, pg, multiple):
    """As a library's join through a temporary table does it (several statements in a string,
    or one by one): usable in the transaction, dropped before it commits, so that nothing of it
    stays on the pooled server connection; refused outside a transaction."""
    name = f"tmp_{uuid.uuid4().hex[:10]}"
    create = [
        f"DROP TABLE IF EXISTS {name}",
        f"CREATE TEMPORARY TABLE {name} AS SELECT 1 AS x",
        f"CREATE INDEX {name}_x ON {name} (x)",
    ]
    conn = dbapi.connect(executor_server.url)
    try:
        cur = conn.cursor()
        if multiple:
            cur.execute("; ".join(create))
        else:
            for sql in create:
                cur.execute(sql)
        cur.execute(f"SELECT x FROM {name}")
        assert cur.fetchall() == [(1,)]
        conn.commit()
        count = "SELECT count(*) FROM pg_catalog.pg_class WHERE relname = %s"
        assert pg.execute(count, [name]).fetchone() == (0,)
        conn.autocommit = True
        with pytest.raises(dbapi.NotSupportedError, match="outside a transaction"):
            cur.execute(create[1] if not multiple else "; ".join(create))
        assert pg.execute(count, [name]).fetchone() == (0,)
    finally:
        conn.close()
