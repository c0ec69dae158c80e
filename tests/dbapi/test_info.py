"""``Connection.info`` and the PEP 249 extensions, compared with psycopg on the same database."""

from __future__ import annotations

import psycopg
import pytest
from psycopg.pq import ConnStatus, TransactionStatus

from django_prisma import dbapi
from django_prisma.dbapi.info import REPORTED_PARAMETERS, forget_servers


@pytest.fixture
def fresh(executor_server):
    """A connection to the executor with nothing known yet about its server."""
    forget_servers()
    conn = dbapi.connect(executor_server.url, autocommit=True)
    yield conn
    conn.close()


def test_info_matches_psycopg(fresh, pg, executor_server):
    info = fresh.info
    assert info.server_version == pg.info.server_version
    assert info.dbname == pg.info.dbname
    assert info.user == pg.info.user
    for name in REPORTED_PARAMETERS:
        if name != "application_name":  # the server connection's, set by the Prisma server
            assert info.parameter_status(name) == pg.info.parameter_status(name), name
    assert info.parameter_status("no_such_parameter") is None
    assert info.parameter_status("work_mem") is None  # not reported by PostgreSQL either
    assert pg.info.parameter_status("work_mem") is None
    assert info.encoding == pg.info.encoding == "utf-8"
    assert info.vendor == pg.info.vendor
    assert info.timezone == pg.info.timezone
    assert info.host == "localhost" and info.port == executor_server.port
    assert info.backend_pid == 0  # no single backend: statements run on pooled connections
    assert info.status == ConnStatus.OK
    assert info.transaction_status == TransactionStatus.IDLE


def test_dsn_and_parameters_never_show_the_api_key(fresh, executor_server):
    key = executor_server.url.split("api_key=", 1)[1]
    info = fresh.info
    params = info.get_parameters()
    assert params == {
        "user": info.user,
        "dbname": info.dbname,
        "host": "localhost",
        "port": str(executor_server.port),
    }
    assert info.dsn == f"user={info.user} dbname={info.dbname} host=localhost " + (
        f"port={executor_server.port}"
    )
    assert key not in info.dsn and key not in repr(info) and info.password is None


def test_server_facts_cost_one_request_per_server_and_process(fresh, executor_server):
    before = fresh.transport.requests_sent
    assert fresh.info.server_version >= 150000
    assert fresh.transport.requests_sent == before + 1
    fresh.info.parameter_status("DateStyle")
    assert fresh.info.dbname
    assert fresh.transport.requests_sent == before + 1
    other = dbapi.connect(executor_server.url, autocommit=True)
    try:
        assert other.info.server_version == fresh.info.server_version
        assert other.transport.requests_sent == 0
    finally:
        other.close()


def test_server_facts_read_in_an_open_transaction_do_not_end_it(fresh, executor_server):
    conn = dbapi.connect(executor_server.url)
    try:
        conn.cursor().execute("SELECT 1")
        assert conn.info.transaction_status == TransactionStatus.INTRANS
        assert conn.info.server_version >= 150000
        assert conn.info.transaction_status == TransactionStatus.INTRANS
        conn.commit()
    finally:
        conn.close()


def test_time_zone_is_the_connections_when_it_sets_one(fresh):
    fresh.configure_time_zone("Europe/Paris", naive_datetimes=True)
    assert fresh.info.parameter_status("TimeZone") == "Europe/Paris"
    assert str(fresh.info.timezone) == "Europe/Paris"


def test_status_after_close(fresh):
    fresh.close()
    assert fresh.info.status == ConnStatus.BAD
    assert fresh.info.transaction_status == TransactionStatus.UNKNOWN


def both(conn, pg, action):
    """Run one step on this driver's connection and on psycopg's; return both statuses."""
    for target in (conn, pg):
        try:
            action(target)
        except (dbapi.DatabaseError, psycopg.DatabaseError):
            pass
    return conn.info.transaction_status, pg.info.transaction_status


