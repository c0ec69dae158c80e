"""The PEP 249 connection and cursor for MySQL and MariaDB behind a Prisma server.

Everything that is not dialect is the PostgreSQL driver's (transport, transaction state, lazy
interactive transactions, held savepoints, error model): these classes replace the literals,
the statement rules, result decoding, MySQL's error numbers, and add what MySQLdb's cursor has
(``lastrowid``). What differs in MySQL's transactions: a failed statement does not abort the
transaction (a deadlock does: InnoDB rolls the whole transaction back).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from .. import plans, tracing
from ..connection import Connection
from ..cursor import Cursor, ResultSet, _description
from ..decoding import column_conversions, decode_rows
from ..exceptions import DatabaseError, InterfaceError, NotSupportedError
from ..statements import split_statements
from .decoding import converters_for
from .errors import DEADLOCK, errno_of, mysql_database_error
from .literals import interpolate, protected_spans, quote
from .statements import MySQLStatement

_FOREIGN_KEY_CHECKS_OFF = "SET foreign_key_checks = 0"
_FOREIGN_KEY_CHECKS_ON = "SET foreign_key_checks = 1"


class MySQLCursor(Cursor):
    """MySQLdb's cursor surface: ``%s`` placeholders with MySQL literals, ``lastrowid``."""

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self.lastrowid: int | None = None

    def _reset(self) -> None:
        super()._reset()
        self.lastrowid = None

    @property
    def statusmessage(self) -> str | None:
        return None  # PostgreSQL's command tag; MySQL has none

    def mogrify(self, sql: str, params: Any = None) -> str:
        return interpolate(sql, params)

    def execute(self, sql: str, params: Any = None) -> MySQLCursor:
        self._check()
        self._reset()
        text = interpolate(sql, params)
        self.query = text
        parts = split_statements(text, protected_spans)
        tracing.note_query(self, sql, params)
        if len(parts) > 1:
            return self._execute_many_statements(parts)
        statement = MySQLStatement(parts[0])
        checks = _foreign_key_checks_setting(statement.sql)
        if checks is not None:
            return self._set_foreign_key_checks(checks)
        if _reports_insert_id(statement):
            return self._execute_insert(statement)
        result, headers = self.connection._run(statement)
        self.response_headers = headers
        if statement.returns_rows:
            self._show(*self._decoded_result(result))
        else:
            self.rowcount = int(result) if result is not None else -1
        return self

    def _set_foreign_key_checks(self, enabled: bool) -> MySQLCursor:
        """``SET foreign_key_checks = 0/1`` (Django's MySQL flush sends it): inside a transaction
        the connection applies it and resets it before the transaction ends."""
        connection = self.connection
        if not isinstance(connection, MySQLConnection):
            raise InterfaceError("foreign_key_checks needs a MySQL connection")
        if enabled:
            connection.enable_foreign_key_checks()
        elif not connection.disable_foreign_key_checks():
            raise NotSupportedError(
                "SET foreign_key_checks outside a transaction would stay on a pooled server "
                "connection that other requests share: set it inside a transaction (atomic()), "
                "which resets it when it ends"
            )
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
        statements = [MySQLStatement(part) for part in parts]
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
        connection = self.connection
        times_as_time = isinstance(connection, MySQLConnection) and connection.times_as_time
        conversions = column_conversions(converters_for(types, times_as_time=times_as_time))
        rows = decode_rows(result["rows"], conversions)
        return _description(columns, types), rows, len(rows)

    def executemany(self, sql: str, seq_of_params: Iterable[Any]) -> MySQLCursor:
        self._check()
        self._reset()
        statements = [interpolate(sql, params) for params in seq_of_params]
        if not statements:
            self.rowcount = 0
            return self
        if len(split_statements(statements[0], protected_spans)) > 1:
            raise NotSupportedError(
                "executemany() of a string of several statements: call execute() for each"
            )
        head = MySQLStatement(statements[0])
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
        raise NotSupportedError(
            "callproc() over HTTP: a stored procedure's OUT parameters live in session "
            "variables of a pooled server connection; call it with execute('CALL …')"
        )


