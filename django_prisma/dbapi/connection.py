"""The PEP 249 connection: transaction state over Prisma's interactive-transaction API."""

from __future__ import annotations

import logging

import orjson

from . import plans
from .cursor import Cursor
from .exceptions import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
    TransactionAborted,
)
from .literals import quote
from .statements import Statement
from .transport import DEFAULT_ENGINE_HASH, Transport
from .url import parse_url

logger = logging.getLogger("django_prisma.dbapi")

ISOLATION_LEVELS = {
    "read uncommitted": "READ UNCOMMITTED",
    "read committed": "READ COMMITTED",
    "repeatable read": "REPEATABLE READ",
    "serializable": "SERIALIZABLE",
}


class Connection:
    def __init__(
        self,
        url: str,
        *,
        api_key: str | None = None,
        autocommit: bool = False,
        transaction_timeout: int = 60_000,
        transaction_max_wait: int = 10_000,
        isolation_level: str | None = None,
        connect_timeout: float = 10.0,
        read_timeout: float | None = 330.0,
        engine_hash: str = DEFAULT_ENGINE_HASH,
        ca_bundle: str | None = None,
        json_as_text: bool = False,
        naive_datetimes: bool = False,
        session_time_zone: str | None = None,
    ):
        self.endpoint = parse_url(url, api_key)
        self.transport = Transport(
            self.endpoint,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            engine_hash=engine_hash,
            ca_bundle=ca_bundle,
        )
        self._autocommit = bool(autocommit)
        self.transaction_timeout = int(transaction_timeout)
        self.transaction_max_wait = int(transaction_max_wait)
        self.isolation_level = isolation_level
        self._decode_options = {"json_as_text": json_as_text, "naive_datetimes": naive_datetimes}
        # A time zone for every statement (SET LOCAL, never a session-wide SET): timestamptz
        # values then print in that zone, and datetimes come back as its naive wall clock.
        self._zone_prelude = (
            [f"SET LOCAL TIME ZONE {quote(session_time_zone)}"] if session_time_zone else []
        )
        self._zone_pending = False
        self._tx_id: str | None = None
        self._tx_error: DatabaseError | None = None
        self.closed = False
        # Extra headers for autocommit reads (Accelerate's cache-control / cache tags), and the
        # headers of the last /query response (cache status); set by the cache API.
        self.request_headers: dict | None = None
        self.last_response_headers = None

    def __repr__(self) -> str:
        state = "closed" if self.closed else ("in transaction" if self._tx_id else "idle")
        return f"<django_prisma Connection {self.endpoint.origin} {state}>"

    # -- PEP 249 ---------------------------------------------------------------------------
    @property
    def autocommit(self) -> bool:
        return self._autocommit

    @autocommit.setter
    def autocommit(self, value: bool) -> None:
        if self._tx_id is not None:
            raise ProgrammingError("cannot change autocommit while a transaction is open")
        self._autocommit = bool(value)

    @property
    def in_transaction(self) -> bool:
        return self._tx_id is not None

    @property
    def transaction_failed(self) -> bool:
        return self._tx_error is not None

    def cursor(self) -> Cursor:
        self._check_open()
        return Cursor(self)

    def commit(self) -> None:
        self._check_open()
        tx_id = self._tx_id
        if tx_id is None:
            return
        failure = self._tx_error
        if failure is not None:
            self._end("rollback", quiet=True)
            raise TransactionAborted(
                "nothing was committed: a statement of this transaction failed "
                f"({failure.pgcode or type(failure).__name__}: {str(failure).splitlines()[0]}) "
                "and PostgreSQL rolled the transaction back",
                pgcode="25P02",
            )
        self._end("commit")

    def rollback(self) -> None:
        self._check_open()
        if self._tx_id is not None:
            self._end("rollback")

    def close(self) -> None:
        if self.closed:
            return
        if self._tx_id is not None:
            self._end("rollback", quiet=True)
        self.transport.close()
        self.closed = True

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if not self.closed:
            if exc_type is None:
                self.commit()
            else:
                self.rollback()

    # -- transactions ------------------------------------------------------------------------
    def begin(self) -> None:
        """Open an interactive transaction now (otherwise the first statement opens it)."""
        self._check_open()
        if self._tx_id is not None:
            raise ProgrammingError("a transaction is already open")
        body = {"timeout": self.transaction_timeout, "maxWait": self.transaction_max_wait}
        if self.isolation_level:
            level = ISOLATION_LEVELS.get(str(self.isolation_level).lower())
            if level is None:
                raise ProgrammingError(
                    f"unknown isolation level {self.isolation_level!r}: use one of "
                    f"{sorted(ISOLATION_LEVELS)}"
                )
            body["isolationLevel"] = level
        response = self.transport.request(
            "POST", "/transaction/start", orjson.dumps(body), idempotent=False
        )
        self._tx_id = orjson.loads(response.body)["id"]
        self._tx_error = None
        self._zone_pending = bool(self._zone_prelude)

    def _end(self, action: str, quiet: bool = False) -> None:
        tx_id, self._tx_id = self._tx_id, None
        self._tx_error = None
        try:
            self.transport.request(
                "POST", f"/transaction/{tx_id}/{action}", None, idempotent=action == "rollback"
            )
        except DatabaseError as error:
            if quiet:
                logger.debug("%s of transaction failed: %s", action, error)
                return
            raise
        except InterfaceError:
            if not quiet:
                raise

    # -- statements --------------------------------------------------------------------------
    def _check_open(self) -> None:
        if self.closed:
            raise InterfaceError("the connection is closed")

    def _run(self, statement: Statement):
        """Run one statement; returns (plan value, response headers)."""
        if not self._autocommit and self._tx_id is None:
            statement.check(in_transaction=True)
            self.begin()
        else:
            statement.check(in_transaction=self._tx_id is not None)
        if self._tx_id is None:
            zoned = bool(self._zone_prelude) and statement.wrappable
            atomic = statement.wrappable and (zoned or not statement.read_only)
            payload = plans.single(
                statement.sql,
                returns_rows=statement.returns_rows,
                atomic=atomic,
                prelude=self._zone_prelude if zoned else (),
            )
            response = self.transport.request(
                "POST",
                "/query",
                payload,
                idempotent=statement.read_only,
                headers=self.request_headers if statement.read_only else None,
            )
            self.last_response_headers = response.headers
            return orjson.loads(response.body)["data"], response.headers
        payload = plans.single(
            statement.sql,
            returns_rows=statement.returns_rows,
            atomic=False,
            prelude=self._take_zone_prelude(),
        )
        return self._in_transaction(payload, statement), None

    def _take_zone_prelude(self) -> list[str]:
        if self._zone_pending:
            self._zone_pending = False
            return self._zone_prelude
        return []

    def _in_transaction(self, payload: bytes, statement: Statement):
        try:
            response = self.transport.request(
                "POST", f"/transaction/{self._tx_id}/query", payload, idempotent=False
            )
        except DatabaseError as error:
            if error.pgcode and error.http_status == 400:
                self._tx_error = error
            elif error.http_status == 409:  # expired or gone: the server forgot it already
                self._tx_id = None
                self._tx_error = None
            raise
        if statement.keyword == "ROLLBACK":  # ROLLBACK TO SAVEPOINT: the transaction is usable
            self._tx_error = None
        return orjson.loads(response.body)["data"]

    def _run_batch(self, head: Statement, statements: list[str]) -> int:
        if not self._autocommit and self._tx_id is None:
            head.check(in_transaction=True)
            self.begin()
        else:
            head.check(in_transaction=self._tx_id is not None)
        if self._tx_id is None:
            payload = plans.batch(statements, atomic=True, prelude=self._zone_prelude)
            response = self.transport.request("POST", "/query", payload, idempotent=False)
            return int(orjson.loads(response.body)["data"])
        payload = plans.batch(statements, atomic=False, prelude=self._take_zone_prelude())
        return int(self._in_transaction(payload, head))

    def ping(self) -> None:
        response = self.transport.request("GET", "/health", None, idempotent=True)
        if response.status != 200:
            raise OperationalError(f"health check failed (HTTP {response.status})")
