"""The PEP 249 cursor: interpolate, send, decode."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from psycopg.sql import Composable

from . import describe, plans, tracing
from .column import Column
from .decoding import Conversions, column_conversions, converters_for, decode_rows
from .exceptions import InterfaceError, NotSupportedError, ProgrammingError
from .literals import Adapters, AsLiteral, interpolate, literal_function
from .statements import Statement, split_statements
from .status import command_status

# What a query may be, as for psycopg's cursors.
Query = str | bytes | Composable

if TYPE_CHECKING:
    from .connection import Connection
    from .describe import Description

_TRANSACTION_BOOKKEEPING = frozenset({"SAVEPOINT", "RELEASE", "ROLLBACK"})

Row = tuple[Any, ...]
# PEP 249's description: (name, type_code, None × 5) per column.
ResultDescription = tuple[Column, ...]
# A result: its description, its rows, its row count.
ResultSet = tuple[ResultDescription | None, list[Row] | None, int]


def query_text(query: Query, connection: Connection | None) -> str:
    """The SQL of a query in any form psycopg's cursors take: a string, bytes (UTF-8) or a
    ``psycopg.sql`` composition, rendered with the connection's adapters (None: a dialect
    that has no such compositions)."""
    if isinstance(query, str):
        return query
    if isinstance(query, bytes | bytearray | memoryview):
        return bytes(query).decode()
    if isinstance(query, Composable) and connection is not None:
        return query.as_string(connection)
    forms = "a string, bytes or a psycopg.sql composition" if connection else "a string or bytes"
    raise TypeError(f"a query must be {forms}, not {type(query).__name__}")


def _runs(statements: list[Statement]) -> Iterator[tuple[int, list[Statement]]]:
    """The statements cut into what is sent together: each savepoint statement on its own, the
    others in runs between them; with the index of each run's first statement."""
    run: list[Statement] = []
    start = 0
    for index, statement in enumerate(statements):
        if statement.keyword in _TRANSACTION_BOOKKEEPING:
            if run:
                yield start, run
            yield index, [statement]
            run, start = [], index + 1
        else:
            run.append(statement)
    if run:
        yield start, run


class ResultSnapshot(NamedTuple):
    """A cursor's current result, whole: ``Cursor.result_snapshot()`` takes one,
    ``Cursor.restore_result()`` makes one current again (a result cache's seam)."""

    description: ResultDescription
    rows: list[Row]


