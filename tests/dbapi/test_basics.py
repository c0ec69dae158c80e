import pytest

from django_prisma import dbapi


@pytest.fixture
def conn(server):
    connection = dbapi.connect(server.url, autocommit=True)
    yield connection
    connection.close()


def test_select_returns_rows_and_description(conn):
    cur = conn.cursor()
    cur.execute("SELECT 1 AS a, %s AS b", ["x"])
    assert cur.fetchall() == [(1, "x")]
    assert [d[0] for d in cur.description] == ["a", "b"]
    assert cur.rowcount == 1
    # PEP 249's 7-item sequences, with the item names of psycopg's Column.
    first = cur.description[0]
    assert len(first) == 7 and first[0] == first.name == "a" and first[1] == first.type_code
    assert first[2:] == (None,) * 5 and first.null_ok is None


def test_executemany_of_1000_rows_is_one_request(conn, table_name):
    cur = conn.cursor()
    cur.execute(f"CREATE TABLE {table_name} (id int PRIMARY KEY, v text)")
    before = conn.transport.requests_sent
    cur.executemany(
        f"INSERT INTO {table_name} VALUES (%s, %s)", [(i, f"v{i}") for i in range(1000)]
    )
    assert conn.transport.requests_sent - before == 1
    assert cur.rowcount == 1000
    cur.execute(f"SELECT count(*), sum(id) FROM {table_name}")
    assert cur.fetchone() == (1000, sum(range(1000)))
    cur.execute(f"DROP TABLE {table_name}")


def test_unique_violation_is_integrity_error_with_sqlstate(conn, table_name):
    cur = conn.cursor()
    cur.execute(f"CREATE TABLE {table_name} (id int PRIMARY KEY)")
    cur.execute(f"INSERT INTO {table_name} VALUES (1)")
    with pytest.raises(dbapi.IntegrityError) as info:
        cur.execute(f"INSERT INTO {table_name} VALUES (1)")
    assert info.value.pgcode == "23505"
    cur.execute(f"DROP TABLE {table_name}")


def test_api_key_never_in_repr_or_errors(server):
    key = server.url.split("api_key=")[1]
    conn = dbapi.connect(server.url, autocommit=True)
    assert key not in repr(conn) and key not in repr(conn.endpoint)
    with pytest.raises(dbapi.ProgrammingError) as info:
        conn.cursor().execute("SELEC 1")
    assert key not in str(info.value) and key not in repr(info.value)


def test_a_result_snapshot_is_restored_without_a_request(conn):
    cur = conn.cursor()
    cur.execute("SELECT n, s FROM (VALUES (1, 'a'), (2, 'b')) AS t (n, s)")
    assert cur.fetchone() == (1, "a")
    snapshot = cur.result_snapshot()
    assert cur.fetchone() == (2, "b")  # taking it moved nothing
    sent = conn.transport.requests_sent
    other = conn.cursor()
    other.restore_result(snapshot, "SELECT cached")
    assert other.description == cur.description and other.rowcount == 2
    assert other.query == "SELECT cached" and other.statusmessage == "SELECT 2"
    assert other.fetchall() == [(1, "a"), (2, "b")]
    assert conn.transport.requests_sent == sent
    # A store that kept the columns as lists (JSON) gives them back as columns.
    stored = dbapi.cursor.ResultSnapshot([list(c) for c in snapshot.description], snapshot.rows)
    other.restore_result(stored)
    assert [column.name for column in other.description] == ["n", "s"]
    cur.execute("DO $$ BEGIN END $$")
    assert cur.result_snapshot() is None
