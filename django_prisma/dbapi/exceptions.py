"""The PEP 249 exception hierarchy, with PostgreSQL's SQLSTATE and diagnostics on every database
error.

An error that carries a SQLSTATE is an instance of the psycopg class for that SQLSTATE too (a
unique violation is both this driver's ``IntegrityError`` and ``psycopg.errors.UniqueViolation``):
constructing one with ``pgcode=`` yields that combined class, built once per (class, SQLSTATE)
by ``errors.error_class``, so code written against psycopg's errors keeps working.
"""

from __future__ import annotations

import enum
from typing import Any

# The diagnostic fields of psycopg's ``Diagnostic``, in the order libpq reports them.
DIAGNOSTIC_FIELDS = (
    "severity",
    "severity_nonlocalized",
    "sqlstate",
    "message_primary",
    "message_detail",
    "message_hint",
    "statement_position",
    "internal_position",
    "internal_query",
    "context",
    "schema_name",
    "table_name",
    "column_name",
    "datatype_name",
    "constraint_name",
    "source_file",
    "source_line",
    "source_function",
)


class ErrorKind(enum.Enum):
    """What went wrong in the exchange with the Prisma server, as ``errors.py`` classified it
    once: the driver's recovery code branches on ``Error.kind``, never on message text. None
    (the attribute's value for most errors) means an ordinary statement error."""

    #: The TCP or TLS connection could not be made: the request was not sent.
    CONNECT_FAILED = "connect failed"
    #: The connection broke before a byte of the request was written: it cannot have run.
    NOT_SENT = "not sent"
    #: The TLS handshake or session failed.
    TLS_FAILED = "tls failed"
    #: The request was sent but no answer came within the read timeout.
    ANSWER_TIMEOUT = "answer timeout"
    #: The server answered, but not in HTTP.
    ANSWER_MALFORMED = "answer malformed"
    #: The connection failed after the request was sent.
    ANSWER_LOST = "answer lost"
    #: A gateway failure (HTTP 502/504) for a request that is not safe to repeat.
    GATEWAY_FAILED = "gateway failed"
    #: HTTP 429/502/503/504 without a Prisma error code: the server (or a proxy) did not run it.
    UNAVAILABLE = "unavailable"
    #: A redirect, which is never followed (the API key would go elsewhere).
    REDIRECT = "redirect"
    #: The interactive transaction outlived its timeout; the server rolled it back.
    TRANSACTION_EXPIRED = "transaction expired"
    #: The server has closed the transaction after a COMMIT.
    TRANSACTION_COMMITTED = "transaction committed"
    #: The server has closed the transaction after a ROLLBACK.
    TRANSACTION_ROLLED_BACK = "transaction rolled back"
    #: The server does not know the transaction (never started there, or long forgotten).
    TRANSACTION_NOT_FOUND = "transaction not found"
    #: No database connection became free for a new transaction within max_wait.
    TRANSACTION_START_TIMEOUT = "transaction start timeout"
    #: The statement ran, but the executor could not put its result into JSON (MySQL's unsigned
    #: integers as JavaScript BigInts): nothing failed in the database.
    RESULT_NOT_SERIALIZABLE = "result not serializable"
    #: The server's database speaks another SQL dialect than the connection (MySQL/PostgreSQL).
    WRONG_DATABASE = "wrong database"
    #: Any other error of the server's transaction manager (HTTP 409, P2028).
    TRANSACTION_REFUSED = "transaction refused"


class Warning(Exception):  # noqa: A001 - the name PEP 249 prescribes
    pass


