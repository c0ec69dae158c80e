"""The one place where a failed HTTP exchange becomes a PEP 249 exception."""

from __future__ import annotations

import functools
import re

import orjson
from psycopg import errors as psycopg_errors
from psycopg.errors import get_base_exception

from . import exceptions as exc

_CODE_IN_MESSAGE = re.compile(r"Code: `([0-9A-Z]{5})`")
_PG_MESSAGE = re.compile(r"Message: `(.*)`\s*$", re.S)

_BY_BASE_NAME = {
    "IntegrityError": exc.IntegrityError,
    "DataError": exc.DataError,
    "ProgrammingError": exc.ProgrammingError,
    "OperationalError": exc.OperationalError,
    "NotSupportedError": exc.NotSupportedError,
    "InternalError": exc.InternalError,
    "InterfaceError": exc.InterfaceError,
    "DatabaseError": exc.DatabaseError,
}


# Error kinds of Prisma's driver adapter (meta.driverAdapterError.cause.kind) → SQLSTATE.
_KIND_SQLSTATE = {
    "TransactionWriteConflict": "40001",
    "UniqueConstraintViolation": "23505",
    "ForeignKeyConstraintViolation": "23503",
    "NullConstraintViolation": "23502",
    "LengthMismatch": "22001",
    "ValueOutOfRange": "22003",
    "InvalidInputValue": "22P02",
    "TableDoesNotExist": "42P01",
    "ColumnNotFound": "42703",
}


def class_for_sqlstate(sqlstate: str) -> type[exc.Error]:
    """The PEP 249 class for a SQLSTATE (constructing it with ``pgcode=`` adds psycopg's)."""
    if sqlstate.startswith("40"):
        return exc.TransactionRollbackError
    if sqlstate == "57014":
        return exc.QueryCanceled
    return _BY_BASE_NAME.get(get_base_exception(sqlstate).__name__, exc.DatabaseError)


# The driver's classes that only classify a SQLSTATE (psycopg's class names it better).
_CLASSIFYING = frozenset(
    {
        exc.Error,
        exc.InterfaceError,
        exc.DatabaseError,
        exc.DataError,
        exc.OperationalError,
        exc.IntegrityError,
        exc.InternalError,
        exc.ProgrammingError,
        exc.NotSupportedError,
        exc.TransactionRollbackError,
        exc.QueryCanceled,
    }
)


@functools.cache
def error_class(driver_class: type[exc.Error], sqlstate: str) -> type[exc.Error]:
    """``driver_class`` combined with psycopg's class for ``sqlstate`` (``UniqueViolation`` for
    23505, the class's base such as ``IntegrityError`` for a SQLSTATE psycopg has no class for):
    ``isinstance`` checks written for psycopg hold. Built once per pair."""
    twin = _psycopg_class(sqlstate)
    # Named like psycopg's (UniqueViolation), unless the driver's class names a situation of
    # its own (TransactionAborted, TransactionExpired, OutcomeUnknown), which says more.
    name = twin.__name__ if driver_class in _CLASSIFYING else driver_class.__name__
    return type(
        name,
        (driver_class, twin),
        {
            "__module__": driver_class.__module__,
            "__qualname__": name,
            "_driver_class": driver_class,
            "_psycopg_twin": twin,
        },
    )


def _psycopg_class(sqlstate: str) -> type:
    try:
        return psycopg_errors.lookup(sqlstate)
    except KeyError:
        return get_base_exception(sqlstate)


def _decode(body: bytes):
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None


# -- PostgreSQL's error report ----------------------------------------------------------------
#
# What reaches the driver of PostgreSQL's error report (meta.driverAdapterError.cause):
# * kind "postgres" (any SQLSTATE the executor does not map): the primary message, DETAIL,
#   HINT, severity and the column name;
# * a mapped kind (23505, 23502, 23503, 22001, 22003, 22P02, 40001, 42P01, 42703 …): only the
#   primary message, plus a constraint name (23503) or the key's column names (23505);
# * never: the schema, table, data type and (but for 23503) constraint names, the statement
#   position (psycopg's "LINE 1: …" lines), CONTEXT, the internal query and source location.
# Names that PostgreSQL's primary message states in a fixed (English) form are read from it;
# the rest is recovered, where the statement may be run again, by ``replay_diagnostics``.