_FOREIGN_KEY_CHECKS = re.compile(
    r"\s*SET\s+(?:SESSION\s+|@@(?:SESSION\.)?)?FOREIGN_KEY_CHECKS\s*(?:=|:=|TO)\s*"
    r"(0|1|ON|OFF|TRUE|FALSE)\s*;?\s*",
    re.I,
)


def _foreign_key_checks_setting(sql: str) -> bool | None:
    """True/False for ``SET foreign_key_checks = 1/0``, None for any other statement."""
    if sql.lstrip()[:3].upper() != "SET":
        return None
    match = _FOREIGN_KEY_CHECKS.fullmatch(sql)
    if match is None:
        return None
    return match.group(1).upper() in ("1", "ON", "TRUE")


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
    database_errors = staticmethod(mysql_database_error)

    def __init__(self, url: str, *, times_as_time: bool = False, **options: Any) -> None:
        # Replaying an error (PL/pgSQL) and the session time zone are PostgreSQL's.
        for name in ("replay_errors", "session_time_zone", "session_parameters"):
            if options.get(name):
                raise InterfaceError(f"{name} is not available for MySQL")
            options.pop(name, None)
        super().__init__(url, **options)
        #: TIME values as ``datetime.time`` (what Django asks MySQLdb for) rather than
        #: MySQLdb's default ``timedelta``.
        self.times_as_time = bool(times_as_time)
        # Foreign key checks switched off for the open (or next) transaction: "pending" until
        # the transaction has begun on the server, then "applied".
        self._foreign_key_checks: str | None = None

    def __repr__(self) -> str:
        return (
            super().__repr__().replace("django_prisma Connection", "django_prisma MySQL Connection")
        )

    def quote(self, value: Any) -> str:
        """MySQL's literal for ``value`` (what ``cursor.execute`` substitutes)."""
        return quote(value)

    def failure_aborts_transaction(self, error: DatabaseError) -> bool:
        # A statement MySQL refused leaves the transaction usable (statement-level rollback);
        # a deadlock rolls all of it back; an unknown outcome leaves it in an unknown state.
        errno = errno_of(error)
        return errno is None or errno == DEADLOCK

    # -- foreign key checks (Django's disable_constraint_checking) ---------------------------
    def disable_foreign_key_checks(self) -> bool:
        """Switch foreign key checks off until ``enable_foreign_key_checks()`` or the end of the
        transaction, whichever comes first; only inside a transaction (False otherwise): the
        setting belongs to the server connection, which goes back to a shared pool after it."""
        self._check_open()
        if self.autocommit and not self.in_transaction:
            return False
        if self._foreign_key_checks is None:
            if self._transaction.open:
                self._send_in_transaction(_FOREIGN_KEY_CHECKS_OFF)
                self._foreign_key_checks = "applied"
            else:
                self._foreign_key_checks = "pending"
        return True

    def enable_foreign_key_checks(self) -> None:
        state, self._foreign_key_checks = self._foreign_key_checks, None
        if state == "applied" and self._transaction.open:
            self._send_in_transaction(_FOREIGN_KEY_CHECKS_ON)

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

    def _restore_foreign_key_checks(self) -> None:
        if self._foreign_key_checks == "applied" and self._transaction.open:
            self._foreign_key_checks = None
            self._send_in_transaction(_FOREIGN_KEY_CHECKS_ON)
        self._foreign_key_checks = None

    def server_facts(self) -> tuple[Any, ...]:
        """(VERSION(), @@version_comment) in one request (in the open transaction if any)."""
        row, _ = self._read_facts("SELECT VERSION(), @@version_comment")
        return row

    def get_server_info(self) -> str:
        """MySQLdb's: the server's version string ("10.11.19-MariaDB-0+deb12u1")."""
        return str(self.server_facts()[0])

    # MySQLdb's connection method: autocommit(bool).
    def set_autocommit(self, value: bool) -> None:
        self.autocommit = value
