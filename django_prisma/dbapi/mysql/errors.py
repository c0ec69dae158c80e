"""MySQL's errors as MySQLdb (mysqlclient) raises them: the PEP 249 class its error number maps to,
and ``args == (errno, message)``, which Django's MySQL backend reads (``e.args[0]``).

The executor passes MySQL's error on as ``meta.driverAdapterError.cause``: ``originalCode`` is the
error number (as text), ``originalMessage`` the server's message, ``kind`` Prisma's name for it.
A few arrive as a bare HTTP 500 carrying only the kind (at COMMIT); they map to the number MySQL
uses for that situation.
"""

from __future__ import annotations

from typing import Any

from .. import exceptions as exc
from ..errors import is_mysql_errno, wrong_database

# mysqlclient's table (_mysql.c, _mysql_Exception): the numbers that are not an OperationalError.
_PROGRAMMING = frozenset(
    {
        1007,  # ER_DB_CREATE_EXISTS
        1064,  # ER_PARSE_ERROR
        1102,  # ER_WRONG_DB_NAME
        1103,  # ER_WRONG_TABLE_NAME
        1110,  # ER_FIELD_SPECIFIED_TWICE
        1111,  # ER_INVALID_GROUP_FUNC_USE
        1112,  # ER_UNSUPPORTED_EXTENSION
        1113,  # ER_TABLE_MUST_HAVE_COLUMNS
        1146,  # ER_NO_SUCH_TABLE
        1149,  # ER_SYNTAX_ERROR
        1179,  # ER_CANT_DO_THIS_DURING_AN_TRANSACTION
    }
)
_DATA = frozenset(
    {
        1171,  # ER_PRIMARY_CANT_HAVE_NULL
        1230,  # ER_NO_DEFAULT
        1263,  # WARN_NULL_TO_NOTNULL
        1264,  # ER_WARN_DATA_OUT_OF_RANGE
        1265,  # WARN_DATA_TRUNCATED
        1406,  # ER_DATA_TOO_LONG
        1441,  # ER_DATETIME_FUNCTION_OVERFLOW
    }
)
_INTEGRITY = frozenset(
    {
        1048,  # ER_BAD_NULL_ERROR
        1062,  # ER_DUP_ENTRY
        1169,  # ER_DUP_UNIQUE
        1215,  # ER_CANNOT_ADD_FOREIGN
        1216,  # ER_NO_REFERENCED_ROW
        1217,  # ER_ROW_IS_REFERENCED
        1364,  # ER_NO_DEFAULT_FOR_FIELD
        1451,  # ER_ROW_IS_REFERENCED_2
        1452,  # ER_NO_REFERENCED_ROW_2
    }
)
_NOT_SUPPORTED = frozenset(
    {
        1196,  # ER_WARNING_NOT_COMPLETE_ROLLBACK
        1235,  # ER_NOT_SUPPORTED_YET
        1286,  # ER_UNKNOWN_STORAGE_ENGINE
        1289,  # ER_FEATURE_DISABLED
    }
)

DEADLOCK = 1213  # ER_LOCK_DEADLOCK: InnoDB rolled the whole transaction back
LOCK_WAIT_TIMEOUT = 1205

# Bare kinds (HTTP 500 with only the kind as message) → MySQL's number for the situation.
_KIND_ERRNO = {
    "TransactionWriteConflict": DEADLOCK,
    "UniqueConstraintViolation": 1062,
    "ForeignKeyConstraintViolation": 1452,
    "NullConstraintViolation": 1048,
    "LengthMismatch": 1406,
    "ValueOutOfRange": 1264,
    "TableDoesNotExist": 1146,
    "ColumnNotFound": 1054,
}


def class_for_errno(errno: int) -> type[exc.Error]:
    """The PEP 249 class MySQLdb raises for MySQL error ``errno``."""
    if errno in _INTEGRITY:
        return exc.IntegrityError
    if errno in _PROGRAMMING:
        return exc.ProgrammingError
    if errno in _DATA:
        return exc.DataError
    if errno in _NOT_SUPPORTED:
        return exc.NotSupportedError
    return exc.OperationalError if errno >= 1000 else exc.InternalError


def mysql_error(
    errno: int,
    message: str,
    *,
    http_status: int | None = None,
    prisma_code: str | None = None,
    meta: dict[str, Any] | None = None,
) -> exc.Error:
    """The exception for one MySQL error, ``args`` as MySQLdb's: ``(errno, message)``."""
    error = class_for_errno(errno)(
        message, http_status=http_status, prisma_code=prisma_code, meta=meta
    )
    error.args = (errno, message)
    return error


def errno_of(error: BaseException) -> int | None:
    """The MySQL error number of an exception this module built, else None."""
    args: tuple[Any, ...] = getattr(error, "args", ())
    first = args[0] if len(args) == 2 else None
    if isinstance(first, int) and not isinstance(first, bool):
        return first
    return None


def mysql_database_error(
    cause: dict[str, Any], message: str, status: int, code: str | None
) -> exc.Error | None:
    """``errors.DatabaseErrorReader`` for MySQL: the error MySQL reported, or None when the
    executor's answer names none."""
    original = cause.get("originalCode") or cause.get("code")
    if original and not is_mysql_errno(original):
        return wrong_database(
            "PostgreSQL",
            f"SQLSTATE {original}: {cause.get('originalMessage') or message}",
            "the PostgreSQL dialect (Django: ENGINE 'django_prisma')",
        )
    if original:
        text = cause.get("originalMessage") or message
        return mysql_error(
            int(original), str(text), http_status=status, prisma_code=code, meta=cause
        )
    if status == 500 and message in _KIND_ERRNO:
        errno = _KIND_ERRNO[message]
        return mysql_error(
            errno,
            f"{message}; if this was a commit, MySQL rolled the transaction back",
            http_status=status,
        )
    return None
