"""``QuerySet.iterator()``: every row of the result as it stood when iteration began is yielded
once, whatever the loop updates, deletes or inserts, with one chunk in memory at a time (in
autocommit: unless it was deleted before its chunk is read, see below).

Django's PostgreSQL backend reads chunks from a server-side cursor; over HTTP there is a database
session only inside a transaction, so ``ChunkedCursor`` picks one of three ways to read:

- **Inside a transaction** (``atomic()``, or autocommit off) every request runs on the one server
  connection the transaction pins, so the result is a real cursor: ``DECLARE … NO SCROLL CURSOR
  FOR <query>``, ``FETCH FORWARD n`` per chunk, ``CLOSE`` at the end or when the iterator is
  dropped early. PostgreSQL makes such a cursor insensitive to later changes, even by the same
  transaction: exactly the native behaviour, values included.
- **In autocommit**, when the rows have a key (``KeyedReads``, built by the compiler: the primary
  key of the model's row, or with columns of to-many joins the tuple of the primary keys of the
  model's table and of every table joined to many rows): the first statement reads the keys of
  the whole result, in its order and with its repetitions; each chunk then reads its rows by key,
  with the query's columns and joins but without its filter, and puts them back in the keys'
  order. Every row of the starting result is visited at most once, in the starting order, and
  none that joined it later. The difference from a server-side cursor, forced by the transport: a
  row's *values* are those current when its chunk is read, not when iteration began, and a row
  deleted before its chunk is read (or, keyed by a tuple, whose join no longer holds) is not
  yielded. A loop that changes only the rows it has been given — the usual batch job — sees
  exact values, since their chunk was read before. Exact values in general would need a
  snapshot held across the loop, i.e. a transaction (or an exported snapshot, whose exporting
  transaction must stay open) kept open on a pinned server connection while the loop runs: that
  blocks ``@prisma/dev`` (one transaction at a time) as soon as the loop writes, and ties up a
  pooled connection and the transaction timeout elsewhere.
- **Otherwise** (autocommit, and rows without such a key: ``distinct()``, aggregation,
  ``union()``…, window functions, ``extra()``, ``FilteredRelation`` or a subquery next to to-many
  joins, composite primary keys, or a ``chunked_cursor()`` used directly): the query runs once
  and its whole result is held client-side — the exact snapshot, without the memory bound.
"""

from __future__ import annotations

import itertools

from django.db.models import ForeignObjectRel
from django.db.models.fields.composite import CompositePrimaryKey
from django.db.models.lookups import In
from django.db.models.sql.constants import INNER
from django.db.models.sql.datastructures import Join
from django.db.models.sql.where import AND, ExtraWhere, WhereNode

from .wrapper import execute_cursor_read

_cursor_numbers = itertools.count(1)


