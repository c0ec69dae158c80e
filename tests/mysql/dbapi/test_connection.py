"""The driver's MySQL dialect on MariaDB through a real executor: result values against PyMySQL's
for the same SQL, lastrowid and rowcount, MySQL's transaction semantics (a failed statement
leaves the transaction usable, a deadlock ends it), foreign key checks that never stay behind
on a pooled server connection, and statements refused before anything is sent."""

from __future__ import annotations

import datetime as dt
import threading
from contextlib import nullcontext
from decimal import Decimal

import pytest

from django_prisma import dbapi
from django_prisma.dbapi import mysql as dbapi_mysql
from django_prisma.dbapi.exceptions import (
    DatabaseError,
    DataError,
    ErrorKind,
    IntegrityError,
    InterfaceError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
)
from tests.mysql.conftest import checks_on_every_pooled_connection, server_setting

KINDS = """CREATE TABLE kinds (
  id bigint unsigned AUTO_INCREMENT PRIMARY KEY, ti tinyint, si smallint, mi mediumint, i int,
  bi bigint, ubi bigint unsigned, us smallint unsigned, f float, d double, dec1 decimal(65,30),
  dt0 datetime, da date, tm6 time(6), yr year, c char(3), vc varchar(50), tx text, bl blob,
  vb varbinary(10), bn binary(3), en enum('a','b'), st set('a','b','c'), u uuid, b1 bit(1),
  b8 bit(8), bool1 tinyint(1), i6 inet6, dt6 datetime(6), ts6 timestamp(6) NULL, js json)"""
KINDS_ROW = """INSERT INTO kinds VALUES (DEFAULT, -128, -32768, -8388608, -2147483648,
  -9223372036854775808, 18446744073709551615, 65535, 1.1, 0.1,
  '12345678901234567890123456789012345.123456789012345678901234567891',
  '9999-12-31 23:59:59', '1000-01-01', '-838:59:59.000000', 2155, 'ab', 'it''s \\\\ 😀', 'long',
  '\\0\\0', X'00FF', X'61', 'b', 'a,c', '12345678-1234-5678-1234-567812345678', b'1',
  b'10000001', 1, '::ffff:1.2.3.4', '2024-02-29 23:59:59.999999', '2038-01-19 03:14:07.999999',
  '{"b": 12345678901234567890, "a": [1.5, "ü"]}')"""


@pytest.fixture(scope="module")
def kinds(mysql_server):
    conn = dbapi_mysql.connect(mysql_server.url, autocommit=True)
    cursor = conn.cursor()
    cursor.execute(KINDS)
    cursor.execute(KINDS_ROW)
    conn.close()
    return "kinds"


def test_values_of_every_column_type_are_pymysqls(my_conn, reference, kinds):
    cursor = my_conn.cursor()
    cursor.execute("SELECT * FROM kinds")
    ours = cursor.fetchone()
    with reference.cursor() as theirs_cursor:
        theirs_cursor.execute("SELECT * FROM kinds")
        theirs = theirs_cursor.fetchone()
    names = [column[0] for column in cursor.description]
    exact = names.index("dt6")
    assert [(n, v, type(v)) for n, v in zip(names[:exact], ours, strict=False)] == [
        (n, v, type(v)) for n, v in zip(names[:exact], theirs, strict=False)
    ]
    # Documented differences of the executor, which Django's compiler casts away: DATETIME and
    # TIMESTAMP cut to milliseconds, JSON parsed by JavaScript (numbers beyond 2**53, spacing).
    assert ours[exact:] == (
        dt.datetime(2024, 2, 29, 23, 59, 59, 999000),
        dt.datetime(2038, 1, 19, 3, 14, 7, 999000),
        '{"b":12345678901234567000,"a":[1.5,"ü"]}',
    )
    assert theirs[exact:] == (
        dt.datetime(2024, 2, 29, 23, 59, 59, 999999),
        dt.datetime(2038, 1, 19, 3, 14, 7, 999999),
        '{"b": 12345678901234567890, "a": [1.5, "ü"]}',
    )
    cursor.execute("SELECT CAST(dt6 AS CHAR), CAST(ts6 AS CHAR), CAST(js AS CHAR) FROM kinds")
    assert cursor.fetchone() == (
        "2024-02-29 23:59:59.999999",
        "2038-01-19 03:14:07.999999",
        '{"b": 12345678901234567890, "a": [1.5, "ü"]}',
    )


