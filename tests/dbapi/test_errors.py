"""Error matrix: every database error arrives as the PEP 249 class its SQLSTATE names, with
``.pgcode`` set; transaction-level failures (serialization, deadlock, expiry) are explained."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from django_prisma import dbapi

SCHEMA = (
    "CREATE TABLE {p}_parent (id int PRIMARY KEY)",
    "CREATE TABLE {p}_child (id int PRIMARY KEY, parent_id int REFERENCES {p}_parent(id), "
    "name text NOT NULL, qty int CHECK (qty > 0), small smallint)",
    "INSERT INTO {p}_parent VALUES (1)",
    "INSERT INTO {p}_child VALUES (1, 1, 'a', 1, 1)",
)

# (id, SQL, PEP 249 class, SQLSTATE)
MATRIX = [
    ("unique", "INSERT INTO {p}_child VALUES (1, 1, 'b', 1, 1)", dbapi.IntegrityError, "23505"),
    ("fk", "INSERT INTO {p}_child VALUES (2, 99, 'b', 1, 1)", dbapi.IntegrityError, "23503"),
    ("not-null", "INSERT INTO {p}_child VALUES (2, 1, NULL, 1, 1)", dbapi.IntegrityError, "23502"),
    ("check", "INSERT INTO {p}_child VALUES (2, 1, 'b', 0, 1)", dbapi.IntegrityError, "23514"),
    ("syntax", "SELEC * FROM {p}_child", dbapi.ProgrammingError, "42601"),
    ("undefined-table", "SELECT * FROM {p}_missing", dbapi.ProgrammingError, "42P01"),
    ("undefined-column", "SELECT nope FROM {p}_child", dbapi.ProgrammingError, "42703"),
    ("division-by-zero", "SELECT 1 / (qty - 1) FROM {p}_child", dbapi.DataError, "22012"),
    ("numeric-overflow", "UPDATE {p}_child SET small = 40000", dbapi.DataError, "22003"),
    ("invalid-text", "SELECT 'x'::int", dbapi.DataError, "22P02"),
    (
        "raise-exception",
        "DO $$ BEGIN RAISE EXCEPTION 'boom' USING HINT = 'h'; END $$",
        dbapi.ProgrammingError,
        "P0001",
    ),
]


@pytest.fixture
def schema(conn, table_name):
    cur = conn.cursor()
    for sql in SCHEMA:
        cur.execute(sql.format(p=table_name))
    yield table_name
    cur.execute(f"DROP TABLE {table_name}_child, {table_name}_parent")


@pytest.mark.parametrize(
    "sql, error_class, sqlstate", [m[1:] for m in MATRIX], ids=[m[0] for m in MATRIX]
)
def test_error_matrix_autocommit(conn, schema, sql, error_class, sqlstate):
    cur = conn.cursor()
    with pytest.raises(error_class) as info:
        cur.execute(sql.format(p=schema))
    error = info.value
    # the driver's class, combined with psycopg's class for the SQLSTATE
    assert type(error).__bases__ == (error_class, psycopg.errors.lookup(sqlstate))
    assert error.pgcode == sqlstate == error.sqlstate == error.diag.sqlstate
    assert str(error)
    # the failed statement changed nothing, and the connection is still usable
    cur.execute(f"SELECT id, parent_id, name, qty, small FROM {schema}_child")
    assert cur.fetchall() == [(1, 1, "a", 1, 1)]


@pytest.mark.parametrize(
    "sql, error_class, sqlstate", [m[1:] for m in MATRIX], ids=[m[0] for m in MATRIX]
)
def test_error_matrix_in_transaction(server, schema, sql, error_class, sqlstate):
    conn = dbapi.connect(server.url)
    try:
        cur = conn.cursor()
        cur.execute("SELECT 1")
        with pytest.raises(error_class) as info:
            cur.execute(sql.format(p=schema))
        assert info.value.pgcode == sqlstate
        assert conn.transaction_failed
        with pytest.raises(dbapi.InternalError) as info:
            cur.execute("SELECT 1")  # 25P02: the transaction is aborted
        assert info.value.pgcode == "25P02"
    finally:
        conn.rollback()
        conn.close()


def test_error_details_are_kept(conn, schema):
    cur = conn.cursor()
    with pytest.raises(dbapi.IntegrityError) as info:
        cur.execute(f"INSERT INTO {schema}_child VALUES (2, 1, 'b', 0, 1)")
    assert "check constraint" in str(info.value)
    assert info.value.http_status == 400
    with pytest.raises(dbapi.ProgrammingError) as info:  # P0001, as psycopg classifies it
        cur.execute("DO $$ BEGIN RAISE EXCEPTION 'boom' USING DETAIL = 'd1', HINT = 'h1'; END $$")
    assert "boom" in str(info.value)
    assert info.value.detail == "d1" and info.value.hint == "h1"


def test_exception_hierarchy_is_pep_249():
    assert issubclass(dbapi.IntegrityError, dbapi.DatabaseError)
    assert issubclass(dbapi.DatabaseError, dbapi.Error)
    assert issubclass(dbapi.InterfaceError, dbapi.Error)
    assert issubclass(dbapi.TransactionRollbackError, dbapi.OperationalError)
    assert issubclass(dbapi.TransactionExpired, dbapi.OperationalError)
    assert issubclass(dbapi.TransactionAborted, dbapi.OperationalError)
    assert not issubclass(dbapi.Warning, dbapi.Error)


def _two_rows(executor_server, table_name):
    admin = dbapi.connect(executor_server.url, autocommit=True)
    admin.cursor().execute(f"CREATE TABLE {table_name} (id int PRIMARY KEY, on_call bool)")
    admin.cursor().execute(f"INSERT INTO {table_name} VALUES (1, true), (2, true)")
    return admin


def test_serialization_failure_is_40001(executor_server, table_name):
    """Write skew between two SERIALIZABLE interactive transactions (executor only: PGlite
    serializes transactions, so it cannot produce one)."""
    admin = _two_rows(executor_server, table_name)
    a = dbapi.connect(executor_server.url, isolation_level="serializable")
    b = dbapi.connect(executor_server.url, isolation_level="serializable")
    try:
        ca, cb = a.cursor(), b.cursor()
        for cur in (ca, cb):
            cur.execute(f"SELECT count(*) FROM {table_name} WHERE on_call")
            assert cur.fetchone() == (2,)
        ca.execute(f"UPDATE {table_name} SET on_call = false WHERE id = 1")
        cb.execute(f"UPDATE {table_name} SET on_call = false WHERE id = 2")
        a.commit()
        with pytest.raises(dbapi.TransactionRollbackError) as info:
            b.commit()
        assert info.value.pgcode == "40001"
        assert isinstance(info.value, dbapi.OperationalError)
        cur = admin.cursor()
        cur.execute(f"SELECT id FROM {table_name} WHERE on_call ORDER BY id")
        assert cur.fetchall() == [(2,)]
    finally:
        a.close()
        b.close()
        admin.cursor().execute(f"DROP TABLE {table_name}")
        admin.close()


def test_deadlock_is_40P01(executor_server, table_name):
    admin = _two_rows(executor_server, table_name)
    a = dbapi.connect(executor_server.url)
    b = dbapi.connect(executor_server.url)
    errors = []

    def second_update(cur, row):
        try:
            cur.execute(f"UPDATE {table_name} SET on_call = false WHERE id = {row}")
        except dbapi.Error as error:
            errors.append(error)

    try:
        ca, cb = a.cursor(), b.cursor()
        ca.execute(f"UPDATE {table_name} SET on_call = false WHERE id = 1")
        cb.execute(f"UPDATE {table_name} SET on_call = false WHERE id = 2")
        thread = threading.Thread(target=second_update, args=(ca, 2))
        thread.start()
        time.sleep(0.2)  # let a block on row 2 first
        second_update(cb, 1)
        thread.join(30)
        assert not thread.is_alive()
        assert len(errors) == 1
        assert isinstance(errors[0], dbapi.TransactionRollbackError)
        assert errors[0].pgcode == "40P01"
    finally:
        a.rollback()
        b.rollback()
        a.close()
        b.close()
        admin.cursor().execute(f"DROP TABLE {table_name}")
        admin.close()


def test_expired_transaction_on_the_next_statement(server, make_table):
    table = make_table("id int")
    conn = dbapi.connect(server.url, transaction_timeout=300)
    try:
        cur = conn.cursor()
        cur.execute(f"INSERT INTO {table} VALUES (1)")
        time.sleep(0.6)
        with pytest.raises(dbapi.TransactionExpired) as info:
            cur.execute("SELECT 1")
        message = str(info.value)
        assert "300 ms" in message and "timeout" in message
        assert not conn.in_transaction
        conn.rollback()  # nothing left to roll back: no error
        cur.execute(f"SELECT count(*) FROM {table}")  # a new transaction works
        assert cur.fetchone() == (0,)
        conn.commit()
    finally:
        conn.close()


def test_expired_transaction_on_commit(server, make_table):
    table = make_table("id int")
    conn = dbapi.connect(server.url, transaction_timeout=300)
    try:
        conn.cursor().execute(f"INSERT INTO {table} VALUES (1)")
        time.sleep(0.6)
        with pytest.raises(dbapi.TransactionExpired) as info:
            conn.commit()
        assert "300 ms" in str(info.value)
        assert not conn.in_transaction
    finally:
        conn.close()
    check = dbapi.connect(server.url, autocommit=True)
    cur = check.cursor()
    cur.execute(f"SELECT count(*) FROM {table}")
    assert cur.fetchone() == (0,)
    check.close()


@pytest.mark.parametrize(
    "columns, sql, error_class, sqlstate",
    [
        (
            "id int PRIMARY KEY, p int REFERENCES {parent}(id) DEFERRABLE INITIALLY DEFERRED",
            "INSERT INTO {t} VALUES (1, 99)",
            dbapi.IntegrityError,
            "23503",
        ),
        (
            "id int, UNIQUE (id) DEFERRABLE INITIALLY DEFERRED",
            "INSERT INTO {t} VALUES (1), (1)",
            dbapi.IntegrityError,
            "23505",
        ),
        (
            "r int, EXCLUDE USING btree (r WITH =) DEFERRABLE INITIALLY DEFERRED",
            "INSERT INTO {t} VALUES (1), (1)",
            dbapi.IntegrityError,
            "23P01",
        ),
    ],
    ids=["fk", "unique", "exclusion"],
)
def test_deferred_constraint_violation_at_commit(
    server, make_table, columns, sql, error_class, sqlstate
):
    parent = make_table("id int PRIMARY KEY")
    table = make_table(columns.format(parent=parent))
    conn = dbapi.connect(server.url)
    try:
        conn.cursor().execute(sql.format(t=table))  # deferred: no error yet
        with pytest.raises(error_class) as info:
            conn.commit()
        assert info.value.pgcode == sqlstate
        assert not conn.in_transaction
    finally:
        conn.close()
    check = dbapi.connect(server.url, autocommit=True)
    cur = check.cursor()
    cur.execute(f"SELECT count(*) FROM {table}")
    assert cur.fetchone() == (0,)
    check.close()


@pytest.mark.parametrize("kind", ["insert", "executemany"])
def test_deferred_constraint_violation_in_autocommit_keeps_its_sqlstate(server, make_table, kind):
    """An autocommit write travels in a transaction node, so a deferred constraint fails at its
    COMMIT, which the executor reports without SQLSTATE: the driver replays it to get it."""
    parent = make_table("id int PRIMARY KEY")
    child = make_table(f"id int, p int REFERENCES {parent}(id) DEFERRABLE INITIALLY DEFERRED")
    conn = dbapi.connect(server.url, autocommit=True)
    cur = conn.cursor()
    with pytest.raises(dbapi.IntegrityError) as info:
        if kind == "insert":
            cur.execute(f"INSERT INTO {child} VALUES (1, 99)")
        else:
            cur.executemany(f"INSERT INTO {child} VALUES (%s, %s)", [(1, 99), (2, 98)])
    assert info.value.pgcode == "23503"
    cur.execute(f"SELECT count(*) FROM {child}")
    assert cur.fetchone() == (0,)
    assert not conn.in_transaction
    cur.execute(f"INSERT INTO {parent} VALUES (7)")
    cur.execute(f"INSERT INTO {child} VALUES (3, 7)")
    assert cur.rowcount == 1
    conn.close()
