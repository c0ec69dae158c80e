"""The one place where a failed HTTP exchange becomes a PEP 249 exception.

Every exception the transport raises is built here, and classified here once: its class, its
SQLSTATE, and for what the driver recovers from its ``kind`` (``exceptions.ErrorKind``). The
recovery code asks the predicates at the end of this module, never the message text."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import orjson
from psycopg import errors as psycopg_errors
from psycopg.errors import get_base_exception

from . import exceptions as exc
from .exceptions import ErrorKind

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


_COMBINED: dict[tuple[type[exc.Error], str], type[exc.Error]] = {}


def error_class(driver_class: type[exc.Error], sqlstate: str) -> type[exc.Error]:
    """``driver_class`` combined with psycopg's class for ``sqlstate`` (``UniqueViolation`` for
    23505, the class's base such as ``IntegrityError`` for a SQLSTATE psycopg has no class for):
    ``isinstance`` checks written for psycopg hold. Built once per pair."""
    key = (driver_class, sqlstate)
    combined = _COMBINED.get(key)
    if combined is None:
        combined = _COMBINED.setdefault(key, _combined_class(driver_class, sqlstate))
    return combined


def _combined_class(driver_class: type[exc.Error], sqlstate: str) -> type[exc.Error]:
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


def _decode(body: bytes) -> Any:
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


def names_in_message(sqlstate: str, primary: str) -> dict[str, str]:
    """The object names PostgreSQL's primary message states for this SQLSTATE."""
    for pattern in _NAMED_IN_MESSAGE.get(sqlstate, ()):
        match = pattern.match(primary)
        if match:
            return match.groupdict()
    return {}


def worth_replaying(error: exc.Error) -> bool:
    """Whether PostgreSQL's whole report would say more than this error does."""
    code = error.pgcode
    return code is not None and code.startswith(_TRIMMED) and "replayed" not in error.meta


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
    diagnostics: dict[str, Any] | None = None,
    http_status: int | None = None,
    prisma_code: str | None = None,
    meta: dict[str, Any] | None = None,
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


def _cause_diagnostics(cause: dict[str, Any]) -> dict[str, Any]:
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


# A dialect's reading of a database error the executor passed on: (cause, the executor's
# message, HTTP status, Prisma error code) → the exception, or None when ``cause`` names no
# database error of that dialect. ``postgres_error`` is PostgreSQL's; mysql/errors.py has MySQL's.
DatabaseErrorReader = Callable[[dict[str, Any], str, int, str | None], "exc.Error | None"]


def error_from_response(
    status: int,
    body: bytes,
    headers: Any,
    database_error: DatabaseErrorReader | None = None,
) -> exc.Error:
    """The exception for a non-2xx answer of the Prisma server; ``database_error`` reads the
    database's own errors (PostgreSQL's by default)."""
    error = _error_from_answer(status, body, headers, database_error or postgres_error)
    if error.kind is None and status in _UNAVAILABLE and error.prisma_code is None:
        # Refused or failed before the query engine: a proxy, a gateway, the rate limiter.
        error.kind = ErrorKind.UNAVAILABLE
    return error


_UNAVAILABLE = (429, 502, 503, 504)


def _error_from_answer(
    status: int, body: bytes, headers: Any, database_error: DatabaseErrorReader
) -> exc.Error:
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
    from_database = database_error(cause, message, status, code)
    if from_database is not None:
        return from_database
    return _executor_error(cause, message, status, code, meta)


def postgres_error(
    cause: dict[str, Any], message: str, status: int, code: str | None
) -> exc.Error | None:
    """PostgreSQL's error report, by its SQLSTATE (the cause's, or the message's)."""
    sqlstate = cause.get("originalCode") or cause.get("code")
    if not sqlstate:
        match = _CODE_IN_MESSAGE.search(message)
        sqlstate = match.group(1) if match else None
    if not sqlstate:
        return _postgres_error_without_code(message, status)
    if is_mysql_errno(sqlstate):
        return wrong_database(
            "MySQL or MariaDB",
            f"MySQL error {sqlstate}: {cause.get('originalMessage') or message}",
            "the MySQL dialect (Django: ENGINE 'django_prisma.mysql')",
        )
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


