"""Strings of several statements behave as with psycopg's client-side cursor (what Django's
PostgreSQL backend uses): all run, in order, in one transaction; the first result is current and
``nextset()`` moves on. Compared with psycopg on the database behind the executor."""

from __future__ import annotations

import pytest
from psycopg import ClientCursor
from psycopg import errors as pg_errors

from django_prisma import dbapi
from django_prisma.dbapi.statements import split_statements


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT 1", ["SELECT 1"]),
        ("SELECT 1;", ["SELECT 1"]),
        ("SELECT 1; ;\n", ["SELECT 1"]),
        ("SELECT 1; -- done", ["SELECT 1"]),
        ("SELECT ';'; SELECT 2", ["SELECT ';'", " SELECT 2"]),
        ("SELECT 'a'';'; SELECT 2", ["SELECT 'a'';'", " SELECT 2"]),
        ("SELECT E'\\';'; SELECT 2", ["SELECT E'\\';'", " SELECT 2"]),
        ('SELECT 1 AS "a;b"; SELECT 2', ['SELECT 1 AS "a;b"', " SELECT 2"]),
        ("SELECT $$;$$; SELECT $x$ ; $$ ; $x$", ["SELECT $$;$$", " SELECT $x$ ; $$ ; $x$"]),
        ("SELECT 1 -- ;\n; SELECT 2", ["SELECT 1 -- ;\n", " SELECT 2"]),
        ("SELECT 1 /* ; */; SELECT 2", ["SELECT 1 /* ; */", " SELECT 2"]),
        ("-- only a comment", ["-- only a comment"]),
    ],
)
def test_split_respects_quotes_dollar_quotes_and_comments(sql, expected):
    assert split_statements(sql) == expected


@pytest.fixture
def psycopg_cursor(pg):
    return pg.cursor()  # autocommit, as the `conn` fixture


def _client_cursor(pg):
    return ClientCursor(pg)


def _sets(cursor) -> list:
    """Each result in turn: (rowcount, column names or None, rows or None)."""
    sets = []
    while True:
        names = [column[0] for column in cursor.description] if cursor.description else None
        sets.append((cursor.rowcount, names, cursor.fetchall() if names else None))
        if not cursor.nextset():
            return sets


def test_set_config_for_the_transaction_then_a_select(conn, pg):
    sql = (
        "SELECT set_config('dp.scope', 'on', true) AS s; "
        "SELECT current_setting('dp.scope', true) AS v, '1 day'::interval AS d"
    )
    cursor = conn.cursor()
    cursor.execute(sql)
    got = _sets(cursor)
    expected = _sets(_client_cursor(pg).execute(sql))
    assert got == expected
    assert cursor.nextset() is None
    cursor.execute("SELECT current_setting('dp.scope', true) AS v")
    assert cursor.fetchone() in ((None,), ("",))  # gone with the statements' transaction


def test_write_then_read_first_result_is_the_write(conn, pg, make_table, server):
    table = make_table("id int PRIMARY KEY")
    sql = f"INSERT INTO {table} VALUES (1), (2); SELECT id FROM {table} ORDER BY id"
    cursor = conn.cursor()
    cursor.execute(sql)
    assert cursor.description is None and cursor.rowcount == 2
    with pytest.raises(dbapi.ProgrammingError):
        cursor.fetchall()  # the current result has no rows, as with psycopg
    assert cursor.nextset() is True
    assert cursor.rowcount == 2 and cursor.fetchall() == [(1,), (2,)]
    assert cursor.nextset() is None
    if server.kind == "executor":
        pg.execute(f"DELETE FROM {table}")
        psycopg = _client_cursor(pg).execute(sql)
        assert psycopg.description is None and psycopg.rowcount == 2
        assert psycopg.nextset() and psycopg.fetchall() == [(1,), (2,)]


def test_error_in_the_second_statement_rolls_back_the_first_in_autocommit(
    conn, pg, make_table, server
):
    table = make_table("id int PRIMARY KEY")
    cursor = conn.cursor()
    cursor.execute(f"INSERT INTO {table} VALUES (1)")
    with pytest.raises(dbapi.IntegrityError):
        cursor.execute(f"INSERT INTO {table} VALUES (2); INSERT INTO {table} VALUES (1)")
    cursor.execute(f"SELECT id FROM {table} ORDER BY id")
    assert cursor.fetchall() == [(1,)]
    if server.kind == "executor":  # psycopg on the same table: the same
        with pytest.raises(pg_errors.UniqueViolation):
            _client_cursor(pg).execute(
                f"INSERT INTO {table} VALUES (2); INSERT INTO {table} VALUES (1)"
            )
        assert pg.execute(f"SELECT id FROM {table}").fetchall() == [(1,)]


def test_inside_a_transaction_a_local_setting_holds_for_the_rest_of_it(server):
    conn = dbapi.connect(server.url)  # autocommit off: the first statement opens a transaction
    try:
        cursor = conn.cursor()
        cursor.execute("SET LOCAL dp.flag = 'x'; SELECT set_config('dp.other', 'y', true) AS o")
        assert cursor.description is None
        assert cursor.nextset() and cursor.fetchall() == [("y",)]
        cursor.execute("SELECT current_setting('dp.flag') AS f, current_setting('dp.other') AS o")
        assert cursor.fetchall() == [("x", "y")]
        conn.commit()
        cursor.execute("SELECT current_setting('dp.flag', true) AS f")
        assert cursor.fetchone() in ((None,), ("",))
        conn.rollback()
    finally:
        conn.close()


