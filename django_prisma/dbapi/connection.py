"""The PEP 249 connection: transaction state over Prisma's interactive-transaction API."""

from __future__ import annotations

import logging

import orjson
from psycopg import adapters as psycopg_adapters
from psycopg.pq import TransactionStatus

from . import errors, exceptions, plans, tracing
from .cursor import Cursor
from .exceptions import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    OutcomeUnknown,
    ProgrammingError,
    TransactionAborted,
)
from .info import ConnectionInfo
from .literals import Adapters, _as_literal, literal_function, quote
from .replay import Journal, replay_block
from .savepoints import DeferredSavepoints
from .statements import Statement
from .transport import DEFAULT_ENGINE_HASH, Transport
from .url import parse_url

logger = logging.getLogger("django_prisma.dbapi")

REPLAY_STATEMENT_TIMEOUT = "SET LOCAL statement_timeout = '2s'"

ISOLATION_LEVELS = {
    "read uncommitted": "READ UNCOMMITTED",
    "read committed": "READ COMMITTED",
    "repeatable read": "REPEATABLE READ",
    "serializable": "SERIALIZABLE",
}


# psycopg's IsolationLevel numbers, which Django's OPTIONS["isolation_level"] uses.
_LEVEL_NUMBERS = {
    1: "read uncommitted",
    2: "read committed",
    3: "repeatable read",
    4: "serializable",
}


def _isolation_name(level) -> str:
    if isinstance(level, int) and not isinstance(level, bool):
        return _LEVEL_NUMBERS.get(int(level), str(level))
    return str(level).lower()