def is_mysql_errno(code: object) -> bool:
    """Whether an error code the executor passed on is a MySQL error number (below 10000)
    rather than a PostgreSQL SQLSTATE (five characters, 00000 and up)."""
    text = str(code)
    return text.isdigit() and len(text) < 5


def wrong_database(found: str, evidence: str, use: str) -> exc.Error:
    """The server's database is not of the dialect the connection speaks: nothing it answers
    can be trusted, so the connection refuses to go on, naming what the server reported."""
    return exc.InterfaceError(
        f"this Prisma server's database is {found} (it answered with {evidence}); this "
        f"connection speaks another SQL dialect: use {use}",
        kind=ErrorKind.WRONG_DATABASE,
    )


def _postgres_error_without_code(message: str, status: int) -> exc.Error | None:
    """PostgreSQL errors the executor passes on as a bare 500 (at COMMIT, mostly)."""
    if status != 500:
        return None
    if message in _KIND_SQLSTATE:
        # A database error the executor did not wrap (notably at COMMIT: a serialization failure
        # or a deferred constraint) arrives as a bare 500 carrying only the error kind.
        sqlstate = _KIND_SQLSTATE[message]
        return class_for_sqlstate(sqlstate)(
            f"{message} (SQLSTATE {sqlstate}); if this was a commit, PostgreSQL rolled the "
            "transaction back",
            pgcode=sqlstate,
            http_status=status,
        )
    if "violates exclusion constraint" in message:
        return database_error("23P01", message, http_status=status)
    return None


_LOST_DATABASE_CONNECTION = frozenset(
    {
        "ConnectionClosed",
        "DatabaseNotReachable",
        "SocketTimeout",
        "TooManyConnections",
        "TlsConnectionError",
    }
)


