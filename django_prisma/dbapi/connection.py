"""The PEP 249 connection: transaction state over Prisma's interactive-transaction API."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from types import TracebackType
from typing import Any

import orjson
from psycopg import adapters as psycopg_adapters
from psycopg import pq
from psycopg.pq import TransactionStatus
from psycopg.pq import abc as pq_abc

from . import errors, exceptions, plans, tracing
from .cursor import Cursor
from .dialect import POSTGRESQL, Dialect
from .exceptions import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    NotSupportedError,
    OperationalError,
    OutcomeUnknown,
    ProgrammingError,
    TransactionAborted,
)
from .http import Headers
from .info import ConnectionInfo
from .literals import Adapters, AsLiteral, _as_literal, literal_function, quote
from .replay import Journal, replay_block
from .savepoints import DeferredSavepoints
from .statements import Statement
from .transaction_state import State, TransactionState
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


def _isolation_name(level: object) -> str:
    if isinstance(level, int) and not isinstance(level, bool):
        return _LEVEL_NUMBERS.get(int(level), str(level))
    return str(level).lower()


def isolation_sql(level: object) -> str | None:
    """The SQL name of an isolation level (a name in any case, or psycopg's IsolationLevel),
    None for the server's default; a ProgrammingError for anything else."""
    if not level:
        return None
    sql = ISOLATION_LEVELS.get(_isolation_name(level))
    if sql is None:
        raise ProgrammingError(
            f"unknown isolation level {level!r}: use one of {sorted(ISOLATION_LEVELS)}"
        )
    return sql


@dataclass(slots=True)
class _Work:
    """What one request of statements runs, whatever its shape (one statement, an executemany
    batch, a plan node the driver built): ``Connection._request`` sends every one alike."""

    #: The statement standing for the work: checked before sending (``check``), held back when
    #: it is a savepoint statement that may wait (``holdable``), and, a ROLLBACK TO SAVEPOINT,
    #: making a failed transaction usable again.
    head: Statement | None
    #: The SQL it runs, to replay for PostgreSQL's whole error report.
    sql: list[str]
    #: The request body for (atomic, prelude).
    build: Callable[[bool, list[str]], bytes]
    check: bool = False
    holdable: bool = False
    #: In autocommit: inside a ``transaction`` node (``atomic``), after the connection's time
    #: zone prelude when it has one (``zoned``, which makes it atomic too).
    atomic: bool = True
    zoned: bool = True
    #: In autocommit: safe to send twice; extra request headers.
    idempotent: bool = False
    headers: dict[str, str] | None = None
    #: In autocommit: the response headers become ``last_response_headers``.
    keeps_headers: bool = True
    #: What the open transaction's journal notes once it ran (None: nothing, and no replay of
    #: an autocommit error either).
    journaled: Callable[[], Iterable[Statement]] | None = None


@functools.cache
def _escaping_handle() -> pq_abc.PGconn:
    """One per process: libpq escapes with a handle's encoding, which a handle that never
    connected keeps at its default (every result stays valid SQL for any server setting)."""
    # A socket directory that cannot exist: libpq fails at once, without any network.
    return pq.PGconn.connect_start(b"host=/nonexistent/django_prisma port=1")


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

    # describe.py's psycopg transformer over ``adapters`` (adapters, their generation, it).
    _describe_loaders: tuple[Adapters, int, Any] | None = None

    # The dialect's seams (PostgreSQL's here; dbapi/mysql/connection.py has MySQL's): the cursor
    # class, the transport's view of the database (errors, telemetry), its name in messages.
    cursor_class: type[Cursor] = Cursor
    dialect: Dialect = POSTGRESQL
    server_name = "PostgreSQL"
    repr_name = "django_prisma Connection"
    # psycopg's ``info`` (info.py): what tools written for psycopg read (Django's pg_version,
    # django-debug-toolbar, sentry-sdk's spans); None for a dialect whose client library has
    # no such thing, so that those tools see none.
    info_class: type[ConnectionInfo] | None = ConnectionInfo
    info: ConnectionInfo

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
        session_parameters: Sequence[tuple[str, str]] = (),
        cursor_factory: type[Cursor] | None = None,
    ):
        # Refused here, before anything is sent: an invalid level is a configuration error.
        self.isolation_level = isolation_level
        self.endpoint = parse_url(url, api_key)
        # psycopg's cursor_factory: the class cursor() makes (a subclass of this driver's
        # cursor; django-prometheus wraps it to count and time statements).
        if cursor_factory is not None:
            self.cursor_class = cursor_factory
        self.transport = tracing.transport_class(Transport)(
            self.endpoint,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            engine_hash=engine_hash,
            ca_bundle=ca_bundle,
            ca_bundle_only=ca_bundle_only,
            idle_timeout=idle_timeout,
            dialect=self.dialect,
        )
        self._autocommit = bool(autocommit)
        self.transaction_timeout = int(transaction_timeout)
        self.transaction_max_wait = int(transaction_max_wait)
        # Autocommit writes travel in a `transaction` plan node (plans.single): immune to the
        # executor's pool poisoning, at a measured ~1 ms per write. Off only by choice.
        self.atomic_autocommit_writes = bool(atomic_autocommit_writes)
        # Run a failed statement (or a transaction whose COMMIT failed) once more, in a block
        # that always rolls back, for the parts of PostgreSQL's report the server drops
        # (DETAIL, table, schema). Off unless asked: triggers with effects outside the
        # transaction (dblink, HTTP calls) would fire twice.
        self.replay_errors = bool(replay_errors)
        self._temporary_tables = False
        self._decode_options: dict[str, Any] = {"json_as_text": json_as_text}
        self._parameter_prelude = [
            f"SELECT set_config({quote(name)}, {quote(value)}, true)"
            for name, value in session_parameters
        ]
        self._parameter_names = frozenset(name.lower() for name, _ in session_parameters)
        self.configure_time_zone(session_time_zone, naive_datetimes=naive_datetimes)
        self._zone_pending = False
        # Idle, pending, open, failed, lost or closed (transaction_state.py).
        self._transaction = TransactionState()
        self._savepoints = DeferredSavepoints()
        # What the open transaction did, to replay it when its COMMIT fails (replay.py).
        self._journal = Journal()
        if self.info_class is not None:
            self.info = self.info_class(self)
        # Where psycopg-style type registrations (django.contrib.postgres's hstore) land: the
        # literals of this connection's statements use them (results are decoded from JSON).
        self.adapters = Adapters(psycopg_adapters)
        self._literal_function: tuple[int, AsLiteral] = (0, _as_literal)
        # Extra headers for autocommit reads (Accelerate's cache-control / cache tags), and the
        # headers of the last /query response (cache status); set by the cache API.
        self.request_headers: dict[str, str] | None = None
        self.last_response_headers: Headers | None = None

    def __repr__(self) -> str:
        state = "closed" if self.closed else ("in transaction" if self.in_transaction else "idle")
        return f"<{self.repr_name} {self.endpoint.origin} {state}>"

    @property
    def closed(self) -> bool:
        return self._transaction.state is State.CLOSED

    @property
    def isolation_level(self) -> object:
        """The isolation level of the transactions this connection starts (None: the server's
        default), as set: a name in any case or psycopg's ``IsolationLevel``."""
        return self._isolation_level

    @isolation_level.setter
    def isolation_level(self, level: object) -> None:
        self._isolation_sql = isolation_sql(level)
        self._isolation_level = level

    @property
    def connection(self) -> None:
        """psycopg's ``AdaptContext`` protocol, with ``adapters``: so that code written for
        psycopg can render with this connection, as in ``sql.SQL(…).as_string(conn)`` or
        ``sql.quote(value, conn)``. There is no psycopg connection (nor libpq's) behind it:
        psycopg then escapes as libpq does for a server with standard_conforming_strings on."""
        return None

    @property
    def pgconn(self) -> pq_abc.PGconn:
        """A libpq connection handle that never connects, for code that escapes with psycopg's
        ``pq.Escaping(conn.pgconn)`` (``escape_identifier``, ``escape_literal``,
        ``escape_bytea``), as django-pgbulk does. Statements, TLS and the server's facts are the
        driver's (``info``), never this handle's: its ``status`` is BAD."""
        return _escaping_handle()

    @property
    def as_literal(self) -> AsLiteral:
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
        if self._transaction.open:
            raise ProgrammingError("cannot change autocommit while a transaction is open")
        self._forget_bookkeeping()
        if not self.closed:
            self._transaction.reset()
        self._autocommit = bool(value)

    @property
    def in_transaction(self) -> bool:
        return self._transaction.open

    @property
    def transaction_id(self) -> str | None:
        """The server's id of the open transaction: what a server-side cursor belongs to."""
        return self._transaction.id

    @property
    def transaction_failed(self) -> bool:
        return self._transaction.state is State.FAILED

    @property
    def transaction_status(self) -> TransactionStatus:
        """psycopg's ``info.transaction_status`` for the same calls: INTRANS from the first
        statement after autocommit was turned off (a transaction the driver starts lazily, or a
        savepoint it holds back, counts), INERROR after a failed statement until rollback (or
        ROLLBACK TO SAVEPOINT), IDLE otherwise, UNKNOWN once closed. ACTIVE is never seen:
        nothing runs between calls."""
        state = self._transaction.state
        if state is State.CLOSED:
            return TransactionStatus.UNKNOWN
        if state is State.FAILED or (state is State.LOST and not self._autocommit):
            return TransactionStatus.INERROR
        if state is State.OPEN or state is State.PENDING:
            return TransactionStatus.INTRANS
        return TransactionStatus.IDLE

    def _forget_bookkeeping(self) -> None:
        """What is kept for the open transaction: held savepoints, the journal."""
        self._savepoints.clear()
        self._journal.clear()

    def note_temporary_table(self) -> None:
        """A statement of the open (or next) transaction creates a temporary table: its server
        connection goes back to a shared pool at the end, so the session's temporary tables are
        dropped (DISCARD TEMP) before it commits. Native PostgreSQL keeps them until the session
        ends; here they last as long as the transaction."""
        self._temporary_tables = True

    def _before_commit(self) -> None:
        """What must run in the transaction before its COMMIT so that nothing of it stays on the
        pooled server connection (PostgreSQL: the session's temporary tables)."""
        self._discard_temporary_tables()

    def _discard_temporary_tables(self) -> None:
        if self._temporary_tables:
            self._temporary_tables = False
            payload = plans.single("DISCARD TEMP", returns_rows=False, atomic=False)
            self._in_transaction(payload, None)

    @property
    def cursor_factory(self) -> type[Cursor]:
        return self.cursor_class

    def cursor(self) -> Cursor:
        self._check_open()
        return self.cursor_class(self)

    def commit(self) -> None:
        self._check_open()
        journal = self._journal.statements[:] if self._journal.complete else None
        self._forget_bookkeeping()  # held SAVEPOINT/RELEASE of live savepoints change nothing
        transaction = self._transaction
        if not transaction.open:
            lost = transaction.error if transaction.state is State.LOST else None
            transaction.reset()
            if lost is not None:
                raise TransactionAborted(
                    "nothing was committed: the server no longer had this transaction "
                    f"({errors.first_line(lost)})",
                    pgcode="25P02",
                )
            return
        failure = transaction.error
        if failure is not None:
            self._end("rollback", quiet=True)
            raise TransactionAborted(
                "nothing was committed: a statement of this transaction failed "
                f"({failure.pgcode or type(failure).__name__}: {errors.first_line(failure)}) "
                f"and {self.server_name} rolled the transaction back",
                pgcode="25P02",
            )
        self._before_commit()
        try:
            self._end("commit")
        except IntegrityError as error:
            if error.http_status == 500 and journal and self.replay_errors:
                # A deferred constraint failed at COMMIT; the executor said only its kind.
                raise self._replayed_commit(error, journal) from None
            raise

    def _replayed_commit(
        self, error: exceptions.IntegrityError, journal: list[str]
    ) -> exceptions.Error:
        replayed = self._replay(journal, check_deferred=True)
        if replayed is None or replayed.pgcode != error.pgcode:
            return error
        return errors.completed_by_replay(error, replayed)

    def rollback(self) -> None:
        self._check_open()
        self._forget_bookkeeping()
        self._temporary_tables = False  # created in the transaction: rolled back with it
        if self._transaction.open:
            self._end("rollback")
        else:
            self._transaction.reset()

    def close(self) -> None:
        if self.closed:
            return
        if self._transaction.open:
            self._end("rollback", quiet=True)
        self.transport.close()
        self._transaction.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.closed:
            return
        if exc is None:
            self.commit()
            return
        try:
            self.rollback()
        except Exception as failure:
            # The caller's exception is what went wrong: it goes on, telling of this one too.
            logger.debug("rollback on leaving the connection's block failed: %s", failure)
            exc.add_note(
                "the rollback on leaving the connection's block failed too: "
                f"{type(failure).__qualname__}: {errors.first_line(failure)}"
            )

    def check_statement(self, statement: Statement, *, in_transaction: bool) -> None:
        """Refuse, before anything is sent, what this connection cannot run as PostgreSQL
        would: session state (``Statement.check``), and a reset of a ``session_parameters``
        setting, which natively returns to the value given at connection time (libpq's
        ``-c name=value`` makes it the session's default) but here would return to the
        server's."""
        statement.check(in_transaction=in_transaction)
        if self._parameter_names:
            reset = statement.reset_settings() & self._parameter_names
            if reset:
                name = min(reset)
                raise NotSupportedError(
                    f"set_config('{name}', NULL, …) would reset {name} to the server's default, "
                    f"not to the value this connection sets for every statement "
                    f"(session_parameters, libpq's -c {name}=…): set that value instead"
                )

    def configure_time_zone(
        self,
        session_time_zone: str | None,
        *,
        naive_datetimes: bool = False,
        result_time_zone: tzinfo | None = None,
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
        if self._transaction.open:
            raise ProgrammingError("a transaction is already open")
        self._check_not_lost()
        body: dict[str, Any] = {
            "timeout": self.transaction_timeout,
            "maxWait": self.transaction_max_wait,
        }
        if self._isolation_sql:
            body["isolationLevel"] = self._isolation_sql
        response = self.transport.request(
            "POST", "/transaction/start", orjson.dumps(body), idempotent=False
        )
        self._transaction.started(orjson.loads(response.body)["id"])
        self._zone_pending = bool(self._zone_prelude)

    def _end(self, action: str, quiet: bool = False) -> None:
        tx_id = self._transaction.end()
        try:
            self.transport.request(
                "POST", f"/transaction/{tx_id}/{action}", None, idempotent=action == "rollback"
            )
        except DatabaseError as error:
            if action == "commit" and errors.outcome_unknown(error):
                self._resolve_lost_commit(tx_id, error)
            if action == "rollback" and errors.transaction_closed(error):
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

    def _resolve_lost_commit(self, tx_id: str, error: exceptions.DatabaseError) -> None:
        """The commit's answer was lost: ask the server by rolling back. A rollback that succeeds
        (or finds the transaction rolled back or expired) proves nothing was committed; a server
        that says the transaction was committed ran COMMIT, which PostgreSQL may still have
        refused (deferred constraint, serialization failure), so that stays unknown."""
        try:
            self.transport.request("POST", f"/transaction/{tx_id}/rollback", None, idempotent=True)
        except DatabaseError as probe:
            if errors.rolled_back_by_server(probe):
                raise TransactionAborted(
                    f"nothing was committed: the commit failed ({errors.first_line(error)}) "
                    "and the server reports the transaction as rolled back",
                    pgcode="25P02",
                ) from None
            if errors.committed_by_server(probe):
                raise OutcomeUnknown(
                    f"the commit's answer was lost ({errors.first_line(error)}); the server "
                    "reports that it ran COMMIT, so the transaction most likely committed (unless "
                    f"{self.server_name} refused the COMMIT itself)",
                    http_status=error.http_status,
                ) from None
            raise error from None
        raise TransactionAborted(
            f"nothing was committed: the commit failed ({errors.first_line(error)}) and the "
            "transaction was then rolled back",
            pgcode="25P02",
        ) from None

    # -- statements --------------------------------------------------------------------------
    def _check_open(self) -> None:
        if self.closed:
            raise InterfaceError("the connection is closed")

    def _check_not_lost(self) -> None:
        transaction = self._transaction
        if transaction.state is State.LOST and not self._autocommit:
            raise TransactionAborted(
                "the current transaction is gone from the server "
                f"({errors.first_line(transaction.error)}); call rollback() before going on",
                pgcode="25P02",
            )

    # The three shapes of work the cursor sends; one request path (``_request``) for all.
    def _run(self, statement: Statement) -> tuple[Any, Any]:
        """Run one statement; returns (plan value, response headers)."""
        read_only = statement.read_only
        work = _Work(
            statement,
            [statement.sql],
            lambda atomic, prelude: plans.single(
                statement.sql, returns_rows=statement.returns_rows, atomic=atomic, prelude=prelude
            ),
            check=True,
            holdable=True,
            atomic=statement.wrappable and self.atomic_autocommit_writes and not read_only,
            zoned=statement.wrappable,
            idempotent=read_only,
            headers=self.request_headers if read_only else None,
            journaled=lambda: (statement,),
        )
        return self._request(work)

    def _run_batch(self, head: Statement, statements: list[str]) -> int:
        """Run ``statements`` (one statement's rows, executemany) in one request; returns the
        rows they changed."""
        work = _Work(
            head,
            statements,
            lambda atomic, prelude: plans.batch(statements, atomic=atomic, prelude=prelude),
            check=True,
            keeps_headers=False,
            journaled=lambda: (Statement(sql) for sql in statements),
        )
        return int(self._request(work)[0])

    def _run_plan(
        self,
        node: dict[str, Any],
        statements: Sequence[Statement],
        *,
        operation: str,
        idempotent: bool = False,
    ) -> Any:
        """Run a plan node the driver built (several statements, a description of a result).
        ``statements`` are what the node runs, the first standing for it in the transaction's
        bookkeeping. Returns its value."""
        work = _Work(
            statements[0] if statements else None,
            [statement.sql for statement in statements],
            lambda atomic, prelude: plans.plan_body(
                node, atomic=atomic, prelude=prelude, operation=operation
            ),
            idempotent=idempotent,
        )
        return self._request(work)[0]

    def _request(self, work: _Work) -> tuple[Any, Any]:
        """Send ``work``: in autocommit on its own (inside one ``transaction`` node when it
        writes or needs the time zone), else in the transaction (begun if need be), after what
        is held back (time zone, savepoints). Returns (value, autocommit response headers)."""
        in_transaction = not self._autocommit or self._transaction.open
        try:
            result = self._send(work)
        except DatabaseError as error:
            if work.journaled is not None and not in_transaction and self.replay_errors:
                if errors.worth_replaying(error):
                    raise self._completed(error, work.sql) from None
            raise
        if work.journaled is not None and in_transaction and self.replay_errors:
            for statement in work.journaled():
                self._journal.note(statement)
        return result

    def _send(self, work: _Work) -> tuple[Any, Any]:
        self._check_not_lost()
        transaction = self._transaction
        head = work.head
        if head is not None and work.check and head.creates_temporary_table():
            self.note_temporary_table()
        if not self._autocommit and not transaction.open:
            if work.check and head is not None:
                self.check_statement(head, in_transaction=True)
                if work.holdable and self._savepoints.hold(head, may_defer=True):
                    transaction.begin_locally()
                    return 0, None
            self.begin()
        elif work.check and head is not None:
            self.check_statement(head, in_transaction=transaction.open)
            if (
                work.holdable
                and transaction.open
                and self._savepoints.hold(head, may_defer=transaction.state is State.OPEN)
            ):
                return 0, None
        if not transaction.open:
            return self._send_autocommit(work)
        prelude = [*self._take_zone_prelude(), *self._savepoints.take()]
        return self._in_transaction(work.build(False, prelude), head), None

    def _send_autocommit(self, work: _Work) -> tuple[Any, Any]:
        zoned = work.zoned and bool(self._zone_prelude)
        atomic = work.atomic or zoned
        payload = work.build(atomic, self._zone_prelude if zoned else [])
        try:
            response = self.transport.request(
                "POST", "/query", payload, idempotent=work.idempotent, headers=work.headers
            )
        except OperationalError as error:
            if atomic and errors.committed_by_server(error):
                # The executor tried to roll back the `transaction` node whose COMMIT failed.
                raise self._deferred_failure(work.sql) from None
            raise
        if work.keeps_headers:
            self.last_response_headers = response.headers
        return orjson.loads(response.body)["data"], response.headers

    def _take_zone_prelude(self) -> list[str]:
        if self._zone_pending:
            self._zone_pending = False
            return self._zone_prelude
        return []

    def _in_transaction(self, payload: bytes, head: Statement | None) -> Any:
        transaction = self._transaction
        try:
            response = self.transport.request(
                "POST", f"/transaction/{transaction.id}/query", payload, idempotent=False
            )
        except DatabaseError as error:
            if errors.transaction_closed(error):  # expired or gone: the server forgot it already
                transaction.lost(error)
                self._forget_bookkeeping()
            elif self.failure_aborts_transaction(error):
                # A failed statement, or one whose outcome is unknown (lost answer, gateway
                # error): committing the rest would commit a transaction in an unknown state.
                transaction.failed(error)
            raise
        if head is not None and head.keyword == "ROLLBACK":
            transaction.recovered()  # ROLLBACK TO SAVEPOINT: the transaction is usable
        return orjson.loads(response.body)["data"]

    def failure_aborts_transaction(self, error: exceptions.DatabaseError) -> bool:
        """Whether the open transaction can no longer commit after ``error``: in PostgreSQL any
        failed statement aborts it (until ROLLBACK TO SAVEPOINT), and so does any error whose
        outcome is unknown."""
        return True

    def _deferred_failure(self, statements: list[str]) -> exceptions.Error:
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

    def _completed(
        self, error: exceptions.DatabaseError, statements: list[str]
    ) -> exceptions.Error:
        """``error`` with the fields the executor dropped, when a replay meets it again."""
        replayed = self._replay(statements)
        if replayed is None or not errors.same_report(error, replayed):
            return error
        return errors.completed_by_replay(error, replayed)

    def _replay(
        self, statements: list[str], *, check_deferred: bool = False
    ) -> exceptions.DatabaseError | None:
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

    def _read_facts(self, sql: str) -> tuple[tuple[Any, ...], list[str]]:
        """One row of a catalog read for ``info``: in the open transaction when there is a
        usable one (a second server connection may wait on it: ``prisma dev`` runs one
        transaction at a time), otherwise on its own, never starting one."""
        self._check_open()
        if self._transaction.state is State.OPEN:
            cursor = self.cursor()
            cursor.execute(sql)
            row = cursor.fetchone() or ()  # one row: the query has no FROM
            return row, [column[0] for column in cursor.description or ()]
        payload = plans.single(sql, returns_rows=True, atomic=False)
        response = self.transport.request("POST", "/query", payload, idempotent=True)
        result = orjson.loads(response.body)["data"]
        return tuple(result["rows"][0]), result["columns"]

    def ping(self) -> None:
        response = self.transport.request("GET", "/health", None, idempotent=True)
        if response.status != 200:
            raise OperationalError(f"health check failed (HTTP {response.status})")
