"""The result columns of hand-written SQL, read as psycopg reads them.

Prisma's executor returns some PostgreSQL types inexactly (float8 NaN as null, jsonb parsed by
JavaScript, timestamp as an aware UTC value, timetz without its offset, money without its sign)
and others not at all (interval, ranges, reg*, oid, macaddr, multi-dimensional arrays …), and its
``types`` vocabulary does not tell them apart. So a row-returning statement whose SQL did not come
from a caller that casts such columns itself (``Cursor.results_exact``, Django's SQL compiler) is
described once: one request creates a temporary view of it, reads the view's column types from
the catalog and drops the view, in one transaction (inside a savepoint when a transaction is
open), so nothing stays on the pooled server connection and the statement itself does not run.
The statement is then sent as ``SELECT _dp.a, textin(interval_out(_dp.b)) AS b … FROM (<sql>) AS
_dp``: only the columns the executor cannot return exactly are read as text — their type's output
function, which is what PostgreSQL sends psycopg (a cast to text can differ: ``inet::text`` adds
the netmask) — and those are loaded with psycopg's own text loader for their type (the connection's adapters, where Django's and contrib.postgres's
registrations land): the values are those a psycopg connection returns.

Descriptions are kept per process, keyed by the endpoint, the SQL *before* its parameters are
interpolated and the types of the parameters (a literal's type follows its Python type), so a
statement run many times is described once. A schema change through the driver (ALTER, DROP,
CREATE OR REPLACE) forgets them all; a result whose shape no longer matches its description is
decoded as the executor typed it and forgets that description.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import TYPE_CHECKING, Any, cast

from psycopg import Error as PsycopgError
from psycopg.adapt import Transformer
from psycopg.pq import Format

from . import plans
from .column import Column
from .exceptions import DatabaseError, DataError
from .statements import Statement, without_literals

if TYPE_CHECKING:
    from psycopg.abc import Loader
    from psycopg.abc import Transformer as AdaptTransformer

    from .connection import Connection

# Types the executor returns exactly, as the Python value psycopg gives (its name for them):
# every other column is read as text and loaded by psycopg.
EXACT = {
    16: "bool",
    17: "bytes",
    19: "string",  # name
    20: "bigint",
    21: "int",
    23: "int",
    25: "string",  # text
    1042: "string",  # bpchar (padding kept, as PostgreSQL sends it)
    1043: "string",  # varchar
    1082: "date",
    1083: "time",
    1184: "datetime",  # timestamptz: exact in the UTC session the driver keeps
    1700: "decimal",  # numeric, NaN and ±Infinity included
    2950: "uuid",
}

_SAVEPOINT = "django_prisma_describe"
# The view's columns and their types (a domain as its base type, as PostgreSQL's wire protocol
# reports it to psycopg).
_CATALOG = """WITH RECURSIVE c(attnum, attname, oid) AS (
    SELECT a.attnum, a.attname, a.atttypid FROM pg_catalog.pg_attribute a
    WHERE a.attrelid = 'pg_temp.{view}'::regclass AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
    SELECT c.attnum, c.attname, t.typbasetype FROM c JOIN pg_catalog.pg_type t ON t.oid = c.oid
    WHERE t.typtype = 'd'
)
SELECT c.attname::text, c.oid::int8, t.typoutput::text
FROM c JOIN pg_catalog.pg_type t ON t.oid = c.oid
WHERE t.typtype <> 'd' ORDER BY c.attnum"""

# Errors of CREATE VIEW that the statement itself would not raise: a view cannot hold it (two
# columns of one name, a record or void column, a data-modifying WITH …), or no TEMP privilege.
_VIEW_ONLY_ERRORS = frozenset({"42701", "42P16", "42P17", "42501", "42809", "0A000", "25006"})
# … of which these depend on where it runs (a read-only transaction), not on the statement.
_CIRCUMSTANTIAL_ERRORS = frozenset({"42501", "25006"})

_DESCRIBABLE = frozenset({"SELECT", "WITH", "VALUES", "TABLE"})
_SCHEMA_CHANGES = frozenset({"ALTER", "DROP"})


class Description:
    """A statement's result columns: names, PostgreSQL type OIDs, which are read as text."""

    __slots__ = (
        "names",
        "oids",
        "outputs",
        "cast",
        "expected_types",
        "prefix",
        "suffix",
        "description",
    )

    def __init__(
        self, names: list[str], oids: list[int], outputs: list[str], *, positional: bool = False
    ) -> None:
        self.names = tuple(names)
        self.oids = tuple(oids)
        self.outputs = tuple(outputs)
        self.cast = tuple(index for index, oid in enumerate(oids) if oid not in EXACT)
        self.expected_types = tuple(EXACT.get(oid, "string") for oid in oids)
        self.description = tuple(Column(name, oid) for name, oid in zip(names, oids, strict=True))
        if self.cast:
            # Columns of one name (positional) are told apart by an alias list.
            refs = [f"_dp.c{i}" if positional else f"_dp.{_ident(n)}" for i, n in enumerate(names)]
            columns = ", ".join(
                f"pg_catalog.textin({outputs[index]}({ref})) AS {_ident(name)}"
                if index in self.cast
                else (f"{ref} AS {_ident(name)}" if positional else ref)
                for index, (name, ref) in enumerate(zip(names, refs, strict=True))
            )
            aliases = f"({', '.join(f'c{i}' for i in range(len(names)))})" if positional else ""
            # New lines: the statement may end with a -- comment.
            self.prefix, self.suffix = f"SELECT {columns} FROM (\n", f"\n) AS _dp{aliases}"
        else:
            self.prefix = self.suffix = ""

    def sql(self, sql: str) -> str:
        """The statement as sent: its inexact columns selected as text."""
        return f"{self.prefix}{sql}{self.suffix}" if self.cast else sql

    def matches(self, columns: list[str], types: list[str]) -> bool:
        return len(columns) == len(self.names) and tuple(types) == self.expected_types

    def loaders(self, connection: Connection) -> tuple[tuple[int, Callable[[str], Any]], ...]:
        """(column index, function of the text) for the columns read as text."""
        transformer = _transformer(connection)
        return tuple(
            (index, _text_loader(transformer.get_loader(self.oids[index], Format.TEXT)))
            for index in self.cast
        )


