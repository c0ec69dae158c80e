"""Errors compared with psycopg's own on the same database: the same psycopg.errors classes,
the same first line and DETAIL, the same diagnostic fields — or, where the Prisma executor drops
a field and nothing recovers it, a test that names the gap.

What is recovered how: outside a transaction, an integrity error (SQLSTATE class 23) or an
undefined column is replayed once (rolled back) to read PostgreSQL's whole report; inside a
transaction the names stated in the primary message are read from it; a deferred constraint that
fails at COMMIT is found by replaying the transaction's writes.
"""

from __future__ import annotations

import uuid

import psycopg
import pytest

from django_prisma import dbapi

FIELDS = (
    "sqlstate",
    "severity",
    "severity_nonlocalized",
    "message_primary",
    "message_detail",
    "message_hint",
    "constraint_name",
    "table_name",
    "column_name",
    "schema_name",
    "datatype_name",
)

SCHEMA = (
    "CREATE DOMAIN {p}_positive AS int CHECK (VALUE > 0)",
    "CREATE TABLE {p}_parent (id int PRIMARY KEY)",
    "CREATE TABLE {p}_child (id int PRIMARY KEY, "
    "parent_id int REFERENCES {p}_parent(id) DEFERRABLE INITIALLY DEFERRED, "
    "strict_parent int REFERENCES {p}_parent(id), "
    "name text NOT NULL, qty int CONSTRAINT {p}_qty_positive CHECK (qty > 0), small smallint, "
    "code varchar(3), amount {p}_positive, email text UNIQUE)",
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "CREATE TABLE {p}_booking (room int, during int4range, "
    "EXCLUDE USING gist (room WITH =, during WITH &&))",
    "INSERT INTO {p}_parent VALUES (1)",
    "INSERT INTO {p}_child (id, parent_id, strict_parent, name, qty, email) "
    "VALUES (1, 1, 1, 'a', 1, 'a@x')",
    "INSERT INTO {p}_booking VALUES (1, '[1,5)')",
)

# (id, statement, what the executor never lets through and the replay cannot bring back
# outside a transaction)
CASES = [
    ("unique", "INSERT INTO {p}_child (id, name) VALUES (1, 'b')"),
    ("unique-column", "INSERT INTO {p}_child (id, name, email) VALUES (2, 'b', 'a@x')"),
    ("fk-immediate", "INSERT INTO {p}_child (id, name, strict_parent) VALUES (2, 'b', 99)"),
    ("fk-delete", "DELETE FROM {p}_parent"),
    ("not-null", "INSERT INTO {p}_child (id, name) VALUES (2, NULL)"),
    ("check", "INSERT INTO {p}_child (id, name, qty) VALUES (2, 'b', 0)"),
    ("domain-check", "INSERT INTO {p}_child (id, name, amount) VALUES (2, 'b', 0)"),
    ("exclusion", "INSERT INTO {p}_booking VALUES (1, '[3,9)')"),
    ("numeric-overflow", "UPDATE {p}_child SET small = 40000"),
    ("too-long", "UPDATE {p}_child SET code = 'abcd'"),
    ("invalid-text", "SELECT 'x'::int"),
    ("division-by-zero", "SELECT 1 / (qty - 1) FROM {p}_child"),
    ("undefined-table", "SELECT * FROM {p}_missing"),
    ("undefined-column", "SELECT nope FROM {p}_child"),
    ("syntax", "SELEC 1"),
    ("raise", "DO $$ BEGIN RAISE EXCEPTION 'boom' USING DETAIL = 'd', HINT = 'h'; END $$"),
]

# Fields the executor drops, per case, for errors not replayed: inside a transaction (aborted,
# and a replay elsewhere could wait on its locks) and without OPTIONS["replay_errors"].
LOST_IN_TRANSACTION = {
    "unique": {"message_detail", "table_name", "schema_name"},
    "unique-column": {"message_detail", "table_name", "schema_name"},
    "fk-immediate": {"message_detail", "schema_name"},
    "fk-delete": {"message_detail", "schema_name"},
    "not-null": {"message_detail", "schema_name"},
    "check": {"schema_name"},
    "domain-check": {"schema_name"},
    "exclusion": {"table_name", "schema_name"},
    "undefined-column": {"message_hint"},
}