def test_description_names_and_type_names(my_conn, kinds):
    cursor = my_conn.cursor()
    cursor.execute("SELECT id, dec1, vc, bl, da FROM kinds")
    assert [column[:2] for column in cursor.description] == [
        ("id", "bigint"),
        ("dec1", "decimal"),
        ("vc", "string"),
        ("bl", "bytes"),
        ("da", "date"),
    ]
    assert cursor.statusmessage is None


def test_unsigned_values_the_executor_cannot_serialise_are_read_exactly(my_conn, reference):
    # int unsigned columns and unsigned values MySQL computes reach the executor's serialiser as
    # BigInts: the driver reads such a result again as records (records.py).
    cursor = my_conn.cursor()
    cursor.execute("CREATE TABLE unsigned_ints (v int unsigned, w int unsigned NULL)")
    cursor.execute("INSERT INTO unsigned_ints VALUES (4294967295, NULL), (0, 7)")
    sql = (
        "SELECT v, w, CAST(18446744073709551615 AS UNSIGNED), CONNECTION_ID() > 0, 'x' "
        "FROM unsigned_ints ORDER BY v"
    )
    cursor.execute(sql)
    ours = cursor.fetchall()
    with reference.cursor() as theirs:
        theirs.execute(sql)
        assert ours == list(theirs.fetchall())
    assert ours[1][:3] == (4294967295, None, 2**64 - 1)


# -- lastrowid and rowcount ---------------------------------------------------------------------


@pytest.fixture
def counters(my_conn):
    cursor = my_conn.cursor()
    cursor.execute(
        "CREATE TABLE counters (id int AUTO_INCREMENT PRIMARY KEY, v int) AUTO_INCREMENT = 40"
    )
    yield cursor
    cursor.execute("DROP TABLE counters")


def test_lastrowid_is_the_generated_id(my_conn, counters):
    counters.execute("INSERT INTO counters (v) VALUES (%s)", [1])
    assert (counters.lastrowid, counters.rowcount) == (40, 1)
    # A multi-row insert: MySQL reports the first id generated, as mysql_insert_id() does.
    counters.execute("INSERT INTO counters (v) VALUES (2), (3), (4)")
    assert (counters.lastrowid, counters.rowcount) == (41, 3)
    counters.execute("INSERT INTO counters (id, v) VALUES (100, 5)")
    assert counters.lastrowid == 100
    counters.execute("SELECT COUNT(*) FROM counters")
    assert counters.lastrowid is None and counters.fetchone() == (5,)


def test_lastrowid_inside_a_transaction(mysql_server, counters):
    conn = dbapi_mysql.connect(mysql_server.url, autocommit=False)
    try:
        cursor = conn.cursor()
        cursor.execute("INSERT INTO counters (v) VALUES (1)")
        first = cursor.lastrowid
        cursor.execute("INSERT INTO counters (v) VALUES (2)")
        assert cursor.lastrowid == first + 1
        conn.rollback()
    finally:
        conn.close()
    counters.execute("SELECT COUNT(*) FROM counters")
    assert counters.fetchone() == (0,)