def _executor_error(
    cause: dict[str, Any], message: str, status: int, code: str | None, meta: dict[str, Any]
) -> exc.Error:
    """What the executor itself reports: values it cannot serialise, a lost database connection,
    its own failures and refusals."""
    kind = cause.get("kind")
    if kind == "UnsupportedNativeDataType":
        return exc.NotSupportedError(
            f"the Prisma server cannot return values of the database type {cause.get('type')!r}; "
            f"cast the column in SQL (for example to text) to read it",
            http_status=status,
            prisma_code=code,
            meta=cause,
        )
    if kind in _LOST_DATABASE_CONNECTION:
        return exc.OperationalError(
            f"the Prisma server lost its database connection ({kind}): {message}",
            http_status=status,
            prisma_code=code,
            meta=cause,
        )
    if status == 500 and message == "Unknown tagged value":
        # The executor reads a JSON object with a "$type" key as one of Prisma's tagged values.
        return exc.NotSupportedError(
            'the Prisma server cannot return a JSON value containing a "$type" key that it does '
            "not know; select the JSON column as text (PostgreSQL: `col::text`, MySQL: "
            "`CAST(col AS CHAR)`) and parse it in Python",
            http_status=status,
        )
    if status == 500 and message == "Do not know how to serialize a BigInt":
        # A computed unsigned 64-bit value (MySQL's CAST(… AS UNSIGNED)) reaches JSON.stringify.
        return exc.NotSupportedError(
            "the Prisma server cannot return a computed unsigned 64-bit integer; cast it to text "
            "in SQL (CAST(… AS CHAR)) to read it",
            http_status=status,
            kind=ErrorKind.RESULT_NOT_SERIALIZABLE,
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


def _transaction_kind(message: str) -> ErrorKind:
    """The situation a message of the server's transaction manager names (the wordings are in
    docs/prisma-http-protocol.md, §7)."""
    if "expired transaction" in message:
        return ErrorKind.TRANSACTION_EXPIRED
    if "Unable to start a transaction" in message:
        return ErrorKind.TRANSACTION_START_TIMEOUT
    # "A commit cannot be executed on a committed transaction." / "... on a transaction that
    # was rolled back." (Prisma's transaction manager)
    if "on a committed transaction" in message:
        return ErrorKind.TRANSACTION_COMMITTED
    if "rolled back" in message:
        return ErrorKind.TRANSACTION_ROLLED_BACK
    if "already closed" in message or "not found" in message.lower():
        return ErrorKind.TRANSACTION_NOT_FOUND
    return ErrorKind.TRANSACTION_REFUSED


def _transaction_error(message: str, meta: dict[str, Any], status: int) -> exc.Error:
    kind = _transaction_kind(message)
    common: dict[str, Any] = {
        "http_status": status,
        "prisma_code": "P2028",
        "meta": meta,
        "kind": kind,
    }
    if kind is ErrorKind.TRANSACTION_EXPIRED:
        timeout = meta.get("timeout")
        taken = meta.get("timeTaken")
        return exc.TransactionExpired(
            f"the transaction expired: it was open longer than its timeout of {timeout} ms "
            f"({taken} ms passed) and the server rolled it back; nothing of it was committed. "
            f"Raise OPTIONS['transaction_timeout'] or keep transactions shorter.",
            pgcode="25P03",
            **common,
        )
    if kind is ErrorKind.TRANSACTION_START_TIMEOUT:
        return exc.OperationalError(
            "the Prisma server could not start a transaction within max_wait: all of its database "
            "connections are busy. Raise OPTIONS['transaction_max_wait'] or reduce concurrency.",
            pgcode="53300",
            **common,
        )
    if kind is ErrorKind.TRANSACTION_REFUSED:
        return exc.OperationalError(
            f"transaction error from the Prisma server: {message}", **common
        )
    return exc.OperationalError(
        f"the transaction is no longer open on the Prisma server: {message}",
        pgcode="25000",
        **common,
    )


# psycopg's first words when a connection cannot be made (refused, TLS, authentication):
# "connection failed: <what happened>". Tools show the part before the first colon as the
# summary (django-health-check's database check), so the same failures begin the same way here.
CONNECTION_FAILED = "connection failed: "


def _plain_error(status: int, text: str) -> exc.Error:
    if status == 401:
        return exc.OperationalError(
            f"{CONNECTION_FAILED}the Prisma server rejected the API key (HTTP 401: {text})",
            http_status=status,
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


# -- failures of the exchange itself (the transport) ------------------------------------------
#
# ``idempotent`` says whether the request is safe to run twice: for one that is not, a failure
# after it was sent leaves its outcome unknown (``OutcomeUnknown``).


def connect_failed(origin: str, reason: str) -> exc.Error:
    return exc.OperationalError(
        f"{CONNECTION_FAILED}cannot connect to the Prisma server at {origin}: {reason}",
        kind=ErrorKind.CONNECT_FAILED,
    )


def not_sent(origin: str, reason: str) -> exc.Error:
    return exc.OperationalError(
        f"the connection to the Prisma server at {origin} failed before the request "
        f"was sent: {reason}",
        kind=ErrorKind.NOT_SENT,
    )


def tls_failed(origin: str, reason: str) -> exc.Error:
    return exc.OperationalError(
        f"{CONNECTION_FAILED}TLS failure talking to {origin}: {reason}",
        kind=ErrorKind.TLS_FAILED,
    )


def answer_timeout(origin: str, read_timeout: float | None, *, idempotent: bool) -> exc.Error:
    kind = ErrorKind.ANSWER_TIMEOUT
    if idempotent:
        return exc.OperationalError(
            f"the Prisma server at {origin} did not answer within {read_timeout} s", kind=kind
        )
    return exc.OutcomeUnknown(
        f"the Prisma server at {origin} did not answer within "
        f"{read_timeout} s; the statement may or may not have run, "
        "so it was not retried",
        kind=kind,
    )


def answer_malformed(origin: str, reason: str, *, idempotent: bool) -> exc.Error:
    kind = ErrorKind.ANSWER_MALFORMED
    if idempotent:
        return exc.OperationalError(
            f"the Prisma server at {origin} sent a malformed HTTP response: {reason}", kind=kind
        )
    return exc.OutcomeUnknown(
        f"the Prisma server at {origin} sent a malformed HTTP response ({reason}); "
        "the statement may or may not have run, so it was not retried",
        kind=kind,
    )


def answer_lost(origin: str, reason: str, *, idempotent: bool) -> exc.Error:
    kind = ErrorKind.ANSWER_LOST
    if idempotent:
        return exc.OperationalError(
            f"the connection to the Prisma server at {origin} failed: {reason}", kind=kind
        )
    return exc.OutcomeUnknown(
        f"the connection to the Prisma server at {origin} failed after "
        f"the request was sent ({reason}); it may or may not have run, so "
        "it was not retried",
        kind=kind,
    )


def gateway_failed(origin: str, status: int) -> exc.Error:
    """HTTP 502/504 to a request that is not safe to repeat: a gateway's "bad gateway" /
    "gateway timeout" may come after the origin ran it."""
    return exc.OutcomeUnknown(
        f"the Prisma server at {origin} answered HTTP {status} "
        "(a gateway failure); the statement may or may not have run, so it was not "
        "retried",
        http_status=status,
        kind=ErrorKind.GATEWAY_FAILED,
    )


def redirected(status: int) -> exc.Error:
    return exc.OperationalError(
        f"the Prisma server answered a redirect (HTTP {status}); redirects are "
        "not followed, so that the API key is never sent elsewhere",
        kind=ErrorKind.REDIRECT,
    )


# -- what recovery asks of an error -----------------------------------------------------------

# The failures that say nothing about what the server did with the request.
_OUTCOME_UNKNOWN_KINDS = frozenset(
    {
        ErrorKind.CONNECT_FAILED,
        ErrorKind.NOT_SENT,
        ErrorKind.TLS_FAILED,
        ErrorKind.ANSWER_TIMEOUT,
        ErrorKind.ANSWER_MALFORMED,
        ErrorKind.ANSWER_LOST,
        ErrorKind.GATEWAY_FAILED,
        ErrorKind.UNAVAILABLE,
        ErrorKind.REDIRECT,
    }
)

# Answers of the server's transaction manager: the transaction they name is no longer open there.
_TRANSACTION_CLOSED_KINDS = frozenset(
    {
        ErrorKind.TRANSACTION_EXPIRED,
        ErrorKind.TRANSACTION_COMMITTED,
        ErrorKind.TRANSACTION_ROLLED_BACK,
        ErrorKind.TRANSACTION_NOT_FOUND,
        ErrorKind.TRANSACTION_START_TIMEOUT,
        ErrorKind.TRANSACTION_REFUSED,
    }
)


def outcome_unknown(error: exc.Error) -> bool:
    """Whether ``error`` says nothing about what the server did with the request."""
    return isinstance(error, exc.OutcomeUnknown) or error.kind in _OUTCOME_UNKNOWN_KINDS


def transaction_closed(error: exc.Error) -> bool:
    """Whether the server's transaction manager refused the request: the transaction it was
    for is not open there (expired, ended, unknown)."""
    return error.kind in _TRANSACTION_CLOSED_KINDS


def rolled_back_by_server(error: exc.Error) -> bool:
    """Whether the server says the transaction ended without committing (rolled back, expired)."""
    return error.kind in (ErrorKind.TRANSACTION_ROLLED_BACK, ErrorKind.TRANSACTION_EXPIRED)


def committed_by_server(error: exc.Error) -> bool:
    """Whether the server says it ran COMMIT for the transaction (which PostgreSQL may still
    have refused: a deferred constraint, a serialization failure). A ``transaction`` plan node
    whose COMMIT failed answers this way too: the executor then tries to roll it back."""
    return error.kind is ErrorKind.TRANSACTION_COMMITTED


def first_line(error: BaseException | None) -> str:
    """The first line of ``str(error)``, for messages that quote another error."""
    text = str(error)
    return text.splitlines()[0] if text else ""
