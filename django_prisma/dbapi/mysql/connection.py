"""The PEP 249 connection and cursor for MySQL and MariaDB behind a Prisma server.

Everything that is not dialect is the PostgreSQL driver's (transport, transaction state, lazy
interactive transactions, held savepoints, error model): these classes replace the literals,
the statement rules, result decoding, MySQL's error numbers, and add what MySQLdb's cursor has
(``lastrowid``). What differs in MySQL's transactions: a failed statement does not abort the
transaction (a deadlock does: InnoDB rolls the whole transaction back).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Any

from .. import plans, tracing
from ..connection import Connection
from ..cursor import Cursor, Query, ResultDescription, ResultSet, _description, query_text
from ..decoding import Conversions, column_conversions, decode_rows
from ..dialect import Dialect
from ..exceptions import (
    DatabaseError,
    ErrorKind,
    InterfaceError,
    NotSupportedError,
    ProgrammingError,
)
from ..statements import split_statements
from . import records, session
from .decoding import converters_for
from .errors import DEADLOCK, errno_of, mysql_database_error
from .literals import interpolate, protected_spans, quote
from .statements import MySQLStatement

MYSQL = Dialect("mysql", "SELECT DATABASE()", mysql_database_error)
_FOREIGN_KEY_CHECKS_OFF = "SET foreign_key_checks = 0"
_BOOKKEEPING = frozenset({"SAVEPOINT", "RELEASE", "ROLLBACK"})
# Whether a server (origin, key) is MariaDB: one question per process and server.
_MARIADB: dict[tuple[str, str | None], bool] = {}
_FOREIGN_KEY_CHECKS_ON = "SET foreign_key_checks = 1"


class MySQLCursor(Cursor):
    """MySQLdb's cursor surface: ``%s`` placeholders with MySQL literals, ``lastrowid``."""

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self.lastrowid: int | None = None

    def _check(self) -> None:
        if self.closed:
            raise ProgrammingError("cursor closed")  # MySQLdb's class and words
        super()._check()

    def _reset(self) -> None:
        super()._reset()
        self.lastrowid = None

    @property
    def statusmessage(self) -> str | None:
        return None  # PostgreSQL's command tag; MySQL has none

    def _text(self, query: Query) -> str:
        return query_text(query, None)  # psycopg.sql compositions quote as PostgreSQL does

    def mogrify(self, sql: Query, params: Any = None) -> str:
        return interpolate(self._text(sql), params)

    def execute(self, sql: Query, params: Any = None) -> MySQLCursor:
        self._check()
        self._reset()
        sql = self._text(sql)
        text = interpolate(sql, params)
        self.query = text
        parts = _statements_of(text)
        tracing.note_query(self, sql, params)
        if len(parts) > 1:
            return self._execute_many_statements(parts)
        setting = session.setting_of(parts[0])
        if setting is not None:
            return self._apply_setting(setting)
        statement = self._statement(parts[0])
        if statement.keyword in records.SCHEMA_KEYWORDS:
            records.schema_changed()
        if _reports_insert_id(statement):
            return self._execute_insert(statement)
        try:
            result, headers = self.connection._run(statement)
        except NotSupportedError as error:
            if error.kind is not ErrorKind.RESULT_NOT_SERIALIZABLE or not statement.read_only:
                raise
            return self._execute_as_records(statement)
        self.response_headers = headers
        if statement.returns_rows:
            self._show(*self._decoded_result(result))
        else:
            self.rowcount = int(result) if result is not None else -1
        return self

    def _execute_as_records(self, statement: MySQLStatement) -> MySQLCursor:
        """A read whose result the executor could not serialise, read again as records
        (records.py): described once per statement text, then one request."""
        connection = self.connection
        known, description = records.known_description(statement.sql)
        if not known:
            node = records.describe_node(statement.sql)
            if node is not None:
                try:
                    described = connection._run_plan(
                        node, [statement], operation="queryRaw", idempotent=True
                    )
                except DatabaseError:
                    described = None
                description = records.description_of(described)
            records.remember(statement.sql, description)
        rows = connection._run_plan(
            records.records_node(statement.sql), [statement], operation="queryRaw", idempotent=True
        )
        if not isinstance(rows, list):
            raise InterfaceError(f"unexpected result shape from the Prisma server: {rows!r:.200}")
        if not records.matches(description, rows):
            records.schema_changed()
            description = None  # as the rows name them, this once
        if description is None:
            columns = records.columns_of(rows)
            types = tuple(_type_of(rows[0][name]) for name in columns) if rows else ()
        else:
            columns, types = description
        converters = converters_for(types, times_as_time=self._times_as_time(), records=True)
        conversions = column_conversions(converters)
        values = decode_rows(([row[name] for name in columns] for row in rows), conversions)
        self._show(_description(columns, types), values, len(values))
        return self

    def _times_as_time(self) -> bool:
        connection = self.connection
        return isinstance(connection, MySQLConnection) and connection.times_as_time

    def _statement(self, sql: str) -> MySQLStatement:
        """The statement, with the connection's per-statement settings before what is sent."""
        statement = MySQLStatement(sql)
        statement.sql = self._prefix(statement.keyword) + sql
        return statement

    def _prefix(self, keyword: str) -> str:
        connection = self.connection
        if isinstance(connection, MySQLConnection):
            return connection.statement_prefix(keyword)
        return ""

    def _apply_setting(self, setting: session.Variables | session.IsolationLevel) -> MySQLCursor:
        """A ``SET`` of session variables (or of the isolation level): the connection keeps it
        for its later statements (session.py)."""
        connection = self.connection
        if not isinstance(connection, MySQLConnection):
            raise InterfaceError("session settings need a MySQL connection")
        connection.apply_setting(setting)
        self.rowcount = 0
        return self

    def _execute_insert(self, statement: MySQLStatement) -> MySQLCursor:
        """An INSERT or REPLACE: its row count and, as MySQLdb's ``lastrowid``, the id MySQL
        generated for it (``mysql_insert_id()``), in one request on one server connection."""
        connection = self.connection
        statement.check(in_transaction=connection.in_transaction or not connection.autocommit)
        node = _insert_reporting_id(statement.sql)
        inserted, counted = connection._run_plan(node, [statement], operation="queryRaw")
        self.rowcount = int(counted["rows"][0][0])
        insert_id = inserted.get("id") if isinstance(inserted, dict) else None
        self.lastrowid = int(insert_id) if insert_id not in (None, "") else 0
        return self

    def _execute_many_statements(self, parts: list[str]) -> MySQLCursor:
        """Several statements in one string: in order, in one request, in one transaction; the
        first result is current and ``nextset()`` moves on."""
        if any(session.setting_of(part) is not None for part in parts):
            # Settings apply to what follows them: one statement at a time, in order.
            for part in parts:
                self.execute(part)
            return self
        statements = [self._statement(part) for part in parts]
        for statement in statements:
            if statement.keyword in ("SAVEPOINT", "RELEASE", "ROLLBACK"):
                raise NotSupportedError(
                    f"{statement.keyword} in a string of several statements: send savepoint "
                    "statements on their own (or use atomic())"
                )
            statement.check(in_transaction=True)  # they share one transaction
        node = plans.sequence(
            [statement.sql for statement in statements],
            [statement.returns_rows for statement in statements],
        )
        values = self.connection._run_plan(node, statements, operation="queryRaw")
        sets: list[ResultSet] = []
        for statement, value in zip(statements, values, strict=True):
            if statement.returns_rows:
                sets.append(self._decoded_result(value))
            else:
                sets.append((None, None, int(value) if value is not None else -1))
        self._show(*sets[0])
        self._sets = sets[1:]
        return self

    def _decoded_result(self, result: Any) -> ResultSet:
        if not isinstance(result, dict) or "columns" not in result:
            raise InterfaceError(f"unexpected result shape from the Prisma server: {result!r:.200}")
        columns, types = result["columns"], result["types"]
        try:
            description, conversions = _columns_cached(
                tuple(columns), tuple(types), self._times_as_time()
            )
        except TypeError:  # a malformed answer (unhashable names): decoded uncached
            description = _description(columns, types)
            conversions = column_conversions(
                converters_for(types, times_as_time=self._times_as_time())
            )
        rows = decode_rows(result["rows"], conversions)
        return description, rows, len(rows)

    def executemany(self, sql: Query, seq_of_params: Iterable[Any]) -> MySQLCursor:
        self._check()
        self._reset()
        sql = self._text(sql)
        statements = [interpolate(sql, params) for params in seq_of_params]
        if not statements:
            self.rowcount = 0
            return self
        if len(_statements_of(statements[0])) > 1:
            raise NotSupportedError(
                "executemany() of a string of several statements: call execute() for each"
            )
        head = MySQLStatement(statements[0])
        prefix = self._prefix(head.keyword)
        if prefix:
            head.sql = prefix + head.sql
            statements = [prefix + statement for statement in statements]
        if head.returns_rows:
            raise NotSupportedError(
                "executemany() of a statement that returns rows: use execute() per row, or one "
                "multi-row statement"
            )
        self.query = statements[-1]
        tracing.note_query(self, sql, None, batch_size=len(statements))
        self.rowcount = self.connection._run_batch(head, statements)
        return self

    def callproc(self, procname: str, parameters: Sequence[Any] | None = None) -> Any:
        """``CALL procname(args)``; returns the parameters, as MySQLdb does. MySQLdb passes
        them through session variables (@_procname_n) so that OUT parameters can be read back;
        over HTTP there is no session to read them from, so they go as literals."""
        name = ".".join("`" + part.replace("`", "``") + "`" for part in procname.split("."))
        args = ", ".join(quote(value) for value in parameters or ())
        self.execute(f"CALL {name}({args})")
        return parameters