def test_transaction_status_follows_psycopg_step_by_step(executor_server, pg, table_name):
    # one table each: the two transactions must not wait on each other's rows
    tables = {"ours": f"{table_name}_a", "theirs": f"{table_name}_b"}
    for name in tables.values():
        pg.execute(f"CREATE TABLE {name} (id int PRIMARY KEY)")
    conn = dbapi.connect(executor_server.url, autocommit=True)

    def run(sql):
        def action(target):
            name = tables["theirs" if target is pg else "ours"]
            target.cursor().execute(sql.format(table=name))

        return action

    def set_autocommit(value):
        def action(target):
            target.autocommit = value

        return action

    steps = [
        ("select in autocommit", run("SELECT 1")),
        ("autocommit off", set_autocommit(False)),
        ("savepoint first (held back)", run("SAVEPOINT s1")),
        ("insert", run("INSERT INTO {table} VALUES (1)")),
        ("savepoint", run("SAVEPOINT s2")),
        ("failing insert", run("INSERT INTO {table} VALUES (1)")),
        ("rollback to savepoint", run("ROLLBACK TO SAVEPOINT s2")),
        ("release", run("RELEASE SAVEPOINT s1")),
        ("commit", lambda target: target.commit()),
        ("savepoint and release only", run("SAVEPOINT s3")),
        ("release it", run("RELEASE SAVEPOINT s3")),
        ("commit nothing", lambda target: target.commit()),
        ("select starts a transaction", run("SELECT 1")),
        ("error", run("SELECT 1/0")),
        ("still failed", run("SELECT 1")),
        ("rollback", lambda target: target.rollback()),
        ("error at the first statement", run("SELECT 1/0")),
        ("rollback again", lambda target: target.rollback()),
        ("autocommit on", set_autocommit(True)),
        ("error in autocommit", run("SELECT 1/0")),
    ]
    pg.autocommit = True
    try:
        assert both(conn, pg, lambda target: None) == (TransactionStatus.IDLE,) * 2
        for name, action in steps:
            ours, theirs = both(conn, pg, action)
            assert ours == theirs, name
    finally:
        conn.close()
        pg.rollback()
    for name in tables.values():
        assert pg.execute(f"SELECT count(*) FROM {name}").fetchone()[0] == 1


def test_pep_249_extensions(conn):
    for name in (
        "Warning",
        "Error",
        "InterfaceError",
        "DatabaseError",
        "DataError",
        "OperationalError",
        "IntegrityError",
        "InternalError",
        "ProgrammingError",
        "NotSupportedError",
    ):
        assert getattr(conn, name) is getattr(dbapi, name)
    cursor = conn.cursor()
    assert cursor.connection is conn
    assert not hasattr(cursor, "lastrowid")  # as psycopg: use RETURNING
    cursor.execute("SELECT * FROM generate_series(1, 3)")
    assert cursor.rownumber == 0
    cursor.fetchone()
    assert cursor.rownumber == 1


STATUS_STATEMENTS = [
    "CREATE TABLE {t} (id int PRIMARY KEY, v text, g int GENERATED ALWAYS AS (id * 2) STORED)",
    "INSERT INTO {t} (id, v) VALUES (1, 'a')",
    "INSERT INTO {t} (id, v) VALUES (2, 'b'), (3, 'c') RETURNING id",
    "UPDATE {t} SET v = 'z' WHERE id > 1",
    "SELECT * FROM {t}",
    "VALUES (1), (2)",
    "WITH x AS (SELECT 1) INSERT INTO {t} (id) SELECT 10 FROM x RETURNING id",
    "WITH d AS (DELETE FROM {t} WHERE id = 10 RETURNING id) SELECT count(*) FROM d",
    "DELETE FROM {t} WHERE id = 3",
    "CREATE UNIQUE INDEX {t}_v ON {t} (v)",
    "CREATE OR REPLACE VIEW {t}_view AS SELECT id FROM {t}",
    "CREATE TABLE {t}_copy AS SELECT * FROM {t}",
    "ALTER TABLE {t} ADD COLUMN w int",
    "COMMENT ON TABLE {t} IS 'c'",
    "TRUNCATE {t}_copy",
    "DO $$ BEGIN END $$",
    "SHOW TimeZone",
    "DROP VIEW {t}_view",
    "DROP TABLE {t}_copy, {t}",
]


def test_statusmessage_matches_psycopg(conn, pg_direct, table_name):
    if pg_direct is None:
        pytest.skip("compared with psycopg on the executor's database")
    ours, theirs = [], []
    for sql in STATUS_STATEMENTS:
        cursor = conn.cursor()
        cursor.execute(sql.format(t=f"{table_name}_a"))
        ours.append(cursor.statusmessage)
        theirs.append(pg_direct.execute(sql.format(t=f"{table_name}_b")).statusmessage)
    assert ours == theirs


def test_info_on_both_topologies(conn):
    forget_servers()
    version = conn.info.server_version
    assert version >= 150000
    assert conn.info.parameter_status("server_version").startswith(f"{version // 10000}.")
    assert conn.info.parameter_status("server_encoding") == "UTF8"
    assert conn.info.parameter_status("integer_datetimes") == "on"
    assert conn.info.dbname and conn.info.user
