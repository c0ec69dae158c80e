"""The PEP 249 cursor: interpolate, send, decode."""

from __future__ import annotations

import functools

from . import tracing
from .decoding import column_conversions, converters_for, decode_rows
from .exceptions import InterfaceError, NotSupportedError, ProgrammingError
from .literals import interpolate
from .statements import Statement
from .status import command_status


class Cursor:
    arraysize = 1

    def __init__(self, connection):
        self.connection = connection
        self.description = None
        self.rowcount = -1
        self.rownumber = None
        self.query: str | None = None
        self.response_headers = None
        self._rows: list = []
        self._pos = 0
        self.closed = False

    def __repr__(self) -> str:
        return f"<django_prisma Cursor {'closed' if self.closed else 'open'}>"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __iter__(self):
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

    def _reset(self) -> None:
        self.description = None
        self.rowcount = -1
        self._rows = []
        self._pos = 0
        self.rownumber = None

    @property
    def statusmessage(self) -> str | None:
        """psycopg's: the command tag of the last statement ("INSERT 0 1"), rebuilt (status.py)."""
        return command_status(self.query, self.rowcount)

    def mogrify(self, sql: str, params=None) -> str:
        return interpolate(sql, params, self.connection.as_literal)

    def execute(self, sql: str, params=None):
        self._check()
        self._reset()
        tracing.note_query(self, sql, params)
        sql = interpolate(sql, params, self.connection.as_literal)
        self.query = sql
        statement = Statement(sql)
        result, headers = self.connection._run(statement)
        self.response_headers = headers
        if statement.returns_rows:
            self._set_result(result)
        else:
            self.rowcount = int(result) if result is not None else -1
        return self

    def _set_result(self, result) -> None:
        if not isinstance(result, dict) or "columns" not in result:
            raise InterfaceError(f"unexpected result shape from the Prisma server: {result!r:.200}")
        types, rows = result["types"], result["rows"]
        options = self.connection._decode_options
        key = _cache_key(result["columns"], types, options)
        if key is None:
            self._rows = decode_rows(rows, _conversions(types, options))
            self.description = _description(result["columns"], types)
        else:
            description, conversions = _columns_cached(key)
            self._rows = decode_rows(rows, conversions)
            self.description = description
        self.rowcount = len(self._rows)
        self.rownumber = 0

    def executemany(self, sql: str, seq_of_params):
        self._check()
        self._reset()
        as_literal = self.connection.as_literal
        statements = [interpolate(sql, params, as_literal) for params in seq_of_params]
        if not statements:
            self.rowcount = 0
            return self
        head = Statement(statements[0])
        if head.returns_rows:
            raise NotSupportedError(
                "executemany() of a statement that returns rows: use execute() per row, or one "
                "multi-row statement"
            )
        self.query = statements[-1]
        tracing.note_query(self, sql, None, batch_size=len(statements))
        self.rowcount = self.connection._run_batch(head, statements)
        return self

    def fetchone(self):
        self._check_result()
        if self._pos >= len(self._rows):
            return None
        row = self._rows[self._pos]
        self._pos += 1
        self.rownumber = self._pos
        return row

    def fetchmany(self, size: int | None = None):
        self._check_result()
        size = self.arraysize if size is None else size
        rows = self._rows[self._pos : self._pos + size]
        self._pos += len(rows)
        self.rownumber = self._pos
        return rows

    def fetchall(self):
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

    def callproc(self, procname: str, parameters=None):
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
        returns_void = self.fetchone()[0]
        columns = "NULL AS void" if returns_void else "*"
        self.execute(f"SELECT {columns} FROM {name}({args})")
        return parameters

    def setinputsizes(self, sizes) -> None:
        pass

    def setoutputsize(self, size, column=None) -> None:
        pass

    def scroll(self, value: int, mode: str = "relative") -> None:
        self._check_result()
        target = self._pos + value if mode == "relative" else value
        if not 0 <= target <= len(self._rows):
            raise IndexError("scroll position out of range")
        self._pos = target


def _cache_key(columns, types, options: dict) -> tuple | None:
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
def _columns_cached(key: tuple):
    """The description and the conversions: a pure function of the result's column names and
    types (and the decoding options), which an ORM's queries repeat."""
    columns, types, json_as_text, naive_datetimes = key
    options = {"json_as_text": json_as_text, "naive_datetimes": naive_datetimes}
    return _description(columns, types), _conversions(types, options)


def _conversions(types, options: dict) -> tuple:
    return column_conversions(converters_for(types, **options))


def _description(columns, types) -> tuple:
    return tuple(
        (name, type_name, None, None, None, None, None)
        for name, type_name in zip(columns, types, strict=False)
    )