_NAMED_IN_MESSAGE = {
    "23505": [
        re.compile(r'duplicate key value violates unique constraint "(?P<constraint_name>.+)"$'),
        re.compile(r'could not create unique index "(?P<constraint_name>.+)"$'),
    ],
    "23503": [
        re.compile(
            r'insert or update on table "(?P<table_name>.+)" violates foreign key constraint '
            r'"(?P<constraint_name>.+)"$'
        ),
        re.compile(
            r'update or delete on table ".+" violates foreign key constraint '
            r'"(?P<constraint_name>.+)" on table "(?P<table_name>.+)"$'
        ),
    ],
    "23502": [
        re.compile(
            r'null value in column "(?P<column_name>.+)" of relation "(?P<table_name>.+)" '
            r"violates not-null constraint$"
        ),
    ],
    "23514": [
        re.compile(
            r'new row for relation "(?P<table_name>.+)" violates check constraint '
            r'"(?P<constraint_name>.+)"$'
        ),
        re.compile(
            r"value for domain (?P<datatype_name>\S+) violates check constraint "
            r'"(?P<constraint_name>.+)"$'
        ),
    ],
    "23P01": [
        re.compile(
            r'conflicting key value violates exclusion constraint "(?P<constraint_name>.+)"$'
        ),
    ],
}

# SQLSTATEs whose report the executor trims of what psycopg would show: an error of these,
# raised outside a transaction, is replayed once (``replay_diagnostics``) to get it whole.
_TRIMMED = ("23", "42703")


def names_in_message(sqlstate: str, primary: str) -> dict:
    """The object names PostgreSQL's primary message states for this SQLSTATE."""
    for pattern in _NAMED_IN_MESSAGE.get(sqlstate, ()):
        match = pattern.match(primary)
        if match:
            return match.groupdict()
    return {}


def worth_replaying(error: exc.Error) -> bool:
    """Whether PostgreSQL's whole report would say more than this error does."""
    return bool(error.pgcode) and error.pgcode.startswith(_TRIMMED) and "replayed" not in error.meta


def format_message(primary: str, detail: str | None, hint: str | None) -> str:
    """``str()`` of psycopg's errors: the primary message, then DETAIL and HINT lines."""
    text = primary
    if detail:
        text += f"\nDETAIL:  {detail}"
    if hint:
        text += f"\nHINT:  {hint}"
    return text


def database_error(
    sqlstate: str,
    primary: str,
    *,
    detail: str | None = None,
    hint: str | None = None,
    diagnostics: dict | None = None,
    http_status: int | None = None,
    prisma_code: str | None = None,
    meta: dict | None = None,
) -> exc.Error:
    """The exception for one PostgreSQL error report."""
    fields = {**names_in_message(sqlstate, primary), **(diagnostics or {})}
    return class_for_sqlstate(sqlstate)(
        format_message(primary, detail, hint),
        pgcode=sqlstate,
        detail=detail,
        hint=hint,
        diagnostics={k: v for k, v in fields.items() if v is not None},
        http_status=http_status,
        prisma_code=prisma_code,
        meta=meta,
    )


# ``replay.py`` runs a failed statement again inside a PL/pgSQL block that catches the error and
# raises this one instead, its DETAIL the caught error's diagnostics as JSON: the one SQLSTATE
# ("P0001", which the executor passes on with its DETAIL) that brings them all back.
REPLAY_MESSAGE = "django_prisma: replayed error report"
REPLAY_FIELDS = {
    "RETURNED_SQLSTATE": "sqlstate",
    "MESSAGE_TEXT": "message_primary",
    "PG_EXCEPTION_DETAIL": "message_detail",
    "PG_EXCEPTION_HINT": "message_hint",
    "SCHEMA_NAME": "schema_name",
    "TABLE_NAME": "table_name",
    "COLUMN_NAME": "column_name",
    "PG_DATATYPE_NAME": "datatype_name",
    "CONSTRAINT_NAME": "constraint_name",
}