@pytest.fixture
def schema(pg):
    prefix = f"t_{uuid.uuid4().hex[:10]}"
    for sql in SCHEMA:
        pg.execute(sql.format(p=prefix))
    yield prefix
    pg.execute(
        f"DROP TABLE {prefix}_booking, {prefix}_child, {prefix}_parent; "
        f"DROP DOMAIN {prefix}_positive"
    )


def psycopg_error(pg, sql: str) -> psycopg.Error:
    with pytest.raises(psycopg.Error) as info:
        pg.execute(sql)
    return info.value


def diagnostics(error) -> dict:
    return {name: getattr(error.diag, name) for name in FIELDS}


def without_position(text: str) -> str:
    """psycopg's message without the "LINE 1: …" lines (the statement position, which the
    executor does not send)."""
    lines = text.split("\n")
    kept, skip = [], 0
    for line in lines:
        if skip:
            skip -= 1
            continue
        if line.startswith("LINE "):
            skip = 1  # the caret line under it
            continue
        kept.append(line)
    return "\n".join(kept)


def assert_same_class(ours, theirs):
    assert type(ours).__name__ == type(theirs).__name__
    assert isinstance(ours, type(theirs))  # e.g. psycopg.errors.UniqueViolation
    # and the PEP 249 class of this driver, which Django's wrap_database_errors maps
    base = {
        psycopg.IntegrityError: dbapi.IntegrityError,
        psycopg.DataError: dbapi.DataError,
        psycopg.ProgrammingError: dbapi.ProgrammingError,
        psycopg.OperationalError: dbapi.OperationalError,
        psycopg.InternalError: dbapi.InternalError,
    }
    for theirs_class, ours_class in base.items():
        assert isinstance(ours, ours_class) == isinstance(theirs, theirs_class)


