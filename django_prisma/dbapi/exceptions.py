"""The PEP 249 exception hierarchy, with PostgreSQL's SQLSTATE on every database error."""

from __future__ import annotations


class Warning(Exception):  # noqa: A001 - the name PEP 249 prescribes
    pass


class Error(Exception):
    def __init__(
        self,
        message: str = "",
        *,
        pgcode: str | None = None,
        detail: str | None = None,
        hint: str | None = None,
        http_status: int | None = None,
        prisma_code: str | None = None,
        meta: dict | None = None,
    ):
        super().__init__(message)
        self.pgcode = pgcode
        self.pgerror = message
        self.detail = detail
        self.hint = hint
        self.http_status = http_status
        self.prisma_code = prisma_code
        self.meta = meta or {}
        self.diag = Diagnostic(self)

    @property
    def sqlstate(self) -> str | None:
        return self.pgcode


class Diagnostic:
    """The subset of psycopg's ``Diagnostic`` the executor's error bodies can fill."""

    def __init__(self, error: Error):
        self._error = error

    @property
    def sqlstate(self):
        return self._error.pgcode

    @property
    def message_primary(self):
        return self._error.pgerror

    @property
    def message_detail(self):
        return self._error.detail

    @property
    def message_hint(self):
        return self._error.hint

    @property
    def constraint_name(self):
        constraint = (self._error.meta or {}).get("constraint") or {}
        return constraint.get("index") if isinstance(constraint, dict) else None


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