def test_update_rowcount_counts_matched_rows_even_when_unchanged(counters):
    counters.execute("INSERT INTO counters (v) VALUES (1), (1), (2)")
    counters.execute("UPDATE counters SET v = 1 WHERE v = 1")  # nothing changes
    assert counters.rowcount == 2, "Django's save() takes 0 for 'no such row' and INSERTs"
    counters.execute("UPDATE counters SET v = 3 WHERE v = 1")
    assert counters.rowcount == 2
    counters.execute("DELETE FROM counters WHERE v = 3")
    assert counters.rowcount == 2
    counters.execute("UPDATE counters SET v = 9 WHERE v = 404")
    assert counters.rowcount == 0


def test_executemany_counts_all_rows(counters):
    counters.executemany("INSERT INTO counters (v) VALUES (%s)", [[1], [2], [3]])
    assert counters.rowcount == 3
    counters.execute("SELECT v FROM counters ORDER BY v")
    assert counters.fetchall() == [(1,), (2,), (3,)]


# -- transactions ------------------------------------------------------------------------------


def test_a_failed_statement_leaves_the_transaction_usable(mysql_server, counters):
    counters.execute("INSERT INTO counters (id, v) VALUES (1, 1)")
    conn = dbapi_mysql.connect(mysql_server.url, autocommit=False)
    try:
        cursor = conn.cursor()
        cursor.execute("INSERT INTO counters (id, v) VALUES (2, 2)")
        with pytest.raises(IntegrityError) as raised:
            cursor.execute("INSERT INTO counters (id, v) VALUES (1, 3)")
        assert raised.value.args[0] == 1062
        with pytest.raises(ProgrammingError):
            cursor.execute("SELEC 1")
        cursor.execute("INSERT INTO counters (id, v) VALUES (3, 3)")
        conn.commit()
    finally:
        conn.close()
    counters.execute("SELECT id FROM counters ORDER BY id")
    assert counters.fetchall() == [(1,), (2,), (3,)]


def test_savepoints(mysql_server, counters):
    conn = dbapi_mysql.connect(mysql_server.url, autocommit=False)
    try:
        cursor = conn.cursor()
        cursor.execute("INSERT INTO counters (v) VALUES (1)")
        cursor.execute("SAVEPOINT s1")
        cursor.execute("INSERT INTO counters (v) VALUES (2)")
        cursor.execute("ROLLBACK TO SAVEPOINT s1")
        cursor.execute("INSERT INTO counters (v) VALUES (3)")
        cursor.execute("RELEASE SAVEPOINT s1")
        conn.commit()
    finally:
        conn.close()
    counters.execute("SELECT v FROM counters ORDER BY v")
    assert counters.fetchall() == [(1,), (3,)]


def test_a_deadlock_ends_the_transaction_of_its_victim(mysql_server, counters):
    counters.execute("INSERT INTO counters (id, v) VALUES (1, 0), (2, 0)")
    first = dbapi_mysql.connect(mysql_server.url, autocommit=False)
    second = dbapi_mysql.connect(mysql_server.url, autocommit=False)
    outcome: dict[str, BaseException | None] = {}

    def bump(name, conn, row):
        try:
            conn.cursor().execute(f"UPDATE counters SET v = v + 1 WHERE id = {row}")
            outcome[name] = None
        except DatabaseError as error:
            outcome[name] = error

    try:
        bump("first lock", first, 1)
        bump("second lock", second, 2)
        waiting = threading.Thread(target=bump, args=("first", first, 2))
        waiting.start()
        waiting.join(1.0)  # the first now waits for the second's row
        bump("second", second, 1)  # …which waits for the first's: InnoDB picks a victim
        waiting.join(60)
        errors = {name: e for name, e in outcome.items() if e is not None}
        assert len(errors) == 1, outcome
        ((victim_name, error),) = errors.items()
        assert type(error) is OperationalError and error.args[0] == 1213
        victim, survivor = (first, second) if victim_name == "first" else (second, first)
        with pytest.raises(DatabaseError, match="MySQL rolled the transaction back"):
            victim.commit()
        survivor.commit()
    finally:
        first.close()
        second.close()
    counters.execute("SELECT v FROM counters ORDER BY id")
    assert counters.fetchall() == [(1,), (1,)], "only the survivor's two updates"