class ChunkedCursor:
    """What ``connection.chunked_cursor()`` returns. ``cursor`` is Django's cursor wrapper: the
    statements that start a read go through it (execute wrappers, query logging, error
    wrapping); ``keyed_reads`` is how the compiler says rows may be read by primary key."""

    def __init__(self, cursor, keyed_reads: KeyedReads | None = None):
        self.cursor = cursor
        self.keyed_reads = keyed_reads
        self._source = None

    def __getattr__(self, name):
        return getattr(self.cursor, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __iter__(self):
        while rows := self.fetchmany(2000):
            yield from rows

    def execute(self, sql, params=None):
        self.close_source()
        db = self.cursor.db
        if not db.get_autocommit():
            self._source = DeclaredCursor(self.cursor, sql, params)
        elif self.keyed_reads is not None:
            self._source = KeySnapshot(self.cursor, self.keyed_reads)
        else:
            self.cursor.execute(sql, params)
        return self

    def fetchmany(self, size=None):
        if self._source is None:
            return self.cursor.fetchmany(size)
        return self._source.fetchmany(size or self.cursor.arraysize)

    def fetchone(self):
        if self._source is None:
            return self.cursor.fetchone()
        rows = self._source.fetchmany(1)
        return rows[0] if rows else None

    def fetchall(self):
        if self._source is None:
            return self.cursor.fetchall()
        rows = []
        while chunk := self._source.fetchmany(2000):
            rows.extend(chunk)
        return rows

    def close_source(self):
        source, self._source = self._source, None
        if source is not None:
            source.close()

    def close(self):
        try:
            self.close_source()
        finally:
            self.cursor.close()


class DeclaredCursor:
    """A server-side cursor of the open transaction. The FETCH and CLOSE statements are the
    cursor's own reads, as psycopg's named cursors send them: not logged as queries nor passed to
    execute wrappers, but their errors are wrapped like any fetch's."""

    def __init__(self, cursor, sql, params):
        self.db = cursor.db
        self.name = f"_django_curs_prisma_{next(_cursor_numbers)}"
        cursor.execute(f"DECLARE {self.name} NO SCROLL CURSOR FOR {sql}", params)
        self.raw = cursor.cursor  # the driver's cursor
        self.transaction = self.db.connection.transaction_id
        self.savepoints = list(self.db.savepoint_ids)
        self.open = True

    def fetchmany(self, size: int):
        if not self.open:
            return []
        with self.db.wrap_database_errors:
            rows = self.raw.execute(f"FETCH FORWARD {int(size)} FROM {self.name}").fetchall()
        return rows

    def close(self):
        if not self.open:
            return
        self.open = False
        connection = self.db.connection
        if (
            connection is None
            or connection.closed
            or connection.transaction_id != self.transaction
            or connection.transaction_failed
        ):
            return  # the transaction ended (and its cursors with it), or can do nothing now
        with self.db.wrap_database_errors:
            if self.savepoints != self.db.savepoint_ids[: len(self.savepoints)]:
                # An atomic() block it was declared in has ended: if it was rolled back, the
                # cursor went with its savepoint, and a CLOSE would fail the transaction.
                self.raw.execute("SELECT 1 FROM pg_catalog.pg_cursors WHERE name = %s", [self.name])
                if not self.raw.fetchall():
                    return
            self.raw.execute(f"CLOSE {self.name}")


class KeySnapshot:
    """Autocommit reads by key: the keys of the whole result first, then each chunk's rows by key
    (see the module's docstring for what that guarantees). The keys' statement starts the read:
    it goes through Django's cursor wrapper (logged, execute wrappers) as the query of a native
    server-side cursor does; the chunk reads are the cursor's own, like its FETCHes (``execute_cursor_read``:
    not logged, so that ``assertNumQueries`` around ``iterator()`` counts as on Django's
    backend, but sent with the cache's strategy like the query's other statements)."""

    def __init__(self, cursor, keyed_reads: KeyedReads):
        self.db = cursor.db
        self.raw = cursor.cursor  # the driver's cursor
        self.keyed_reads = keyed_reads
        self.width = len(keyed_reads.identity)
        cursor.execute(*keyed_reads.snapshot_sql())
        self.keys = [self._key(row) for row in cursor.fetchall()]
        self.position = 0

    def _key(self, row):
        return row[0] if self.width == 1 else tuple(row[: self.width])

    def fetchmany(self, size: int):
        # A chunk whose rows were all deleted meanwhile must not end the iteration.
        while self.position < len(self.keys):
            keys = self.keys[self.position : self.position + size]
            self.position += len(keys)
            rows = self._read(keys)
            if rows:
                return rows
        return []

    def _read(self, keys: list) -> list:
        sql, params = self.keyed_reads.chunk_sql(list(dict.fromkeys(keys)))
        execute_cursor_read(self.db, self.raw, sql, params)
        with self.db.wrap_database_errors:
            rows = self.raw.fetchall()
        by_key = {self._key(row): row[self.width :] for row in rows}
        return [by_key[key] for key in keys if key in by_key]

    def close(self):
        self.keys = []


class KeyedReads:
    """How to read a query's rows by key, built by the compiler. A row's key is the primary key
    of the model's row, when every row is one row of the model's table plus columns of tables
    joined to it one-to-one or many-to-one (``select_related``, forward relations in
    ``values()``…); when columns of to-many joins are selected (``values("tags__name")``), it is
    the tuple of the primary keys of the model's table and of every table joined to many rows."""

    def __init__(self, query, connection, base_alias: str, to_one_aliases, identity):
        self.query = query
        self.connection = connection
        self.base_alias = base_alias
        self.to_one_aliases = to_one_aliases
        self.identity = identity  # [(alias, primary key field)], the model's table first
        self.pk = identity[0][1]

    @classmethod
    def of(cls, query, connection) -> KeyedReads | None:
        """For ``query`` (not yet compiled), or None when its rows have no such key."""
        if (
            query.model is None
            or query.distinct
            or query.combinator
            or query.group_by is not None
            or query.extra
            or query.extra_tables
            or query.extra_order_by
            or query.select_for_update
            or isinstance(query.get_meta().pk, CompositePrimaryKey)
        ):
            return None
        annotations = list(query.annotations.values())
        if any(a.contains_aggregate or a.contains_over_clause for a in annotations):
            return None
        query = query.clone()
        base = query.get_initial_alias()
        to_one = frozenset(_to_one_aliases(query, base))
        identity = [(base, query.get_meta().pk)]
        multi_valued = {a for a, count in query.alias_refcount.items() if count} - to_one - {base}
        if multi_valued and _may_select_from(multi_valued, query.select, annotations):
            if _has_subquery(query.select, annotations):
                return None
            many = _joined_to_many(query, multi_valued)
            if many is None:
                return None
            identity += many
        return cls(query, connection, base, to_one, identity)

    def _compile(self, query):
        compiler = query.get_compiler(connection=self.connection)
        compiler._outermost = True  # the result columns are cast as in the query itself
        return compiler, *compiler.as_sql()

    def _key_columns(self, compiler) -> list[str]:
        from .compiler import cast_result

        columns = []
        for alias, pk in self.identity:
            sql, _ = compiler.compile(pk.get_col(alias))
            columns.append(cast_result(pk, sql, self.connection, column=True))
        return columns

    def snapshot_sql(self):
        """The keys of the query's result, in its order, with its repetitions."""
        query = self.query.clone()
        query.clear_select_clause()
        query.select = tuple(pk.get_col(alias) for alias, pk in self.identity)
        _, sql, params = self._compile(query)
        return sql, params

    def chunk_sql(self, keys: list):
        """The query's columns for the rows of these keys, the key in front; the filter, order
        and slice are dropped, and joins to one row are made outer (a row whose relation changed
        or vanished since is still read). Joins to many rows are left out when only the filter
        or the order used them, and otherwise matched to the key."""
        query = self.query.clone()
        query.clear_ordering(force=True)
        query.clear_limits()
        query.where = WhereNode()
        keyed = {alias for alias, _ in self.identity}
        for alias, join in list(query.alias_map.items()):
            if alias == self.base_alias or not query.alias_refcount[alias]:
                continue
            if alias in self.to_one_aliases or len(keyed) > 1:
                if isinstance(join, Join) and join.join_type == INNER:
                    query.alias_map[alias] = join.promote()
            else:
                query.alias_refcount[alias] = 0
        if len(self.identity) == 1:
            query.where.add(In(self.pk.get_col(self.base_alias), keys), AND)
        else:
            base_keys = list(dict.fromkeys(key[0] for key in keys))
            query.where.add(In(self.pk.get_col(self.base_alias), base_keys), AND)
            columns = self._key_columns(query.get_compiler(connection=self.connection))
            query.where.add(_one_of(columns, keys), AND)
        compiler, sql, params = self._compile(query)
        if not sql.startswith("SELECT "):
            raise AssertionError(f"unexpected SQL for a chunk read: {sql[:80]!r}")
        return f"SELECT {', '.join(self._key_columns(compiler))}, {sql[7:]}", params


def _one_of(columns: list[str], keys: list) -> ExtraWhere:
    """``columns`` equal to one of the ``keys`` (tuples; None matches a NULL, as the key of a
    row of an outer join without a related row)."""
    complete = [key for key in keys if None not in key]
    parts: list[str] = []
    params: list = []
    if complete:
        row = f"({', '.join(['%s'] * len(columns))})"
        parts.append(f"({', '.join(columns)}) IN ({', '.join([row] * len(complete))})")
        params.extend(value for key in complete for value in key)
    for key in keys:
        if None in key:
            tests = [
                f"{c} IS NULL" if v is None else f"{c} = %s"
                for c, v in zip(columns, key, strict=True)
            ]
            parts.append(f"({' AND '.join(tests)})")
            params.extend(value for value in key if value is not None)
    return ExtraWhere([f"({' OR '.join(parts)})"], params)


def _joined_to_many(query, aliases) -> list | None:
    """[(alias, primary key field)] of the aliases whose join may bring several rows, or None
    when one of them has no single-column primary key to tell its rows apart."""
    keys = []
    for alias in aliases:
        join = query.alias_map[alias]
        if not isinstance(join, Join) or join.filtered_relation is not None:
            return None
        if _joins_one_row(join.join_field):
            continue  # one row of a table joined to many: its key tells this one's too
        model = join.join_field.related_model
        meta = getattr(model, "_meta", None)
        if (
            meta is None
            or meta.db_table != join.table_name
            or isinstance(meta.pk, CompositePrimaryKey)
        ):
            return None
        keys.append((alias, meta.pk))
    return sorted(keys, key=lambda key: list(query.alias_map).index(key[0]))


def _has_subquery(columns, annotations) -> bool:
    return any(
        getattr(part, "subquery", False) for e in [*columns, *annotations] for part in e.flatten()
    )


def _may_select_from(aliases: set, columns, annotations) -> bool:
    """Whether a selected column or annotation may read these aliases (a subquery's references
    to the outer query are not followed: any subquery counts)."""
    if _has_subquery(columns, annotations):
        return True
    expressions = [part for e in [*columns, *annotations] for part in e.flatten()]
    return any(getattr(part, "alias", None) in aliases for part in expressions)


def _joins_one_row(join_field) -> bool:
    if isinstance(join_field, ForeignObjectRel):  # a reverse relation: one row if one-to-one
        return join_field.one_to_one
    return join_field.many_to_one or join_field.one_to_one  # forward: ForeignKey, OneToOneField


def _to_one_aliases(query, base: str) -> set:
    """The aliases joined to the base table through one-to-one and many-to-one joins only."""
    to_one: set = set()
    changed = True
    while changed:
        changed = False
        for alias, join in query.alias_map.items():
            if alias in to_one or not isinstance(join, Join):
                continue
            single = _joins_one_row(join.join_field)
            if single and (join.parent_alias == base or join.parent_alias in to_one):
                to_one.add(alias)
                changed = True
    return to_one