def replayed_diagnostics(sqlstate: str, message: str, detail: str | None) -> exc.Error | None:
    """The error a replay reproduced (``meta["replayed"]`` True), an error with
    ``meta["replayed"]`` False when it ran without one, or None for any other error."""
    if sqlstate != "P0001" or message != REPLAY_MESSAGE:
        return None
    report = _decode((detail or "").encode())
    if not isinstance(report, dict) or not report.get("sqlstate"):
        return exc.DatabaseError(
            "replaying the statement raised no error", meta={"replayed": False}
        )
    fields = {name: value for name, value in report.items() if value}
    fields["severity"] = fields["severity_nonlocalized"] = "ERROR"
    return database_error(
        fields["sqlstate"],
        fields.get("message_primary") or "",
        detail=fields.get("message_detail"),
        hint=fields.get("message_hint"),
        diagnostics=fields,
        meta={"replayed": True},
    )


def same_report(original: exc.Error, replayed: exc.Error) -> bool:
    """Whether a replay met the error the statement met (not another one, in another state)."""
    return (
        replayed.meta.get("replayed") is True
        and replayed.pgcode == original.pgcode
        and replayed.diag.message_primary == original.diag.message_primary
    )


def completed_by_replay(original: exc.Error, replayed: exc.Error) -> exc.Error:
    """``original`` as PostgreSQL reported it whole: the replay's fields, the original's
    transport facts (HTTP status, Prisma code, the executor's cause)."""
    fields = replayed._diagnostics
    return database_error(
        fields["sqlstate"],
        fields["message_primary"] or "",
        detail=fields["message_detail"],
        hint=fields["message_hint"],
        diagnostics=fields,
        http_status=original.http_status,
        prisma_code=original.prisma_code,
        meta={**original.meta, "replayed": True},
    )


def _cause_diagnostics(cause: dict) -> dict:
    """The diagnostic fields the executor's ``cause`` carries besides message, detail, hint."""
    fields = {}
    severity = cause.get("severity")
    if severity and severity != "N/A":
        fields["severity"] = fields["severity_nonlocalized"] = severity
    constraint = cause.get("constraint")
    if isinstance(constraint, dict) and constraint.get("index"):
        fields["constraint_name"] = constraint["index"]
    if cause.get("kind") == "postgres" and cause.get("column"):
        fields["column_name"] = cause["column"]
    return fields


def error_from_response(status: int, body: bytes, headers) -> exc.Error:
    payload = _decode(body)
    if not isinstance(payload, dict):
        text = body.decode("utf-8", "replace").strip()[:500]
        return _plain_error(status, text)
    code = payload.get("code") or headers.get("prisma-error-code")
    message = payload.get("error") or payload.get("message") or ""
    if isinstance(message, dict):  # zod validation errors
        message = message.get("message") or str(message)
    meta = payload.get("meta") or {}
    cause = ((meta.get("driverAdapterError") or {}).get("cause")) or {}
    if status == 409 or code == "P2028":
        return _transaction_error(message, meta, status)
    if status == 422:
        return exc.QueryCanceled(
            "the Prisma server's query timeout was exceeded (the statement may still be running "
            "on the database)",
            pgcode="57014",
            http_status=status,
            prisma_code=code,
        )
    sqlstate = cause.get("originalCode") or cause.get("code")
    if not sqlstate:
        match = _CODE_IN_MESSAGE.search(message)
        sqlstate = match.group(1) if match else None
    if sqlstate:
        pg_message = cause.get("originalMessage") or cause.get("message")
        if not pg_message:
            match = _PG_MESSAGE.search(message)
            pg_message = match.group(1) if match else message
        replayed = replayed_diagnostics(sqlstate, pg_message, cause.get("detail"))
        if replayed is not None:
            return replayed
        return database_error(
            sqlstate,
            pg_message,
            detail=cause.get("detail"),
            hint=cause.get("hint"),
            diagnostics=_cause_diagnostics(cause),
            http_status=status,
            prisma_code=code,
            meta=cause,
        )
    kind = cause.get("kind")
    if kind == "UnsupportedNativeDataType":
        return exc.NotSupportedError(
            f"the Prisma server cannot return values of PostgreSQL type {cause.get('type')!r}; "
            f"cast the column in SQL (for example `col::text`) to read it",
            http_status=status,
            prisma_code=code,
            meta=cause,
        )
    if kind in (
        "ConnectionClosed",
        "DatabaseNotReachable",
        "SocketTimeout",
        "TooManyConnections",
        "TlsConnectionError",
    ):
        return exc.OperationalError(
            f"the Prisma server lost its database connection ({kind}): {message}",
            http_status=status,
            prisma_code=code,
            meta=cause,
        )
    if status == 500 and message in _KIND_SQLSTATE:
        # A database error the executor did not wrap (notably at COMMIT: a serialization failure
        # or a deferred constraint) arrives as a bare 500 carrying only the error kind.
        sqlstate = _KIND_SQLSTATE[message]
        return class_for_sqlstate(sqlstate)(
            f"{message} (SQLSTATE {sqlstate}); if this was a commit, PostgreSQL rolled the "
            "transaction back",
            pgcode=sqlstate,
            http_status=status,
        )
    if status == 500 and "violates exclusion constraint" in message:
        return database_error("23P01", message, http_status=status)
    if status == 500 and message == "Unknown tagged value":
        # The executor reads a JSON object with a "$type" key as one of Prisma's tagged values.
        return exc.NotSupportedError(
            'the Prisma server cannot return a JSON value containing a "$type" key that it does '
            "not know; select the JSON column as text (`col::text`) and parse it in Python",
            http_status=status,
        )
    if status >= 500:
        return exc.OperationalError(
            f"the Prisma server failed with HTTP {status}: {message or 'no message'}",
            http_status=status,
            prisma_code=code,
        )
    return exc.ProgrammingError(
        f"the Prisma server rejected the request (HTTP {status}"
        f"{', ' + code if code else ''}): {message}",
        http_status=status,
        prisma_code=code,
        meta=meta,
    )