# -- foreign key checks ------------------------------------------------------------------------


@pytest.fixture
def parent_child(my_conn):
    cursor = my_conn.cursor()
    cursor.execute("CREATE TABLE parents (id int PRIMARY KEY)")
    cursor.execute(
        "CREATE TABLE children (id int PRIMARY KEY, parent_id int, "
        "FOREIGN KEY (parent_id) REFERENCES parents (id))"
    )
    yield cursor
    cursor.execute("DROP TABLE children")
    cursor.execute("DROP TABLE parents")


@pytest.fixture(params=["MariaDB", "MySQL"])
def server_kind(request, monkeypatch):
    """MariaDB's way (SET STATEMENT on every statement), and MySQL's (SET inside the
    transaction, reset before it ends), which MariaDB runs as well."""
    if request.param == "MySQL":
        monkeypatch.setattr(dbapi_mysql.connection.MySQLConnection, "is_mariadb", False)
    return request.param


@pytest.mark.parametrize(
    "end",
    ["commit", "rollback", "enable then commit", "close", "fail then commit", "fail then rollback"],
)
def test_foreign_key_checks_are_off_only_inside_the_transaction(
    mysql_server, parent_child, server_kind, end
):
    conn = dbapi_mysql.connect(mysql_server.url, autocommit=False)
    try:
        assert conn.disable_foreign_key_checks() is True
        cursor = conn.cursor()
        cursor.execute("INSERT INTO children VALUES (1, 7)")  # its parent comes later
        cursor.execute("SELECT CAST(CONNECTION_ID() AS SIGNED), @@foreign_key_checks")
        connection_id, checks = cursor.fetchone()
        assert checks == 0
        cursor.execute("INSERT INTO parents VALUES (7)")
        if end == "enable then commit":
            conn.enable_foreign_key_checks()
            cursor.execute("SELECT @@foreign_key_checks")
            assert cursor.fetchone() == (1,)
            with pytest.raises(IntegrityError):
                cursor.execute("INSERT INTO children VALUES (2, 404)")
        if end.startswith("fail"):
            # An error the executor raises (no MySQL error number): the transaction is failed,
            # commit() rolls it back.
            with pytest.raises(NotSupportedError):
                cursor.execute("SELECT JSON_OBJECT('$type', 'x')")
            with (
                pytest.raises(DatabaseError, match="nothing was committed")
                if "commit" in end
                else nullcontext()
            ):
                getattr(conn, end.split()[-1])()
        else:
            getattr(conn, end.split()[-1])()
    finally:
        conn.close()
    assert checks_on_every_pooled_connection(mysql_server, connection_id) == 1
    assert server_setting(mysql_server, "foreign_key_checks") == 1
    parent_child.execute("SELECT COUNT(*) FROM children")
    committed = end in ("commit", "enable then commit")
    assert parent_child.fetchone() == ((1,) if committed else (0,))


def test_foreign_key_checks_outside_a_transaction(mysql_server, my_conn, parent_child, server_kind):
    if server_kind == "MySQL":
        assert my_conn.disable_foreign_key_checks() is False, "it would stay on the pooled session"
        with pytest.raises(IntegrityError) as raised:
            parent_child.execute("INSERT INTO children VALUES (1, 404)")
        assert raised.value.args[0] == 1452
        return
    # MariaDB: off for this connection's statements only, never for the server connection.
    assert my_conn.disable_foreign_key_checks() is True
    parent_child.execute("INSERT INTO children VALUES (1, 404)")
    parent_child.execute("SELECT CAST(CONNECTION_ID() AS SIGNED), @@foreign_key_checks")
    connection_id, checks = parent_child.fetchone()
    assert checks == 0
    assert checks_on_every_pooled_connection(mysql_server, connection_id) == 1
    my_conn.enable_foreign_key_checks()
    with pytest.raises(IntegrityError):
        parent_child.execute("INSERT INTO children VALUES (2, 404)")
    parent_child.execute("DELETE FROM children")


