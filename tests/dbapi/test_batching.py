"""executemany: one HTTP request, in order, atomic in autocommit, correct rowcount."""

from __future__ import annotations

import pytest

from django_prisma import dbapi


def test_executemany_in_a_transaction(server, make_table):
    table = make_table("id int PRIMARY KEY, v text")
    conn = dbapi.connect(server.url)
    try:
        cur = conn.cursor()
        cur.execute("SELECT 1")  # open the transaction
        before = conn.transport.requests_sent
        cur.executemany(f"INSERT INTO {table} VALUES (%s, %s)", [(i, str(i)) for i in range(300)])
        assert conn.transport.requests_sent - before == 1
        assert cur.rowcount == 300
        cur.execute(f"SELECT count(*) FROM {table}")
        assert cur.fetchone() == (300,)
        conn.commit()
    finally:
        conn.close()
    check = dbapi.connect(server.url, autocommit=True)
    c = check.cursor()
    c.execute(f"SELECT count(*), min(v), max(id) FROM {table}")
    assert c.fetchone() == (300, "0", 299)
    check.close()


def test_executemany_opens_the_transaction_itself(server, make_table):
    table = make_table("id int")
    conn = dbapi.connect(server.url)
    try:
        cur = conn.cursor()
        cur.executemany(f"INSERT INTO {table} VALUES (%s)", [(1,), (2,)])
        assert conn.in_transaction and cur.rowcount == 2
        conn.rollback()
        cur.execute(f"SELECT count(*) FROM {table}")
        assert cur.fetchone() == (0,)
        conn.rollback()
    finally:
        conn.close()


def test_failing_autocommit_executemany_leaves_nothing(conn, make_table):
    table = make_table("id int PRIMARY KEY")
    cur = conn.cursor()
    rows = [(i,) for i in range(50)] + [(10,)] + [(i,) for i in range(50, 100)]
    with pytest.raises(dbapi.IntegrityError) as info:
        cur.executemany(f"INSERT INTO {table} VALUES (%s)", rows)
    assert info.value.pgcode == "23505"
    cur.execute(f"SELECT count(*) FROM {table}")
    assert cur.fetchone() == (0,)


def test_failing_executemany_in_a_transaction_aborts_it(server, make_table):
    table = make_table("id int PRIMARY KEY")
    conn = dbapi.connect(server.url)
    try:
        cur = conn.cursor()
        cur.execute(f"INSERT INTO {table} VALUES (100)")
        with pytest.raises(dbapi.IntegrityError):
            cur.executemany(f"INSERT INTO {table} VALUES (%s)", [(1,), (1,), (2,)])
        assert conn.transaction_failed
        with pytest.raises(dbapi.TransactionAborted):
            conn.commit()
    finally:
        conn.close()
    check = dbapi.connect(server.url, autocommit=True)
    c = check.cursor()
    c.execute(f"SELECT count(*) FROM {table}")
    assert c.fetchone() == (0,)
    check.close()


def test_executemany_runs_in_order(conn, make_table):
    """Each statement depends on the previous one: any reordering changes the result."""
    table = make_table("id int PRIMARY KEY, v numeric, log text")
    cur = conn.cursor()
    cur.execute(f"INSERT INTO {table} VALUES (1, 0, '')")
    steps = list(range(1, 201))
    cur.executemany(
        f"UPDATE {table} SET v = v * 3 + %s, log = log || %s WHERE id = 1",
        [(i, f"{i},") for i in steps],
    )
    assert cur.rowcount == 200
    expected = 0
    for i in steps:
        expected = expected * 3 + i
    cur.execute(f"SELECT v, log FROM {table}")
    assert cur.fetchone() == (expected, "".join(f"{i}," for i in steps))


def test_executemany_rowcount_sums_affected_rows(conn, make_table):
    table = make_table("id int, g int")
    cur = conn.cursor()
    cur.execute(f"INSERT INTO {table} VALUES (1, 1), (2, 1), (3, 2), (4, 3)")
    cur.executemany(f"DELETE FROM {table} WHERE g = %s", [(1,), (9,), (2,)])
    assert cur.rowcount == 3


def test_executemany_of_nothing_sends_nothing(conn):
    before = conn.transport.requests_sent
    cur = conn.cursor()
    cur.executemany("INSERT INTO nowhere VALUES (%s)", [])
    assert cur.rowcount == 0 and conn.transport.requests_sent == before


def test_executemany_of_a_row_returning_statement_is_refused(conn, make_table):
    table = make_table("id int")
    with pytest.raises(dbapi.NotSupportedError):
        conn.cursor().executemany(f"INSERT INTO {table} VALUES (%s) RETURNING id", [(1,), (2,)])


def test_executemany_with_named_parameters(conn, make_table):
    table = make_table("id int, v text")
    cur = conn.cursor()
    cur.executemany(
        f"INSERT INTO {table} VALUES (%(id)s, %(v)s)", [{"id": 1, "v": "a"}, {"id": 2, "v": "b"}]
    )
    assert cur.rowcount == 2
    cur.execute(f"SELECT id, v FROM {table} ORDER BY id")
    assert cur.fetchall() == [(1, "a"), (2, "b")]