def test_one_request_in_autocommit(conn):
    cursor = conn.cursor()
    cursor.results_exact = True
    before = conn.transport.requests_sent
    cursor.execute("SELECT 1 AS a; SELECT 2 AS b, 3 AS c; SELECT 4 AS d")
    assert conn.transport.requests_sent - before == 1
    assert _sets(cursor) == [(1, ["a"], [(1,)]), (1, ["b", "c"], [(2, 3)]), (1, ["d"], [(4,)])]


@pytest.mark.parametrize(
    "tail",
    [
        "SET application_name = 'leaky'",
        "BEGIN",
        "COMMIT",
        "SAVEPOINT s",
        "VACUUM",
        "SELECT pg_advisory_lock(1)",
        "SELECT set_config('application_name', 'leaky', false)",
    ],
)
def test_refused_before_anything_runs(conn, make_table, tail):
    table = make_table("id int")
    cursor = conn.cursor()
    before = conn.transport.requests_sent
    with pytest.raises(dbapi.NotSupportedError):
        cursor.execute(f"INSERT INTO {table} VALUES (1); {tail}")
    assert conn.transport.requests_sent == before  # nothing was sent
    cursor.execute(f"SELECT count(*) FROM {table}")
    assert cursor.fetchone() == (0,)


def test_executemany_of_several_statements_is_refused(conn):
    with pytest.raises(dbapi.NotSupportedError):
        conn.cursor().executemany("SELECT %s; SELECT %s", [(1, 2)])


def test_statements_with_quoted_semicolons_run_as_one(conn):
    cursor = conn.cursor()
    cursor.execute("SELECT ';' AS a, $$x;y$$ AS b -- ; not a statement")
    assert cursor.fetchall() == [(";", "x;y")]
    assert cursor.nextset() is None


def _wrapped_savepoints(cursor, table: str) -> list:
    """Django's savepoint statements as an execute wrapper that prepends a transaction-local
    setting to every statement sends them (pgtrigger.ignore, pghistory.context): the results
    of each string, then the rows the transaction kept."""
    prefix = "SELECT set_config('dp.ignore', 'on', true); "
    answers = []
    for sql in (
        f'{prefix}SAVEPOINT "s1"',
        f"{prefix}INSERT INTO {table} VALUES (1)",
        f'{prefix}SAVEPOINT "s2"',
        f"{prefix}INSERT INTO {table} VALUES (2)",
        f'{prefix}ROLLBACK TO SAVEPOINT "s2"',
        f"{prefix}RELEASE SAVEPOINT \"s2\"; SELECT current_setting('dp.ignore') AS v",
        f'{prefix}RELEASE SAVEPOINT "s1"',
        f"SELECT id FROM {table} ORDER BY id",
    ):
        cursor.execute(sql)
        sets = _sets(cursor)
        # psycopg's row count of a savepoint statement is -1; the driver's, once the savepoint
        # statement rides with the next one, 0: neither means anything.
        answers.append(
            [(None if names is None else count, names, rows) for count, names, rows in sets]
        )
    return answers


def test_savepoint_statements_among_others_inside_a_transaction(server, make_table, pg_direct):
    table = make_table("id int PRIMARY KEY")
    conn = dbapi.connect(server.url)  # autocommit off
    try:
        ours = _wrapped_savepoints(conn.cursor(), table)
        conn.commit()
    finally:
        conn.close()
    assert ours[-1] == [(1, ["id"], [(1,)])]
    assert ours[-3][2] == (1, ["v"], [("on",)])
    if pg_direct is not None:
        pg_direct.execute(f"DELETE FROM {table}")
        with pg_direct.transaction():
            assert _wrapped_savepoints(_client_cursor(pg_direct), table) == ours


def test_a_savepoint_among_others_outside_a_transaction_is_refused(conn):
    before = conn.transport.requests_sent
    with pytest.raises(dbapi.NotSupportedError, match="outside a transaction"):
        conn.cursor().execute("SELECT set_config('dp.ignore', 'on', true); SAVEPOINT s")
    assert conn.transport.requests_sent == before


def test_a_failure_after_a_savepoint_rolls_back_to_it(server, make_table):
    table = make_table("id int PRIMARY KEY")
    conn = dbapi.connect(server.url)
    try:
        cursor = conn.cursor()
        cursor.execute(f"INSERT INTO {table} VALUES (1)")
        with pytest.raises(dbapi.IntegrityError):
            cursor.execute(
                f"SAVEPOINT a; INSERT INTO {table} VALUES (2); INSERT INTO {table} VALUES (1)"
            )
        assert conn.transaction_failed
        cursor.execute("ROLLBACK TO SAVEPOINT a")
        cursor.execute(f"SELECT id FROM {table}")
        assert cursor.fetchall() == [(1,)]
        conn.commit()
    finally:
        conn.close()