# CREATE PROCEDURE / FUNCTION / TRIGGER / EVENT and MariaDB's anonymous BEGIN NOT ATOMIC blocks
# hold semicolons of their own: the server reads the whole text as one statement.
_COMPOUND = re.compile(
    r"\s*(?:CREATE\s+(?:OR\s+REPLACE\s+)?(?:DEFINER\s*=\s*\S+\s+)?"
    r"(?:AGGREGATE\s+)?(?:PROCEDURE|FUNCTION|TRIGGER|EVENT)\b|BEGIN\s+NOT\s+ATOMIC\b)",
    re.I,
)


def _statements_of(text: str) -> list[str]:
    """The statements of a string, as MySQL's multi-statement protocol runs them."""
    if _COMPOUND.match(text):
        return [text.rstrip().rstrip(";")]
    return split_statements(text, protected_spans)


@functools.lru_cache(maxsize=128)
def _columns_cached(
    columns: tuple[str, ...], types: tuple[str, ...], times_as_time: bool
) -> tuple[ResultDescription, Conversions]:
    """The description and the conversions of a result: a pure function of its column names
    and types, which an ORM's queries repeat (as the PostgreSQL cursor keeps them)."""
    converters = converters_for(types, times_as_time=times_as_time)
    return _description(columns, types), column_conversions(converters)