class Connection:
    # PEP 249's optional extension: the exception classes as attributes of the connection.
    Warning = exceptions.Warning
    Error = exceptions.Error
    InterfaceError = exceptions.InterfaceError
    DatabaseError = exceptions.DatabaseError
    DataError = exceptions.DataError
    OperationalError = exceptions.OperationalError
    IntegrityError = exceptions.IntegrityError
    InternalError = exceptions.InternalError
    ProgrammingError = exceptions.ProgrammingError
    NotSupportedError = exceptions.NotSupportedError

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
        ca_bundle_only: bool = False,
        idle_timeout: float | None = None,
        json_as_text: bool = False,
        naive_datetimes: bool = False,
        session_time_zone: str | None = None,
        atomic_autocommit_writes: bool = True,
        replay_errors: bool = False,
        session_parameters: list[tuple[str, str]] | tuple = (),
    ):
        self.endpoint = parse_url(url, api_key)
        self.transport = tracing.transport_class(Transport)(
            self.endpoint,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            engine_hash=engine_hash,
            ca_bundle=ca_bundle,
            ca_bundle_only=ca_bundle_only,
            idle_timeout=idle_timeout,
        )
        self._autocommit = bool(autocommit)
        self.transaction_timeout = int(transaction_timeout)
        self.transaction_max_wait = int(transaction_max_wait)
        self.isolation_level = isolation_level
        # Autocommit writes travel in a `transaction` plan node (plans.single): immune to the
        # executor's pool poisoning, at a measured ~1 ms per write. Off only by choice.
        self.atomic_autocommit_writes = bool(atomic_autocommit_writes)
        # Run a failed statement (or a transaction whose COMMIT failed) once more, in a block
        # that always rolls back, for the parts of PostgreSQL's report the server drops
        # (DETAIL, table, schema). Off unless asked: triggers with effects outside the
        # transaction (dblink, HTTP calls) would fire twice.
        self.replay_errors = bool(replay_errors)
        self._decode_options = {"json_as_text": json_as_text}
        self._parameter_prelude = [
            f"SELECT set_config({quote(name)}, {quote(value)}, true)"
            for name, value in session_parameters
        ]
        self.configure_time_zone(session_time_zone, naive_datetimes=naive_datetimes)
        self._zone_pending = False
        self._tx_id: str | None = None
        self._tx_error: DatabaseError | None = None
        # The error that made the server forget the open transaction (expired, not found): until
        # rollback(), statements and commit() raise instead of silently starting a new one.
        self._tx_lost: DatabaseError | None = None
        self._savepoints = DeferredSavepoints()
        # What the open transaction did, to replay it when its COMMIT fails (replay.py).
        self._journal = Journal()
        # Autocommit off and a statement ran (or was held, like a SAVEPOINT) with no server
        # transaction started yet: psycopg would have sent BEGIN, so the status is INTRANS.
        self._begun_locally = False
        self.closed = False
        self.info = ConnectionInfo(self)
        # Where psycopg-style type registrations (django.contrib.postgres's hstore) land: the
        # literals of this connection's statements use them (results are decoded from JSON).
        self.adapters = Adapters(psycopg_adapters)
        self._literal_function = (0, _as_literal)
        # Extra headers for autocommit reads (Accelerate's cache-control / cache tags), and the
        # headers of the last /query response (cache status); set by the cache API.
        self.request_headers: dict | None = None
        self.last_response_headers = None

    def __repr__(self) -> str:
        state = "closed" if self.closed else ("in transaction" if self._tx_id else "idle")
        return f"<django_prisma Connection {self.endpoint.origin} {state}>"

    @property
    def as_literal(self):
        """psycopg's ``as_literal`` with this connection's registrations (``self.adapters``)."""
        generation, function = self._literal_function
        if generation != self.adapters.generation:
            generation = self.adapters.generation
            function = literal_function(self.adapters)
            self._literal_function = (generation, function)
        return function

    # -- PEP 249 ---------------------------------------------------------------------------
    @property
    def autocommit(self) -> bool:
        return self._autocommit

    @autocommit.setter
    def autocommit(self, value: bool) -> None:
        if self._tx_id is not None:
            raise ProgrammingError("cannot change autocommit while a transaction is open")
        self._forget_transaction()
        self._tx_lost = None
        self._autocommit = bool(value)

    @property
    def in_transaction(self) -> bool:
        return self._tx_id is not None

    @property
    def transaction_id(self) -> str | None:
        """The server's id of the open transaction: what a server-side cursor belongs to."""
        return self._tx_id

    @property
    def transaction_failed(self) -> bool:
        return self._tx_error is not None

    @property
    def transaction_status(self) -> TransactionStatus:
        """psycopg's ``info.transaction_status`` for the same calls: INTRANS from the first
        statement after autocommit was turned off (a transaction the driver starts lazily, or a
        savepoint it holds back, counts), INERROR after a failed statement until rollback (or
        ROLLBACK TO SAVEPOINT), IDLE otherwise, UNKNOWN once closed. ACTIVE is never seen:
        nothing runs between calls."""
        if self.closed:
            return TransactionStatus.UNKNOWN
        if self._tx_error is not None or (self._tx_lost is not None and not self._autocommit):
            return TransactionStatus.INERROR
        if self._tx_id is not None or self._begun_locally:
            return TransactionStatus.INTRANS
        return TransactionStatus.IDLE

    def _forget_transaction(self) -> None:
        self._savepoints.clear()
        self._journal.clear()
        self._begun_locally = False

    def cursor(self) -> Cursor:
        self._check_open()
        return Cursor(self)

    def commit(self) -> None:
        self._check_open()
        journal = self._journal.statements[:] if self._journal.complete else None
        self._forget_transaction()  # held SAVEPOINT/RELEASE of live savepoints change nothing
        tx_id = self._tx_id
        if tx_id is None:
            lost, self._tx_lost = self._tx_lost, None
            if lost is not None:
                raise TransactionAborted(
                    "nothing was committed: the server no longer had this transaction "
                    f"({str(lost).splitlines()[0]})",
                    pgcode="25P02",
                )
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
        try:
            self._end("commit")
        except IntegrityError as error:
            if error.http_status == 500 and journal and self.replay_errors:
                # A deferred constraint failed at COMMIT; the executor said only its kind.
                raise self._replayed_commit(error, journal) from None
            raise

    def _replayed_commit(self, error: IntegrityError, journal: list[str]) -> DatabaseError:
        replayed = self._replay(journal, check_deferred=True)
        if replayed is None or replayed.pgcode != error.pgcode:
            return error
        return errors.completed_by_replay(error, replayed)

    def rollback(self) -> None:
        self._check_open()
        self._forget_transaction()
        self._tx_lost = None
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

    def configure_time_zone(
        self, session_time_zone: str | None, *, naive_datetimes: bool = False, result_time_zone=None
    ) -> None:
        """A time zone for every statement (a SET LOCAL, never a session-wide SET): timestamptz
        values then print in that zone, and ``naive_datetimes`` returns its wall clock; or, with
        ``result_time_zone`` (a tzinfo), aware datetimes converted to that zone.

        ``session_parameters`` (name, value pairs, libpq's ``-c name=value``) travel the same
        way, as transaction-local ``set_config`` calls."""
        self.session_time_zone = session_time_zone or None
        self._zone_prelude = [
            *([f"SET LOCAL TIME ZONE {quote(session_time_zone)}"] if session_time_zone else []),
            *self._parameter_prelude,
        ]
        self._decode_options["naive_datetimes"] = naive_datetimes
        self._decode_options["result_time_zone"] = result_time_zone

    # -- transactions ------------------------------------------------------------------------
    def begin(self) -> None:
        """Open an interactive transaction now (otherwise the first statement opens it)."""
        self._check_open()
        if self._tx_id is not None:
            raise ProgrammingError("a transaction is already open")
        body = {"timeout": self.transaction_timeout, "maxWait": self.transaction_max_wait}
        if self.isolation_level:
            level = ISOLATION_LEVELS.get(_isolation_name(self.isolation_level))
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
            if action == "commit" and _answer_lost(error):
                self._resolve_lost_commit(tx_id, error)
            if action == "rollback" and error.http_status == 409:
                # Already rolled back (a retried request whose first answer was lost), expired
                # or forgotten: either way nothing of it can commit any more.
                logger.debug("rollback of a transaction the server no longer has: %s", error)
                return
            if quiet:
                logger.debug("%s of transaction failed: %s", action, error)
                return
            raise
        except InterfaceError:
            if not quiet:
                raise

    def _resolve_lost_commit(self, tx_id: str, error: DatabaseError) -> None:
        """The commit's answer was lost: ask the server by rolling back. A rollback that succeeds
        (or finds the transaction rolled back or expired) proves nothing was committed; a server
        that says the transaction was committed ran COMMIT, which PostgreSQL may still have
        refused (deferred constraint, serialization failure), so that stays unknown."""
        try:
            self.transport.request("POST", f"/transaction/{tx_id}/rollback", None, idempotent=True)
        except DatabaseError as probe:
            text = str(probe)
            if probe.http_status == 409 and ("rolled back" in text or "expired" in text):
                raise TransactionAborted(
                    f"nothing was committed: the commit failed ({str(error).splitlines()[0]}) "
                    "and the server reports the transaction as rolled back",
                    pgcode="25P02",
                ) from None
            if probe.http_status == 409 and "committed transaction" in text:
                raise OutcomeUnknown(
                    f"the commit's answer was lost ({str(error).splitlines()[0]}); the server "
                    "reports that it ran COMMIT, so the transaction most likely committed (unless "
                    "PostgreSQL refused the COMMIT itself)",
                    http_status=error.http_status,
                ) from None
            raise error from None
        raise TransactionAborted(
            f"nothing was committed: the commit failed ({str(error).splitlines()[0]}) and the "
            "transaction was then rolled back",
            pgcode="25P02",
        ) from None

    # -- statements --------------------------------------------------------------------------
    def _check_open(self) -> None:
        if self.closed:
            raise InterfaceError("the connection is closed")

    def _check_not_lost(self) -> None:
        if self._tx_lost is not None and not self._autocommit:
            raise TransactionAborted(
                "the current transaction is gone from the server "
                f"({str(self._tx_lost).splitlines()[0]}); call rollback() before going on",
                pgcode="25P02",
            )

    def _run(self, statement: Statement):
        """Run one statement; returns (plan value, response headers)."""
        in_transaction = not self._autocommit or self._tx_id is not None
        try:
            result = self._send(statement)
        except DatabaseError as error:
            if not in_transaction and self.replay_errors and errors.worth_replaying(error):
                raise self._completed(error, [statement.sql]) from None
            raise
        if in_transaction and self.replay_errors:
            self._journal.note(statement)
        return result

    def _send(self, statement: Statement):
        self._check_not_lost()
        if not self._autocommit and self._tx_id is None:
            statement.check(in_transaction=True)
            if self._savepoints.hold(statement, may_defer=True):
                self._begun_locally = True
                return 0, None
            self.begin()
        else:
            statement.check(in_transaction=self._tx_id is not None)
            if self._tx_id is not None and self._savepoints.hold(
                statement, may_defer=self._tx_error is None
            ):
                return 0, None
        if self._tx_id is None:
            zoned = bool(self._zone_prelude) and statement.wrappable
            atomic = statement.wrappable and (
                zoned or (self.atomic_autocommit_writes and not statement.read_only)
            )
            payload = plans.single(
                statement.sql,
                returns_rows=statement.returns_rows,
                atomic=atomic,
                prelude=self._zone_prelude if zoned else (),
            )
            try:
                response = self.transport.request(
                    "POST",
                    "/query",
                    payload,
                    idempotent=statement.read_only,
                    headers=self.request_headers if statement.read_only else None,
                )
            except OperationalError as error:
                if atomic and _failed_at_commit(error):
                    raise self._deferred_failure([statement.sql]) from None
                raise
            self.last_response_headers = response.headers
            return orjson.loads(response.body)["data"], response.headers
        payload = plans.single(
            statement.sql,
            returns_rows=statement.returns_rows,
            atomic=False,
            prelude=[*self._take_zone_prelude(), *self._savepoints.take()],
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
            if error.http_status == 409:  # expired or gone: the server forgot it already
                self._tx_id = None
                self._tx_error = None
                self._tx_lost = error
                self._forget_transaction()
            else:
                # A failed statement, or one whose outcome is unknown (lost answer, gateway
                # error): committing the rest would commit a transaction in an unknown state.
                self._tx_error = error
            raise
        if statement.keyword == "ROLLBACK":  # ROLLBACK TO SAVEPOINT: the transaction is usable
            self._tx_error = None
        return orjson.loads(response.body)["data"]

    def _run_batch(self, head: Statement, statements: list[str]) -> int:
        in_transaction = not self._autocommit or self._tx_id is not None
        try:
            count = self._send_batch(head, statements)
        except DatabaseError as error:
            if not in_transaction and self.replay_errors and errors.worth_replaying(error):
                raise self._completed(error, statements) from None
            raise
        if in_transaction and self.replay_errors:
            for sql in statements:
                self._journal.note(Statement(sql))
        return count

    def _send_batch(self, head: Statement, statements: list[str]) -> int:
        self._check_not_lost()
        if not self._autocommit and self._tx_id is None:
            head.check(in_transaction=True)
            self.begin()
        else:
            head.check(in_transaction=self._tx_id is not None)
        if self._tx_id is None:
            payload = plans.batch(statements, atomic=True, prelude=self._zone_prelude)
            try:
                response = self.transport.request("POST", "/query", payload, idempotent=False)
            except OperationalError as error:
                if _failed_at_commit(error):
                    raise self._deferred_failure(statements) from None
                raise
            return int(orjson.loads(response.body)["data"])
        prelude = [*self._take_zone_prelude(), *self._savepoints.take()]
        payload = plans.batch(statements, atomic=False, prelude=prelude)
        return int(self._in_transaction(payload, head))

    def _run_plan(
        self, node: dict, statements: list[Statement], *, operation: str, idempotent: bool = False
    ):
        """Run a plan node the driver built (several statements, a description of a result):
        in autocommit inside one ``transaction`` node, else in the transaction (begun if need
        be), after what is held back (time zone, savepoints). ``statements`` are what the node
        runs, the first standing for it in the transaction's bookkeeping. Returns its value."""
        self._check_not_lost()
        if not self._autocommit and self._tx_id is None:
            self.begin()
        if self._tx_id is None:
            payload = plans.plan_body(
                node, atomic=True, prelude=self._zone_prelude, operation=operation
            )
            try:
                response = self.transport.request("POST", "/query", payload, idempotent=idempotent)
            except OperationalError as error:
                if _failed_at_commit(error):
                    raise self._deferred_failure([s.sql for s in statements]) from None
                raise
            self.last_response_headers = response.headers
            return orjson.loads(response.body)["data"]
        prelude = [*self._take_zone_prelude(), *self._savepoints.take()]
        payload = plans.plan_body(node, atomic=False, prelude=prelude, operation=operation)
        return self._in_transaction(payload, statements[0])

    def _deferred_failure(self, statements: list[str]) -> DatabaseError:
        """An autocommit write failed at its COMMIT — a deferred constraint — and the executor's
        answer names no SQLSTATE: replay it (rolled back), so the caller gets PostgreSQL's own
        error; nothing of it stays."""
        replayed = self._replay(statements, check_deferred=True)
        if replayed is not None:
            return replayed
        return IntegrityError(
            "a deferred constraint was violated when the statement committed; nothing was "
            "written (replaying it did not reproduce the error, so PostgreSQL's message is lost)",
            pgcode="23000",
            meta={"replayed": False},
        )

    def _completed(self, error: DatabaseError, statements: list[str]) -> DatabaseError:
        """``error`` with the fields the executor dropped, when a replay meets it again."""
        replayed = self._replay(statements)
        if replayed is None or not errors.same_report(error, replayed):
            return error
        return errors.completed_by_replay(error, replayed)

    def _replay(self, statements: list[str], *, check_deferred: bool = False):
        """PostgreSQL's whole report of the first error ``statements`` meet, run again outside
        any transaction of this connection and rolled back (replay.py); None when they ran
        without one or the replay itself failed."""
        # The zone's SET LOCAL goes inside the block: the block is one statement, its own
        # transaction, where SET LOCAL holds.
        block = replay_block([*self._zone_prelude, *statements], check_deferred=check_deferred)
        # Bounded: a replay doubles the cost of the failed work, never more than this.
        payload = plans.single(
            block, returns_rows=False, atomic=True, prelude=[REPLAY_STATEMENT_TIMEOUT]
        )
        try:
            self.transport.request("POST", "/query", payload, idempotent=False)
        except DatabaseError as error:
            if error.meta.get("replayed") is True:
                return error
            logger.debug("replaying for the error report failed: %s", error)
        return None

    def _read_facts(self, sql: str) -> tuple[tuple, list[str]]:
        """One row of a catalog read for ``info``: in the open transaction when there is a
        usable one (a second server connection may wait on it: ``prisma dev`` runs one
        transaction at a time), otherwise on its own, never starting one."""
        self._check_open()
        if self._tx_id is not None and self._tx_error is None:
            cursor = self.cursor()
            cursor.execute(sql)
            return cursor.fetchone(), [column[0] for column in cursor.description]
        payload = plans.single(sql, returns_rows=True, atomic=False)
        response = self.transport.request("POST", "/query", payload, idempotent=True)
        result = orjson.loads(response.body)["data"]
        return tuple(result["rows"][0]), result["columns"]

    def ping(self) -> None:
        response = self.transport.request("GET", "/health", None, idempotent=True)
        if response.status != 200:
            raise OperationalError(f"health check failed (HTTP {response.status})")


def _failed_at_commit(error: DatabaseError) -> bool:
    # What the executor answers when the COMMIT of a `transaction` plan node fails: it tries
    # to roll back the transaction PostgreSQL already ended.
    return error.http_status == 409 and "cannot be executed on a committed transaction" in str(
        error
    )


def _answer_lost(error: DatabaseError) -> bool:
    """A failure that says nothing about what the server did with the request."""
    if isinstance(error, OutcomeUnknown) or (error.http_status is None and not error.pgcode):
        return True
    return error.http_status in (429, 502, 503, 504) and error.prisma_code is None