@pytest.mark.parametrize("sql", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_autocommit_errors_match_psycopg_with_replay_errors(executor_server, pg, schema, sql):
    sql = sql.format(p=schema)
    theirs = psycopg_error(pg, sql)
    conn = dbapi.connect(executor_server.url, autocommit=True, replay_errors=True)
    try:
        with pytest.raises(dbapi.DatabaseError) as info:
            conn.cursor().execute(sql)
    finally:
        conn.close()
    ours = info.value
    assert_same_class(ours, theirs)
    assert diagnostics(ours) == diagnostics(theirs)
    assert str(ours) == without_position(str(theirs)).split("\nCONTEXT:")[0]


@pytest.mark.parametrize("mode", ["transaction", "autocommit"])
@pytest.mark.parametrize("case", [c[0] for c in CASES])
def test_errors_without_replay_match_psycopg_but_for_named_gaps(
    executor_server, pg, schema, case, mode
):
    """Inside a transaction (never replayed), and by default in autocommit: nothing runs twice,
    and the fields the server drops are the named ones."""
    sql = dict(CASES)[case].format(p=schema)
    theirs = psycopg_error(pg, sql)
    conn = dbapi.connect(executor_server.url, autocommit=mode == "autocommit")
    try:
        cursor = conn.cursor()
        cursor.execute("SELECT 1")

        def never(*args, **kwargs):
            raise AssertionError("a statement was run again")

        conn._replay = never
        with pytest.raises(dbapi.DatabaseError) as info:
            cursor.execute(sql)
    finally:
        conn.close()
    ours = info.value
    assert_same_class(ours, theirs)
    lost = LOST_IN_TRANSACTION.get(case, set())
    expected = {k: (None if k in lost else v) for k, v in diagnostics(theirs).items()}
    assert diagnostics(ours) == expected
    for name in lost:  # a real gap: psycopg has the field
        assert getattr(theirs.diag, name) is not None
    assert str(ours).split("\n")[0] == str(theirs).split("\n")[0]


@pytest.mark.parametrize("kind", ["atomic-block", "autocommit-write"])
def test_deferred_foreign_key_at_commit_matches_psycopg(executor_server, pg, schema, kind):
    sql = f"INSERT INTO {schema}_child (id, name, parent_id) VALUES (5, 'e', 99)"
    with pytest.raises(psycopg.Error) as info, pg.transaction():
        pg.execute(sql)
    theirs = info.value
    conn = dbapi.connect(
        executor_server.url, autocommit=kind == "autocommit-write", replay_errors=True
    )
    try:
        cursor = conn.cursor()
        with pytest.raises(dbapi.IntegrityError) as info:
            cursor.execute(sql)
            if kind == "atomic-block":
                cursor.execute(f"UPDATE {schema}_child SET qty = 2 WHERE id = 1")
                conn.commit()
    finally:
        conn.close()
    ours = info.value
    assert_same_class(ours, theirs)
    assert diagnostics(ours) == diagnostics(theirs)
    assert str(ours) == str(theirs)
    assert pg.execute(f"SELECT count(*) FROM {schema}_child").fetchone()[0] == 1


def test_deferred_check_at_commit_sees_what_the_transaction_fixed(executor_server, pg, schema):
    """The replay runs the whole transaction, then checks: a row fixed later is no error."""
    conn = dbapi.connect(executor_server.url, replay_errors=True)
    try:
        cursor = conn.cursor()
        cursor.execute("SAVEPOINT s1")
        cursor.execute(f"INSERT INTO {schema}_child (id, name, parent_id) VALUES (7, 'x', 70)")
        cursor.execute("ROLLBACK TO SAVEPOINT s1")  # undone: not replayed
        cursor.execute(f"INSERT INTO {schema}_child (id, name, parent_id) VALUES (8, 'x', 80)")
        cursor.execute(f"INSERT INTO {schema}_parent VALUES (80)")  # fixes row 8
        cursor.execute(f"INSERT INTO {schema}_child (id, name, parent_id) VALUES (9, 'x', 90)")
        with pytest.raises(dbapi.IntegrityError) as info:
            conn.commit()
    finally:
        conn.close()
    assert info.value.diag.message_detail == (
        f'Key (parent_id)=(90) is not present in table "{schema}_parent".'
    )
    assert isinstance(info.value, psycopg.errors.ForeignKeyViolation)
    assert pg.execute(f"SELECT count(*) FROM {schema}_parent").fetchone()[0] == 1


def test_a_replay_changes_nothing(executor_server, pg, schema):
    """The replay of a failed multi-row insert leaves no row behind (it always ends in an
    error), and a replay that meets no error leaves the executor's report as it was."""
    conn = dbapi.connect(executor_server.url, autocommit=True, replay_errors=True)
    try:
        with pytest.raises(psycopg.errors.UniqueViolation) as info:
            conn.cursor().execute(
                f"INSERT INTO {schema}_child (id, name) VALUES (20, 'ok'), (1, 'dup')"
            )
    finally:
        conn.close()
    assert info.value.diag.message_detail == "Key (id)=(1) already exists."
    assert pg.execute(f"SELECT count(*) FROM {schema}_child").fetchone()[0] == 1


def test_errors_pickle_with_their_classes(conn, make_table):
    import pickle

    table = make_table("id int PRIMARY KEY")
    conn.cursor().execute(f"INSERT INTO {table} VALUES (1)")
    with pytest.raises(dbapi.IntegrityError) as info:
        conn.cursor().execute(f"INSERT INTO {table} VALUES (1)")
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is type(info.value)
    assert isinstance(copy, psycopg.errors.UniqueViolation)
    assert str(copy) == str(info.value)
    assert copy.diag.constraint_name == f"{table}_pkey"
    assert copy.pgcode == "23505"


def test_executemany_outside_a_transaction_gets_the_whole_report(executor_server, pg, schema):
    theirs = psycopg_error(
        pg,
        f"INSERT INTO {schema}_child (id, name) VALUES (30, 'a'); "
        f"INSERT INTO {schema}_child (id, name) VALUES (1, 'b')",
    )
    conn = dbapi.connect(executor_server.url, autocommit=True, replay_errors=True)
    try:
        with pytest.raises(dbapi.IntegrityError) as info:
            conn.cursor().executemany(
                f"INSERT INTO {schema}_child (id, name) VALUES (%s, %s)", [(30, "a"), (1, "b")]
            )
    finally:
        conn.close()
    assert diagnostics(info.value) == diagnostics(theirs)
    assert pg.execute(f"SELECT count(*) FROM {schema}_child").fetchone()[0] == 1
