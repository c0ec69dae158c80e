"""The one place where a failed HTTP exchange becomes a PEP 249 exception."""

from __future__ import annotations

import re

import orjson
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
    if sqlstate.startswith("40"):
        return exc.TransactionRollbackError
    if sqlstate == "57014":
        return exc.QueryCanceled
    return _BY_BASE_NAME.get(get_base_exception(sqlstate).__name__, exc.DatabaseError)


def _decode(body: bytes):
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None


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
        text = pg_message
        if cause.get("detail"):
            text += f"\nDETAIL:  {cause['detail']}"
        if cause.get("hint"):
            text += f"\nHINT:  {cause['hint']}"
        return class_for_sqlstate(sqlstate)(
            text,
            pgcode=sqlstate,
            detail=cause.get("detail"),
            hint=cause.get("hint"),
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
        return exc.IntegrityError(message, pgcode="23P01", http_status=status)
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
