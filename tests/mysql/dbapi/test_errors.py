"""MySQL error numbers → PEP 249 classes with ``args == (errno, message)``, as MySQL clients raise
them (PyMySQL's table is the reference here; mysqlclient's differs from it in the places named),
read from what the executor passes on."""

from __future__ import annotations

import pymysql.err
import pytest

from django_prisma.dbapi import exceptions as exc
from django_prisma.dbapi.errors import ErrorKind
from django_prisma.dbapi.mysql.errors import class_for_errno, errno_of, mysql_database_error

# Where the driver follows mysqlclient rather than PyMySQL (Django's MySQL backend runs on
# mysqlclient): numbers PyMySQL puts in another class.
MYSQLCLIENT_NOT_PYMYSQL = {
    1166: exc.OperationalError,  # ER_WRONG_COLUMN_NAME: PyMySQL ProgrammingError
    1366: exc.OperationalError,  # ER_TRUNCATED_WRONG_VALUE_FOR_FIELD: PyMySQL DataError
    1367: exc.OperationalError,  # ER_ILLEGAL_VALUE_FOR_TYPE: PyMySQL DataError
}


@pytest.mark.parametrize("errno", sorted(pymysql.err.error_map))
def test_error_classes_agree_with_pymysql(errno):
    expected = MYSQLCLIENT_NOT_PYMYSQL.get(errno)
    if expected is None:
        expected = getattr(exc, pymysql.err.error_map[errno].__name__)
    assert class_for_errno(errno) is expected


@pytest.mark.parametrize(
    "errno, cls",
    [
        (1062, exc.IntegrityError),  # duplicate entry
        (1452, exc.IntegrityError),  # foreign key: no referenced row
        (1451, exc.IntegrityError),  # foreign key: row is referenced
        # NULL in a NOT NULL column: PyMySQL's class; mysqlclient raises OperationalError, which
        # Django's MySQL cursor turns into IntegrityError, so Django sees the same either way.
        (1048, exc.IntegrityError),
        (1364, exc.IntegrityError),  # no default for a field (mysqlclient's table)
        (1406, exc.DataError),  # data too long
        (1264, exc.DataError),  # out of range
        (1064, exc.ProgrammingError),  # syntax
        (1146, exc.ProgrammingError),  # no such table
        (1054, exc.OperationalError),  # unknown column (MySQL clients' OperationalError)
        (1213, exc.OperationalError),  # deadlock
        (1205, exc.OperationalError),  # lock wait timeout
        (4025, exc.OperationalError),  # MariaDB's CHECK constraint (Django makes it Integrity)
        (1235, exc.NotSupportedError),
        (999, exc.InternalError),  # below MySQL's server errors
    ],
)
def test_the_numbers_django_relies_on(errno, cls):
    assert class_for_errno(errno) is cls


def executor_cause(errno: str, message: str) -> dict:
    return {"kind": "UniqueConstraintViolation", "originalCode": errno, "originalMessage": message}


def test_an_executor_error_becomes_the_mysql_error_with_mysqldbs_args():
    message = "Duplicate entry 'a' for key 'email'"
    error = mysql_database_error(executor_cause("1062", message), "ignored", 400, "P2010")
    assert type(error) is exc.IntegrityError
    assert error.args == (1062, message)
    assert errno_of(error) == 1062
    assert error.http_status == 400 and error.prisma_code == "P2010"


def test_a_bare_kind_at_commit_maps_to_mysqls_number():
    error = mysql_database_error({}, "TransactionWriteConflict", 500, None)
    assert type(error) is exc.OperationalError and error.args[0] == 1213
    assert "MySQL rolled the transaction back" in error.args[1]
    error = mysql_database_error({}, "UniqueConstraintViolation", 500, None)
    assert type(error) is exc.IntegrityError and error.args[0] == 1062
    assert mysql_database_error({}, "something else", 500, None) is None


def test_a_postgresql_sqlstate_means_the_wrong_database():
    cause = {"originalCode": "42P01", "originalMessage": 'relation "x" does not exist'}
    error = mysql_database_error(cause, "", 400, "P2010")
    assert type(error) is exc.InterfaceError
    assert error.kind == ErrorKind.WRONG_DATABASE
    assert str(error) == (
        "this Prisma server's database is PostgreSQL (it answered with SQLSTATE 42P01: relation "
        '"x" does not exist); this connection speaks another SQL dialect: use the PostgreSQL '
        "dialect (Django: ENGINE 'django_prisma')"
    )


def test_errno_of_other_exceptions_is_none():
    assert errno_of(ValueError("x")) is None
    assert errno_of(exc.OperationalError("no number")) is None
    error = exc.OperationalError("x")
    error.args = (True, "a bool is no number")
    assert errno_of(error) is None