def test_session_settings_hold_for_the_connection_only(mysql_server, my_conn):
    cursor = my_conn.cursor()
    cursor.execute("SET sql_mode = 'ANSI_QUOTES', @@session.div_precision_increment = 9")
    cursor.execute("SELECT @@sql_mode, @@div_precision_increment, 1 / 3")
    assert cursor.fetchone() == ("ANSI_QUOTES", 9, Decimal("0.333333333"))
    assert server_setting(mysql_server, "sql_mode") != "ANSI_QUOTES"
    assert server_setting(mysql_server, "div_precision_increment") == 4
    cursor.execute("SET sql_mode = DEFAULT")
    cursor.execute("SELECT @@sql_mode")
    assert cursor.fetchone() == (server_setting(mysql_server, "sql_mode"),)
    cursor.execute("SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE")
    assert my_conn.isolation_level == "serializable"
    with pytest.raises(OperationalError) as raised:
        cursor.execute("SET no_such_variable = 1")  # checked by the server, as a SET would be
    assert raised.value.args[0] == 1193


# -- refused before sending, and the wrong database --------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "SET @x = 1",
        "SET GLOBAL foreign_key_checks = 0",
        "USE mysql",
        "LOCK TABLES counters WRITE",
        "SELECT GET_LOCK('x', 0)",
        "CREATE TEMPORARY TABLE tmp (a int)",
        "BEGIN",
        "COMMIT",
        "LOAD DATA LOCAL INFILE '/etc/hostname' INTO TABLE counters",
    ],
)
def test_session_statements_never_reach_the_server(mysql_server, my_conn, sql):
    with pytest.raises(NotSupportedError):
        my_conn.cursor().execute(sql)
    assert server_setting(mysql_server, "foreign_key_checks") == 1


def test_several_statements_in_one_string(my_conn, counters):
    counters.execute("INSERT INTO counters (v) VALUES (1); SELECT COUNT(*) FROM counters; SELECT 2")
    assert counters.rowcount == 1
    assert counters.nextset() and counters.fetchall() == [(1,)]
    assert counters.nextset() and counters.fetchall() == [(2,)]
    with pytest.raises(NotSupportedError, match="SAVEPOINT in a string of several statements"):
        counters.execute("SELECT 1; SAVEPOINT s")


def test_the_postgresql_dialect_on_a_mysql_server_says_so(mysql_server):
    conn = dbapi.connect(mysql_server.url, autocommit=True)
    try:
        with pytest.raises(InterfaceError) as raised:
            conn.cursor().execute("SELECT 1")
    finally:
        conn.close()
    assert raised.value.kind == ErrorKind.WRONG_DATABASE
    message = str(raised.value)
    assert message.startswith(
        "this Prisma server's database is MySQL or MariaDB (it answered with MySQL error 1064: "
    )
    assert message.endswith(
        "this connection speaks another SQL dialect: use the MySQL dialect (Django: ENGINE "
        "'django_prisma.mysql')"
    )


def test_the_mysql_dialect_on_a_postgresql_server_says_so(executor_server):
    conn = dbapi_mysql.connect(executor_server.url, autocommit=True)
    try:
        with pytest.raises(InterfaceError) as raised:
            conn.cursor().execute("SELECT `id` FROM nowhere")
    finally:
        conn.close()
    assert raised.value.kind == ErrorKind.WRONG_DATABASE
    message = str(raised.value)
    assert message.startswith(
        "this Prisma server's database is PostgreSQL (it answered with SQLSTATE 42601: syntax "
    )
    assert message.endswith(
        "this connection speaks another SQL dialect: use the PostgreSQL dialect (Django: ENGINE "
        "'django_prisma')"
    )