def _type_of(value: Any) -> str:
    """The executor's type name for a record value, where no description says it."""
    if isinstance(value, int):  # bool too
        return "bigint"
    if isinstance(value, float):
        return "double"
    return "string"


def _reports_insert_id(statement: MySQLStatement) -> bool:
    return statement.keyword in ("INSERT", "REPLACE") and not statement.returns_rows


def _insert_reporting_id(sql: str) -> plans.Node:
    """The insert (whose ``lastInsertId`` the executor keeps), then ``ROW_COUNT()`` on the same
    server connection: [{"id": …}, {"columns": …, "rows": [[count]]}]."""
    inserted = {
        "type": "initializeRecord",
        "args": {
            "expr": plans.node_for(sql, True),
            "fields": {"id": {"type": "lastInsertId"}},
        },
    }
    counted = plans.node_for("SELECT ROW_COUNT()", True)
    return {
        "type": "let",
        "args": {
            "bindings": [
                {"name": "inserted", "expr": inserted},
                {"name": "counted", "expr": counted},
            ],
            "expr": {
                "type": "concat",
                "args": [
                    {"type": "get", "args": {"name": "inserted"}},
                    {"type": "get", "args": {"name": "counted"}},
                ],
            },
        },
    }


class MySQLConnection(Connection):
    cursor_class = MySQLCursor
    server_name = "MySQL"
    repr_name = "django_prisma MySQL Connection"
    dialect = MYSQL
    # MySQLdb has no psycopg ConnectionInfo: tools that look for one (sentry-sdk reads
    # connection.info.dbname) fall back to the connection's settings, as on MySQLdb, instead of
    # sending PostgreSQL's catalog query to MySQL.
    info_class = None

    def __init__(
        self,
        url: str,
        *,
        times_as_time: bool = False,
        atomic_autocommit_writes: bool = False,
        **options: Any,
    ) -> None:
        # Replaying an error (PL/pgSQL) and the session time zone are PostgreSQL's.
        for name in ("replay_errors", "session_time_zone", "session_parameters"):
            if options.get(name):
                raise InterfaceError(f"{name} is not available for MySQL")
            options.pop(name, None)
        # Autocommit writes go bare: the `transaction` wrapper (~0.6 ms a write) defuses pooled
        # server connections left inside a stale transaction, which the executor's MySQL pool
        # cannot keep: it rolls back any open transaction of a connection coming back to it
        # (tests/mysql/test_autocommit_writes.py). Plans of several statements stay wrapped.
        super().__init__(url, atomic_autocommit_writes=atomic_autocommit_writes, **options)
        #: TIME values as ``datetime.time`` (what Django asks MySQLdb for) rather than
        #: MySQLdb's default ``timedelta``.
        self.times_as_time = bool(times_as_time)
        # MariaDB: the session variables SET on this connection, given to each statement
        # (session.py). MySQL: foreign key checks switched off for the open (or next)
        # transaction, "pending" until it has begun on the server, then "applied".
        self.session_variables: dict[str, str] = {}
        self._foreign_key_checks: str | None = None

    def quote(self, value: Any) -> str:
        """MySQL's literal for ``value`` (what ``cursor.execute`` substitutes)."""
        return quote(value)

    def failure_aborts_transaction(self, error: DatabaseError) -> bool:
        # A statement MySQL refused leaves the transaction usable (statement-level rollback);
        # a deadlock rolls all of it back; an unknown outcome leaves it in an unknown state. A
        # result the executor could not serialise is no failure of the transaction at all.
        if error.kind is ErrorKind.RESULT_NOT_SERIALIZABLE:
            return False
        errno = errno_of(error)
        return errno is None or errno == DEADLOCK

    # -- session settings ------------------------------------------------------------------
    def apply_setting(self, setting: session.Variables | session.IsolationLevel) -> None:
        """A ``SET`` as the session would take it: the isolation level of the transactions
        this connection starts, or variables for every later statement (checked by the server
        now, as a native SET would be)."""
        self._check_open()
        if isinstance(setting, session.IsolationLevel):
            self.isolation_level = setting.level
            return
        if not self.is_mariadb:
            self._apply_on_mysql(setting)
            return
        variables = dict(self.session_variables)
        for name, value in setting.assignments:
            if value.upper() == "DEFAULT":
                variables.pop(name, None)
            else:
                variables[name] = value
        trial = session.statement_prefix(variables) + "SELECT 1"
        self._run_plan(plans.node_for(trial, True), [MySQLStatement(trial)], operation="queryRaw")
        self.session_variables = variables

    def _apply_on_mysql(self, setting: session.Variables) -> None:
        """MySQL has no SET STATEMENT: only foreign_key_checks, inside a transaction."""
        for name, value in setting.assignments:
            if name != "foreign_key_checks":
                raise NotSupportedError(
                    f"SET {name} would stay on a pooled MySQL server connection that other "
                    "requests share (MariaDB scopes it to each statement; MySQL cannot)"
                )
            if value.strip("'\"").upper() in ("1", "ON", "TRUE", "DEFAULT"):
                self.enable_foreign_key_checks()
            elif not self.disable_foreign_key_checks():
                raise NotSupportedError(
                    "SET foreign_key_checks outside a transaction would stay on a pooled MySQL "
                    "server connection that other requests share: set it inside a transaction "
                    "(atomic()), which resets it when it ends"
                )

    def disable_foreign_key_checks(self) -> bool:
        """Foreign key checks off until ``enable_foreign_key_checks()``, as MySQL's session
        variable would be, without leaving anything on the pooled server connection: on MariaDB
        a session variable of the connection (session.py); MySQL has no per-statement form, so
        there only inside a transaction (set in it, reset before it ends; False outside one)."""
        self._check_open()
        if self.is_mariadb:
            self.session_variables["foreign_key_checks"] = "0"
            return True
        if self._foreign_key_checks is not None:
            return True
        if self.autocommit and not self.in_transaction:
            return False
        if self._transaction.open:
            self._send_in_transaction(_FOREIGN_KEY_CHECKS_OFF)
            self._foreign_key_checks = "applied"
        else:
            self._foreign_key_checks = "pending"
        return True

    def enable_foreign_key_checks(self) -> None:
        self.session_variables.pop("foreign_key_checks", None)
        state, self._foreign_key_checks = self._foreign_key_checks, None
        if state == "applied" and self._transaction.open:
            self._send_in_transaction(_FOREIGN_KEY_CHECKS_ON)

    def statement_prefix(self, keyword: str) -> str:
        """What goes before a statement to give it this connection's session settings."""
        if not self.session_variables or keyword in _BOOKKEEPING:
            return ""
        return session.statement_prefix(self.session_variables)

    @property
    def is_mariadb(self) -> bool:
        """Whether the server is MariaDB (asked once per process and server)."""
        key = (self.endpoint.origin, self.endpoint.api_key)
        known = _MARIADB.get(key)
        if known is None:
            known = _MARIADB[key] = "mariadb" in str(self.server_facts()[0]).lower()
        return known

    def _send_in_transaction(self, sql: str) -> None:
        self._in_transaction(plans.single(sql, returns_rows=False, atomic=False), None)

    def _take_zone_prelude(self) -> list[str]:
        prelude = super()._take_zone_prelude()
        if self._foreign_key_checks == "pending":
            self._foreign_key_checks = "applied"
            prelude = [*prelude, _FOREIGN_KEY_CHECKS_OFF]
        return prelude

    def begin(self) -> None:
        super().begin()
        if self._foreign_key_checks == "pending":
            self._zone_pending = True  # the prelude carries it with the first statement

    def _before_commit(self) -> None:
        self._restore_foreign_key_checks()

    def rollback(self) -> None:
        if self._transaction.open:
            try:
                self._restore_foreign_key_checks()
            except DatabaseError:
                pass  # the transaction is gone or failed: the rollback below says so
        self._foreign_key_checks = None
        super().rollback()

    def _end(self, action: str, quiet: bool = False) -> None:
        # Every end of a transaction passes here (a rollback, close(), the rollback of a failed
        # transaction at commit()): foreign key checks are back on before the server connection
        # goes back to the pool, whatever state the transaction is in.
        if action == "rollback":
            try:
                self._restore_foreign_key_checks()
            except DatabaseError:
                pass  # the transaction is gone: the rollback below says so
        self._foreign_key_checks = None
        super()._end(action, quiet)

    def _restore_foreign_key_checks(self) -> None:
        """MySQL: the transaction's SET foreign_key_checks = 0 undone before it ends."""
        state, self._foreign_key_checks = self._foreign_key_checks, None
        if state == "applied" and self._transaction.open:
            self._send_in_transaction(_FOREIGN_KEY_CHECKS_ON)

    def server_facts(self) -> tuple[Any, ...]:
        """(VERSION(), @@version_comment) in one request (in the open transaction if any)."""
        row, _ = self._read_facts("SELECT VERSION(), @@version_comment")
        return row

    def get_server_info(self) -> str:
        """MySQLdb's: the server's version string ("10.11.19-MariaDB-0+deb12u1")."""
        return str(self.server_facts()[0])