def _transaction_error(message: str, meta: dict, status: int) -> exc.Error:
    if "expired transaction" in message:
        timeout = meta.get("timeout")
        taken = meta.get("timeTaken")
        return exc.TransactionExpired(
            f"the transaction expired: it was open longer than its timeout of {timeout} ms "
            f"({taken} ms passed) and the server rolled it back; nothing of it was committed. "
            f"Raise OPTIONS['transaction_timeout'] or keep transactions shorter.",
            pgcode="25P03",
            http_status=status,
            prisma_code="P2028",
            meta=meta,
        )
    if "Unable to start a transaction" in message:
        return exc.OperationalError(
            "the Prisma server could not start a transaction within max_wait: all of its database "
            "connections are busy. Raise OPTIONS['transaction_max_wait'] or reduce concurrency.",
            pgcode="53300",
            http_status=status,
            prisma_code="P2028",
            meta=meta,
        )
    if "already closed" in message or "not found" in message.lower():
        return exc.OperationalError(
            f"the transaction is no longer open on the Prisma server: {message}",
            pgcode="25000",
            http_status=status,
            prisma_code="P2028",
            meta=meta,
        )
    return exc.OperationalError(
        f"transaction error from the Prisma server: {message}",
        http_status=status,
        prisma_code="P2028",
        meta=meta,
    )


def _plain_error(status: int, text: str) -> exc.Error:
    if status == 401:
        return exc.OperationalError(
            f"the Prisma server rejected the API key (HTTP 401: {text})", http_status=status
        )
    if status == 429:
        return exc.OperationalError(
            f"the Prisma server is rate limiting requests (HTTP 429): {text}", http_status=status
        )
    if status in (502, 503, 504):
        return exc.OperationalError(
            f"the Prisma server is unavailable (HTTP {status}){': ' + text if text else ''}",
            http_status=status,
        )
    if status >= 500:
        return exc.OperationalError(
            f"the Prisma server failed (HTTP {status}): {text}", http_status=status
        )
    if status == 400 and "Prisma Client version" in text:
        return exc.InterfaceError(
            f"the Prisma server refused the engine hash: set OPTIONS['engine_hash'] ({text})",
            http_status=status,
        )
    return exc.ProgrammingError(
        f"the Prisma server rejected the request (HTTP {status}): {text}", http_status=status
    )