class Error(Exception):
    def __new__(cls, *args: Any, pgcode: str | None = None, **kwargs: Any) -> Error:
        if pgcode and cls.__dict__.get("_psycopg_twin") is None:
            from .errors import error_class

            cls = error_class(cls, pgcode)
        return super().__new__(cls, *args)

    def __init__(
        self,
        message: str = "",
        *,
        pgcode: str | None = None,
        detail: str | None = None,
        hint: str | None = None,
        http_status: int | None = None,
        prisma_code: str | None = None,
        meta: dict[str, Any] | None = None,
        diagnostics: dict[str, Any] | None = None,
        kind: ErrorKind | None = None,
    ) -> None:
        fields = dict(diagnostics or {})
        fields.setdefault("sqlstate", pgcode)
        fields.setdefault("message_primary", message.split("\n", 1)[0] if message else None)
        fields.setdefault("message_detail", detail)
        fields.setdefault("message_hint", hint)
        if pgcode:
            fields.setdefault("severity", "ERROR")
            fields.setdefault("severity_nonlocalized", fields["severity"])
        self.pgcode = pgcode
        self.pgerror = message
        self.http_status = http_status
        self.prisma_code = prisma_code
        self.meta = meta or {}
        self.kind = kind
        self._diagnostics: dict[str, Any] = {name: fields.get(name) for name in DIAGNOSTIC_FIELDS}
        super().__init__(message)  # psycopg's __init__ (of combined classes) reads sqlstate

    # Properties, not attributes: psycopg's classes (bases of the combined classes) define these
    # names as read-only properties, which an instance attribute could not shadow.
    @property
    def sqlstate(self) -> str | None:
        return self.pgcode

    @property
    def diag(self) -> Diagnostic:
        return Diagnostic(self._diagnostics)

    @property
    def detail(self) -> str | None:
        detail: str | None = self._diagnostics["message_detail"]
        return detail

    @property
    def hint(self) -> str | None:
        hint: str | None = self._diagnostics["message_hint"]
        return hint

    @property
    def pgconn(self) -> None:
        return None  # psycopg's: the libpq connection of a failed connection attempt

    @property
    def pgresult(self) -> None:
        return None  # psycopg's: the libpq result; there is none over HTTP

    def __reduce__(self) -> tuple[Any, ...]:
        # A combined class is built at run time: pickle (Django's parallel test runner) and
        # copy rebuild it from the driver class and the SQLSTATE.
        base = type(self).__dict__.get("_driver_class", type(self))
        return _rebuild, (base, self.pgcode, self.args, dict(self.__dict__))


def _rebuild(
    base: type[Error], pgcode: str | None, args: tuple[Any, ...], state: dict[str, Any]
) -> Error:
    cls = base
    if pgcode:
        from .errors import error_class

        cls = error_class(base, pgcode)
    error: Error = Exception.__new__(cls, *args)
    error.__dict__.update(state)
    return error


class Diagnostic:
    """psycopg's ``Diagnostic``: every field of PostgreSQL's error report that reached the
    driver, None for the others (``errors.py`` says which the Prisma server drops)."""

    __slots__ = ("_fields",)

    def __init__(self, fields: dict[str, Any]) -> None:
        self._fields = fields

    def __getattr__(self, name: str) -> Any:
        if name in DIAGNOSTIC_FIELDS:
            return self._fields.get(name)
        raise AttributeError(name)

    def __repr__(self) -> str:
        known = {k: v for k, v in self._fields.items() if v is not None}
        return f"<Diagnostic {known}>"


class InterfaceError(Error):
    pass


class DatabaseError(Error):
    pass


class DataError(DatabaseError):
    pass


class OperationalError(DatabaseError):
    pass


class IntegrityError(DatabaseError):
    pass


class InternalError(DatabaseError):
    pass


class ProgrammingError(DatabaseError):
    pass


class NotSupportedError(DatabaseError):
    pass


class TransactionRollbackError(OperationalError):
    """Serialization failure or deadlock (SQLSTATE class 40): retrying the transaction may work."""


class QueryCanceled(OperationalError):
    """The statement ran past a timeout (SQLSTATE 57014, or the executor's query timeout)."""


class TransactionExpired(OperationalError):
    """The interactive transaction outlived its timeout; the server rolled it back."""


class TransactionAborted(OperationalError):
    """A commit was asked for after a statement of the transaction failed: nothing was committed."""


class OutcomeUnknown(OperationalError):
    """The request may have run on the server, but its answer was lost: it was not retried."""