def _text_loader(loader: Loader) -> Callable[[str], Any]:
    load = loader.load

    def convert(value: str) -> Any:
        try:
            return load(value.encode("utf-8"))
        except PsycopgError as error:  # psycopg's own refusal: a value out of Python's range
            raise DataError(
                f"{value[:100]!r} is out of Python's range: {error}", pgcode="22008"
            ) from None

    return convert


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _transformer(connection: Connection) -> AdaptTransformer:
    """psycopg's loaders over the connection's adapters (rebuilt after a registration)."""
    adapters = connection.adapters
    cached = getattr(connection, "_describe_loaders", None)
    if cached is None or cached[0] is not adapters or cached[1] != adapters.generation:
        cached = (adapters, adapters.generation, Transformer(adapters))
        connection._describe_loaders = cached
    return cached[2]


class _Cache:
    """Descriptions (None: the statement cannot be described, it runs as written), least
    recently used dropped first."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self.entries: OrderedDict[Hashable, Description | None] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> Description | None | object:
        with self.lock:
            try:
                self.entries.move_to_end(key)
            except KeyError:
                return _MISSING
            return self.entries[key]

    def put(self, key: Hashable, value: Description | None) -> None:
        with self.lock:
            self.entries[key] = value
            if len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def forget(self, key: Hashable) -> None:
        with self.lock:
            self.entries.pop(key, None)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


_MISSING = object()
_cache = _Cache()


_DATA_MODIFYING = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.I)


def describable(statement: Statement) -> bool:
    """A query a view can hold (no SELECT … INTO, no data-modifying statement, in a WITH's
    parts or after them)."""
    if statement.keyword not in _DESCRIBABLE or " INTO " in statement.sql.upper():
        return False
    return statement.keyword != "WITH" or not _DATA_MODIFYING.search(
        without_literals(statement.sql)
    )


def changes_schema(statement: Statement) -> bool:
    keyword = statement.keyword
    if keyword in _SCHEMA_CHANGES:
        return True
    return keyword == "CREATE" and statement.sql.lstrip()[6:].lstrip()[:10].upper() == "OR REPLACE"


def schema_changed() -> None:
    _cache.clear()


def key_for(connection: Connection, template: str, params: Any, part: int = 0) -> Hashable:
    """What a description is kept under: the SQL before interpolation and the parameters'
    types (lists by their first element's), on this endpoint."""
    signature: tuple[Any, ...] | None
    if params is None:
        signature = None
    elif isinstance(params, Mapping):
        signature = tuple(sorted((name, _type_of(value)) for name, value in params.items()))
    else:
        signature = tuple(_type_of(value) for value in params)
    return (connection.endpoint, template, signature, part)


def _type_of(value: Any) -> object:
    kind = type(value)
    if kind is list or kind is tuple:
        return (kind, *{type(item) for item in value if item is not None})
    return kind


def description_for(
    connection: Connection, key: Hashable, statement: Statement, *, raise_own_errors: bool = True
) -> Description | None:
    """The statement's Description, from the cache or described now; None when it runs as
    written. A statement that fails to parse raises its own error here, before it runs."""
    cached = _cache.get(key)
    if cached is not _MISSING:
        return cast("Description | None", cached)
    if connection.transaction_failed:
        return None  # it will fail with 25P02 whatever it is
    try:
        try:
            description = _describe(connection, statement.sql)
        except DatabaseError as error:
            if error.pgcode != "42701" or error.http_status != 400:
                raise
            if connection.in_transaction:
                _recover(connection)
            description = _describe_positionally(connection, statement.sql)
    except DatabaseError as error:
        code = error.pgcode or ""
        if error.http_status != 400 or not code:
            raise  # not PostgreSQL's answer to the view (a transaction expired, a lost answer…)
        if code in _VIEW_ONLY_ERRORS:
            if code not in _CIRCUMSTANTIAL_ERRORS:
                _cache.put(key, None)
        elif raise_own_errors and code.startswith("42") and not _replayed_when_run(connection):
            raise  # the statement's own error (syntax, a missing table …): it would fail so
        if connection.in_transaction and connection.transaction_failed:
            _recover(connection)
        return None
    _cache.put(key, description)
    return description


def _replayed_when_run(connection: Connection) -> bool:
    """Whether running the statement (which fails the same way, changing nothing) would give
    PostgreSQL's whole report: the connection replays autocommit errors (``replay_errors``)."""
    return connection.replay_errors and connection.autocommit and not connection.in_transaction


def forget(key: Hashable) -> None:
    _cache.forget(key)


def _describe(connection: Connection, sql: str) -> Description:
    view = f"django_prisma_{uuid.uuid4().hex}"
    first = [f"CREATE TEMP VIEW {view} AS\n{sql}\n", _CATALOG.format(view=view)]
    rows = _in_savepoint(connection, first, [f"DROP VIEW pg_temp.{view}"])["rows"]
    return Description(
        [row[0] for row in rows], [int(row[1]) for row in rows], [row[2] for row in rows]
    )


def _in_savepoint(connection: Connection, first: list[str], then: list[str]) -> Any:
    """The rows of the last of ``first``, ``then`` run after it: in one request, in its own
    transaction — or in a savepoint of the open one, which PostgreSQL's refusal of the view
    must not abort."""
    if connection.in_transaction or not connection.autocommit:
        first = [f"SAVEPOINT {_SAVEPOINT}", *first]
        then = [*then, f"RELEASE SAVEPOINT {_SAVEPOINT}"]
    node = plans.first_of(first, then, "columns")
    return connection._run_plan(node, [Statement(first[0])], operation="queryRaw", idempotent=True)


# The subquery of a view, in its stored rule: the names of its columns, as nodeToString
# writes them (each quoted, special characters after a backslash).
_SUBQUERY_NAMES = re.compile(r":aliasname django_prisma_described :colnames \((.*?)\)\}", re.S)
_NAME = re.compile(r'"((?:\\.|[^\\ ])*)"(?: |$)')
_ESCAPE = re.compile(r"\\(.)")


def _describe_positionally(connection: Connection, sql: str) -> Description:
    """A statement whose columns share names (``SELECT a.id, b.id``), which no view can hold:
    the names come from the stored rule of a view that selects none of them, the types from a
    view that renames them all. Two more requests, once."""
    view = f"django_prisma_{uuid.uuid4().hex}"
    first = [
        f"CREATE TEMP VIEW {view} AS SELECT 1 AS x FROM (\n{sql}\n) AS django_prisma_described",
        "SELECT ev_action::text FROM pg_catalog.pg_rewrite "
        f"WHERE ev_class = 'pg_temp.{view}'::regclass",
    ]
    rule = _in_savepoint(connection, first, [f"DROP VIEW pg_temp.{view}"])["rows"][0][0]
    match = _SUBQUERY_NAMES.search(rule)
    if match is None:
        raise _NotDescribed()
    names = [_ESCAPE.sub(r"\1", name) for name in _NAME.findall(match.group(1))]
    aliases = ", ".join(f"c{index}" for index in range(len(names)))
    renamed = _describe(
        connection, f"SELECT * FROM (\n{sql}\n) AS django_prisma_described({aliases})"
    )
    if len(renamed.names) != len(names):
        raise _NotDescribed()
    return Description(names, list(renamed.oids), list(renamed.outputs), positional=True)


class _NotDescribed(DatabaseError):
    """What the server answered is not what was expected: run the statement as written."""

    def __init__(self) -> None:
        super().__init__("no description", pgcode="0A000", http_status=400)


def _recover(connection: Connection) -> None:
    """Back to before the description, the transaction usable again."""
    rollback = f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}"
    node = {
        "type": "seq",
        "args": [
            plans.node_for(rollback, False),
            plans.node_for(f"RELEASE SAVEPOINT {_SAVEPOINT}", False),
        ],
    }
    connection._run_plan(node, [Statement(rollback)], operation="executeRaw")
