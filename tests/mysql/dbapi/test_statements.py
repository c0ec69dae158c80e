"""Statements that would leave state behind on a pooled server connection are refused, each with
what to do instead; the rest are classified (rows or not, read-only or not)."""

from __future__ import annotations

import pytest

from django_prisma.dbapi.exceptions import NotSupportedError
from django_prisma.dbapi.mysql.statements import MySQLStatement

POOLED = "over HTTP is a pooled connection shared with other requests"


def refusal(sql: str, *, in_transaction: bool = False) -> str:
    with pytest.raises(NotSupportedError) as raised:
        MySQLStatement(sql).check(in_transaction=in_transaction)
    return str(raised.value)


@pytest.mark.parametrize(
    "sql",
    [
        "SET @x = 1",
        "set session sql_mode = ''",
        "SET NAMES utf8mb4",
        "USE other",
        "LOCK TABLES t WRITE",
        "UNLOCK TABLES",
        "PREPARE s FROM 'SELECT 1'",
        "EXECUTE s",
        "DEALLOCATE PREPARE s",
        "HANDLER t OPEN",
        "RESET QUERY CACHE",
    ],
)
def test_session_statements_are_refused(sql):
    keyword = sql.split()[0].upper()
    assert refusal(sql).startswith(f"{keyword} acts on the MySQL session, which {POOLED}")


def test_set_transaction_names_where_the_isolation_level_goes():
    assert "(the isolation level is OPTIONS['isolation_level'])" in refusal(
        "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"
    )


@pytest.mark.parametrize(
    "sql", ["SELECT GET_LOCK('x', 1)", "SELECT release_lock ('x')", "DO RELEASE_ALL_LOCKS()"]
)
def test_named_locks_are_refused(sql):
    message = refusal(sql)
    assert message.startswith("MySQL's named locks (GET_LOCK) belong to the session")
    assert "use SELECT … FOR UPDATE inside a transaction" in message


def test_a_lock_function_named_in_a_string_or_comment_is_no_lock():
    MySQLStatement("SELECT 'GET_LOCK(1)', `release_lock(` /* GET_LOCK( */").check(
        in_transaction=False
    )


@pytest.mark.parametrize("sql", ["CREATE TEMPORARY TABLE t (a int)", "  drop temporary table t"])
def test_temporary_tables_are_refused(sql):
    assert refusal(sql).startswith(
        f"MySQL's temporary tables belong to the session, which {POOLED}"
    )


@pytest.mark.parametrize(
    "sql",
    [
        "LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t",
        "load data low_priority local infile 'x' into table t",
        "LOAD XML LOCAL INFILE 'x' INTO TABLE t",
    ],
)
def test_load_data_local_is_refused(sql):
    assert refusal(sql) == (
        "LOAD DATA LOCAL reads a file of the client, which the Prisma server cannot reach: "
        "insert the rows with INSERT statements"
    )


@pytest.mark.parametrize(
    "sql",
    ["BEGIN", "START TRANSACTION", "COMMIT", "ROLLBACK", "XA START 'x'", "commit work"],
)
def test_transaction_control_as_sql_is_refused_even_in_a_transaction(sql):
    for in_transaction in (False, True):
        message = refusal(sql, in_transaction=in_transaction)
        assert message.startswith(f"{sql.split()[0].upper()} sent as SQL: use the connection's")
        assert "never stays open on a shared server connection" in message


@pytest.mark.parametrize(
    "sql", ["SAVEPOINT s1", "RELEASE SAVEPOINT s1", "ROLLBACK TO SAVEPOINT s1"]
)
def test_savepoints_only_inside_a_transaction(sql):
    MySQLStatement(sql).check(in_transaction=True)
    assert refusal(sql).endswith(
        "outside a transaction: open one first (autocommit off / atomic())"
    )


@pytest.mark.parametrize(
    "sql, returns_rows, read_only",
    [
        ("SELECT 1", True, True),
        ("select * from t for update", True, False),
        ("SELECT a INTO @x FROM t", True, False),
        ("WITH c AS (SELECT 1) SELECT * FROM c", True, False),
        ("SHOW TABLES", True, True),
        ("DESCRIBE t", True, True),
        ("INSERT INTO t VALUES (1)", False, False),
        ("INSERT INTO t VALUES (1) RETURNING id", True, False),
        ("DELETE FROM t RETURNING id", True, False),
        ("UPDATE t SET a = 1", False, False),
        ("CREATE TABLE t (a int)", False, False),
    ],
)
def test_statement_kinds(sql, returns_rows, read_only):
    statement = MySQLStatement(sql)
    assert (statement.returns_rows, statement.read_only) == (returns_rows, read_only)
    assert statement.wrappable, "MySQL has no statement a transaction block refuses"