class Cursor:
    arraysize = 1
    # Set by a caller whose SQL selects only types the executor returns exactly (Django's SQL
    # compiler casts the others itself): its statements are never described (describe.py).
    results_exact = False

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.description: ResultDescription | None = None
        self.rowcount = -1
        self.rownumber: int | None = None
        self.query: str | None = None
        self.response_headers: Any = None
        self._rows: list[Row] = []
        self._pos = 0
        self._sets: list[
            ResultSet
        ] = []  # the result sets after the current one (several statements)
        self.closed = False
        # psycopg's per-cursor adapters, made when first asked for (literal function cached by
        # their generation, as the connection's).
        self._adapters: Adapters | None = None
        self._literal_function: tuple[int, AsLiteral] | None = None

    @property
    def adapters(self) -> Adapters:
        """psycopg's adapters map of this cursor: a copy of the connection's when first asked
        for; dumpers registered on it render this cursor's statements only (django-pgbulk
        registers one for its SQL fragments)."""
        if self._adapters is None:
            self._adapters = Adapters(self.connection.adapters)
        return self._adapters

    def _as_literal(self) -> AsLiteral:
        adapters = self._adapters
        if adapters is None:
            return self.connection.as_literal
        cached = self._literal_function
        if cached is None or cached[0] != adapters.generation:
            cached = (adapters.generation, literal_function(adapters))
            self._literal_function = cached
        return cached[1]

    def __repr__(self) -> str:
        return f"<django_prisma Cursor {'closed' if self.closed else 'open'}>"

    def __enter__(self) -> Cursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[Row]:
        while True:
            row = self.fetchone()
            if row is None:
                return
            yield row

    def close(self) -> None:
        self.closed = True
        self._rows = []

    def _check(self) -> None:
        if self.closed:
            raise InterfaceError("the cursor is closed")
        if self.connection.closed:
            raise InterfaceError("the connection is closed")

    def result_snapshot(self) -> ResultSnapshot | None:
        """The current result (its description and every row, fetched or not), None when the
        last operation produced none. The cursor's position is untouched: fetching goes on."""
        if self.description is None:
            return None
        return ResultSnapshot(self.description, list(self._rows))

    def restore_result(self, snapshot: ResultSnapshot, query: str | None = None) -> None:
        """Make ``snapshot`` the current result, as if ``execute(query)`` had just returned it
        (positioned before its first row), without a request."""
        self._reset()
        self.query = query
        self.response_headers = None
        rows = list(snapshot.rows)
        # A store may have kept the columns as plain sequences (JSON, an older entry).
        description = tuple(Column(*column) for column in snapshot.description)
        self._show(description, rows, len(rows))

    def _reset(self) -> None:
        self.description = None
        self.rowcount = -1
        self._rows = []
        self._pos = 0
        self.rownumber = None
        self._sets = []

    @property
    def statusmessage(self) -> str | None:
        """psycopg's: the command tag of the last statement ("INSERT 0 1"), rebuilt (status.py)."""
        return command_status(self.query, self.rowcount)

    def _text(self, query: Query) -> str:
        return query_text(query, self.connection)

    def mogrify(self, sql: Query, params: Any = None) -> str:
        return interpolate(self._text(sql), params, self._as_literal())

    def execute(self, sql: Query, params: Any = None) -> Cursor:
        self._check()
        self._reset()
        sql = self._text(sql)
        text = interpolate(sql, params, self._as_literal())
        self.query = text
        parts = split_statements(text)
        if len(parts) > 1:
            tracing.note_query(self, sql, params)
            return self._execute_statements(sql, params, parts)
        statement = Statement(parts[0])
        if describe.changes_schema(statement):
            describe.schema_changed()
        key = description = None
        if statement.returns_rows and not self.results_exact and describe.describable(statement):
            connection = self.connection
            # What would be refused is refused before anything is sent.
            connection.check_statement(
                statement, in_transaction=connection.in_transaction or not connection.autocommit
            )
            key = describe.key_for(self.connection, sql, params)
            description = describe.description_for(self.connection, key, statement)
            if description is not None and description.cast:
                statement = Statement(description.sql(statement.sql))
        # Noted after the description, whose request (once per template) is not the statement's.
        tracing.note_query(self, sql, params)
        result, headers = self.connection._run(statement)
        self.response_headers = headers
        if statement.returns_rows:
            self._show(*self._decoded(result, description, key, statement))
        else:
            self.rowcount = int(result) if result is not None else -1
        return self

    def _execute_statements(self, template: str, params: Any, parts: list[str]) -> Cursor:
        """Several statements in one string, as PostgreSQL's simple-query protocol runs them:
        in order, in one transaction (the open one, or one of their own in autocommit), in one
        request; the first result is current and ``nextset()`` moves on. What cannot run so is
        refused before anything runs.

        Inside a transaction a savepoint statement may be one of them (an execute wrapper that
        prepends ``set_config(…, true)`` to every statement sends Django's SAVEPOINT so): the
        statements around it go as they come, each savepoint statement through the connection's
        savepoint bookkeeping, all in the one transaction."""
        statements = [Statement(part) for part in parts]
        connection = self.connection
        interactive = connection.in_transaction or not connection.autocommit
        for statement in statements:
            if statement.keyword in _TRANSACTION_BOOKKEEPING:
                # Savepoint statements inside a transaction only; never ROLLBACK as SQL.
                connection.check_statement(statement, in_transaction=interactive)
                continue
            if not statement.wrappable:
                raise NotSupportedError(
                    f"{statement.sql.split(None, 1)[0]} cannot run inside a transaction block, "
                    "as a string of several statements runs: send it on its own"
                )
            connection.check_statement(statement, in_transaction=True)  # they share one transaction
        if any(statement.creates_temporary_table() for statement in statements):
            if not interactive:
                # Their own transaction ends with the request; the table would not.
                Statement(next(s.sql for s in statements if s.creates_temporary_table())).check(
                    in_transaction=False
                )
            connection.note_temporary_table()
        if any(describe.changes_schema(statement) for statement in statements):
            describe.schema_changed()
        sets: list[ResultSet] = []
        for first, run in _runs(statements):
            if run[0].keyword in _TRANSACTION_BOOKKEEPING:
                value, _ = connection._run(run[0])
                sets.append((None, None, int(value) if value is not None else -1))
            else:
                sets.extend(self._run_sequence(template, params, run, first))
        self.response_headers = None
        self._show(*sets[0])
        self._sets = sets[1:]
        return self

    def _run_sequence(
        self, template: str, params: Any, statements: list[Statement], first: int
    ) -> list[ResultSet]:
        """Statements (``first`` the index of the first in their string) in one request."""
        descriptions = []
        sent = []
        for index, statement in enumerate(statements, start=first):
            description = key = None
            if (
                statement.returns_rows
                and not self.results_exact
                and describe.describable(statement)
            ):
                key = describe.key_for(self.connection, template, params, index)
                # An earlier statement may create what this one reads: never fail here.
                description = describe.description_for(
                    self.connection, key, statement, raise_own_errors=False
                )
            descriptions.append((description, key))
            sent.append(
                description.sql(statement.sql) if description is not None else statement.sql
            )
        node = plans.sequence(sent, [statement.returns_rows for statement in statements])
        values = self.connection._run_plan(node, statements, operation="queryRaw")
        sets: list[ResultSet] = []
        for statement, value, (description, key) in zip(
            statements, values, descriptions, strict=True
        ):
            if statement.returns_rows:
                sets.append(self._decoded(value, description, key, statement))
            else:
                sets.append((None, None, int(value) if value is not None else -1))
        return sets

    def nextset(self) -> bool | None:
        """Move to the next result of a string of several statements: True, or None at the end."""
        self._check()
        if not self._sets:
            return None
        self._show(*self._sets.pop(0))
        return True

    def _show(
        self, description: ResultDescription | None, rows: list[Row] | None, rowcount: int
    ) -> None:
        self.description = description
        self._rows = rows if rows is not None else []
        self._pos = 0
        self.rowcount = rowcount
        self.rownumber = 0 if description is not None else None

    def _decoded(
        self, result: Any, description: Description | None, key: object, statement: Statement
    ) -> ResultSet:
        """(description, rows, rowcount) of a result object."""
        if not isinstance(result, dict) or "columns" not in result:
            raise InterfaceError(f"unexpected result shape from the Prisma server: {result!r:.200}")
        columns, types, rows = result["columns"], result["types"], result["rows"]
        options = self.connection._decode_options
        if options["json_as_text"] and statement.keyword == "EXPLAIN":
            # The executor's "json" is json or jsonb, and json_as_text reads it as jsonb (as
            # text: Django's loader); EXPLAIN (FORMAT JSON)'s plan is json, which psycopg parses.
            options = {**options, "json_as_text": False}
        if description is not None and not description.matches(columns, types):
            # The schema changed since it was described: as the executor typed it, this once.
            describe.forget(key)
            description = None
        cache_key = _cache_key(columns, types, options)
        if cache_key is None:
            conversions = _conversions(types, options)
            names_and_types = _description(columns, types)
        else:
            names_and_types, conversions = _columns_cached(cache_key)
        if description is not None:
            names_and_types = description.description
            if description.cast:
                loaded = dict(description.loaders(self.connection))
                conversions = tuple(
                    (index, convert) for index, convert in conversions if index not in loaded
                ) + tuple(loaded.items())
        rows = decode_rows(rows, conversions)
        return names_and_types, rows, len(rows)

    def executemany(self, sql: Query, seq_of_params: Iterable[Any]) -> Cursor:
        self._check()
        self._reset()
        sql = self._text(sql)
        as_literal = self._as_literal()
        statements = [interpolate(sql, params, as_literal) for params in seq_of_params]
        if not statements:
            self.rowcount = 0
            return self
        if len(split_statements(statements[0])) > 1:
            raise NotSupportedError(
                "executemany() of a string of several statements: call execute() for each"
            )
        head = Statement(statements[0])
        if describe.changes_schema(head):
            describe.schema_changed()
        if head.returns_rows:
            raise NotSupportedError(
                "executemany() of a statement that returns rows: use execute() per row, or one "
                "multi-row statement"
            )
        self.query = statements[-1]
        tracing.note_query(self, sql, None, batch_size=len(statements))
        self.rowcount = self.connection._run_batch(head, statements)
        return self

    def fetchone(self) -> Row | None:
        self._check_result()
        if self._pos >= len(self._rows):
            return None
        row = self._rows[self._pos]
        self._pos += 1
        self.rownumber = self._pos
        return row

    def fetchmany(self, size: int | None = None) -> list[Row]:
        self._check_result()
        size = self.arraysize if size is None else size
        rows = self._rows[self._pos : self._pos + size]
        self._pos += len(rows)
        self.rownumber = self._pos
        return rows

    def fetchall(self) -> list[Row]:
        self._check_result()
        rows = self._rows[self._pos :] if self._pos else self._rows
        self._pos = len(self._rows)
        self.rownumber = self._pos
        return rows

    def _check_result(self) -> None:
        if self.closed:
            raise InterfaceError("the cursor is closed")
        if self.description is None:
            raise ProgrammingError("the last operation produced no result to fetch")

    def callproc(self, procname: str, parameters: Sequence[Any] | None = None) -> Any:
        """PEP 249 ``callproc``: ``SELECT * FROM procname(args)``; returns the parameters."""
        from .literals import quote

        parts = [part.replace('"', '""') for part in procname.split(".")]
        name = ".".join(f'"{part}"' for part in parts)
        args = ", ".join(quote(value) for value in parameters or ())
        # A function returning void has a result the executor cannot serialise: select its
        # (single, empty) row without the void column.
        self.execute(
            "SELECT bool_and(prorettype = 'pg_catalog.void'::regtype) FROM pg_catalog.pg_proc "
            "WHERE oid = to_regproc(%s)",
            [procname],
        )
        returns_void = (self.fetchone() or (None,))[0]  # an aggregate: always one row
        columns = "NULL AS void" if returns_void else "*"
        self.execute(f"SELECT {columns} FROM {name}({args})")
        return parameters

    def setinputsizes(self, sizes: Any) -> None:
        pass

    def setoutputsize(self, size: Any, column: Any = None) -> None:
        pass

    def scroll(self, value: int, mode: str = "relative") -> None:
        self._check_result()
        target = self._pos + value if mode == "relative" else value
        if not 0 <= target <= len(self._rows):
            raise IndexError("scroll position out of range")
        self._pos = target


def _cache_key(columns: Any, types: Any, options: dict[str, Any]) -> tuple[Any, ...] | None:
    """None when not cached: with a result time zone (equal tzinfo objects can still differ, in
    their names), or for a malformed answer (the uncached path then fails as it always did)."""
    if options["result_time_zone"] is not None:
        return None
    try:
        key = (tuple(columns), tuple(types), options["json_as_text"], options["naive_datetimes"])
        hash(key)
    except TypeError:
        return None
    return key


@functools.lru_cache(maxsize=128)
def _columns_cached(key: tuple[Any, ...]) -> tuple[ResultDescription, Conversions]:
    """The description and the conversions: a pure function of the result's column names and
    types (and the decoding options), which an ORM's queries repeat."""
    columns, types, json_as_text, naive_datetimes = key
    options = {"json_as_text": json_as_text, "naive_datetimes": naive_datetimes}
    return _description(columns, types), _conversions(types, options)


def _conversions(types: Iterable[str], options: dict[str, Any]) -> Conversions:
    return column_conversions(converters_for(types, **options))


def _description(columns: Iterable[str], types: Iterable[str]) -> ResultDescription:
    return tuple(Column(name, type_name) for name, type_name in zip(columns, types, strict=False))