def test_connection_surface(mysql_server, my_conn):
    assert "django_prisma MySQL Connection" in repr(my_conn)
    assert "api_key" not in repr(my_conn) and mysql_server.url.split("api_key=")[1] not in repr(
        my_conn
    )
    assert "MariaDB" in my_conn.get_server_info()
    with pytest.raises(InterfaceError, match="session_time_zone is not available for MySQL"):
        dbapi_mysql.connect(mysql_server.url, session_time_zone="UTC")
    assert my_conn.cursor().mogrify("SELECT %s", [Decimal("1.10")]) == "SELECT 1.10"


# -- MariaDB's own errors, as PyMySQL raises them for the same SQL -----------------------------


@pytest.fixture(scope="module")
def constrained(mysql_server):
    conn = dbapi_mysql.connect(mysql_server.url, autocommit=True)
    cursor = conn.cursor()
    cursor.execute("CREATE TABLE owners (id int PRIMARY KEY)")
    cursor.execute(
        "CREATE TABLE owned (id int PRIMARY KEY, owner_id int NOT NULL, code varchar(3), "
        "n int CHECK (n > 0), FOREIGN KEY (owner_id) REFERENCES owners (id))"
    )
    cursor.execute("INSERT INTO owners VALUES (1)")
    cursor.execute("INSERT INTO owned VALUES (1, 1, 'a', 1)")
    conn.close()


@pytest.mark.parametrize(
    "sql, errno, cls",
    [
        ("INSERT INTO owned VALUES (1, 1, 'b', 1)", 1062, IntegrityError),
        ("INSERT INTO owned VALUES (2, 404, 'b', 1)", 1452, IntegrityError),
        ("DELETE FROM owners", 1451, IntegrityError),
        ("INSERT INTO owned VALUES (2, NULL, 'b', 1)", 1048, IntegrityError),
        ("INSERT INTO owned VALUES (2, 1, 'long', 1)", 1406, DataError),
        ("INSERT INTO owned VALUES (2, 1, 'b', 0)", 4025, OperationalError),
        ("SELEC 1", 1064, ProgrammingError),
        ("SELECT * FROM no_such_table", 1146, ProgrammingError),
        ("SELECT no_such_column FROM owned", 1054, OperationalError),
    ],
)
def test_server_errors_are_raised_as_pymysql_raises_them(
    my_conn, reference, constrained, sql, errno, cls
):
    import pymysql

    with pytest.raises(cls) as ours:
        my_conn.cursor().execute(sql)
    with pytest.raises(pymysql.MySQLError) as theirs, reference.cursor() as cursor:
        cursor.execute(sql)
    assert ours.value.args == theirs.value.args
    assert ours.value.args[0] == errno
    assert type(theirs.value).__name__ == cls.__name__


def test_json_unquote_text_is_read_as_text_once_cast(my_conn):
    # MariaDB types JSON_UNQUOTE() binary; the executor sends its text as is. Non-ASCII text
    # stays text; cast to CHAR, any text does (Django's compiler casts KT() results).
    cursor = my_conn.cursor()
    cursor.execute(
        "SELECT JSON_UNQUOTE(JSON_EXTRACT(%s, '$.t')), "
        "CAST(JSON_UNQUOTE(JSON_EXTRACT(%s, '$.s')) AS CHAR)",
        ['{"t": "héllo"}', '{"s": "abcd"}'],
    )
    assert cursor.fetchone() == ("héllo", "abcd")


def test_no_psycopg_connection_info(my_conn):
    """MySQLdb has no psycopg ConnectionInfo: a tool that reads ``connection.info.dbname`` when
    there is one (sentry-sdk, for every statement's span) falls back to the connection's
    settings, as with MySQLdb, and sends nothing (PostgreSQL's catalog query would fail)."""
    sent = my_conn.transport.requests_sent
    assert not hasattr(my_conn, "info")
    assert my_conn.transport.requests_sent == sent
    assert dbapi.connect("prisma+postgres://localhost:9/?api_key=k").info.port == 9
