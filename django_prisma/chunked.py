"""``QuerySet.iterator()`` without server-side cursors: the query runs once per chunk, ``LIMIT n
OFFSET k`` appended, so memory holds one chunk however large the result.

The compiler only asks for pages when the order is total (it appends the primary key to the
query's ordering); each page is then a separate statement, so rows changed by others between
chunks may be seen in their new state — as with any read outside a transaction. Inside
``atomic()`` every page reads the transaction's own snapshot.
"""

from __future__ import annotations

import re

from .dbapi.literals import interpolate

_ENDS_WITH_LIMIT = re.compile(r"\bLIMIT\s+\d+(?:\s+OFFSET\s+\d+)?\s*$|\bOFFSET\s+\d+\s*$", re.I)
_LOCKING = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+)?(?:UPDATE|SHARE|KEY\s+SHARE)\b", re.I)


def pageable(sql: str) -> bool:
    return _ENDS_WITH_LIMIT.search(sql) is None and _LOCKING.search(sql) is None


class ChunkedCursor:
    """What ``connection.chunked_cursor()`` returns: ``fetchmany(n)`` reads the next ``n`` rows
    with a new statement, sent through Django's own cursor wrapper (``cursor``) so that execute
    wrappers, query logging and error wrapping apply to every page."""

    def __init__(self, cursor, *, paged: bool):
        self.cursor = cursor
        self.paged = paged
        self._sql: str | None = None
        self._offset = 0
        self._done = False

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
        if self.paged:
            text = interpolate(sql, params)
            if pageable(text):
                self._sql, self._offset, self._done = text, 0, False
                return self
        self._sql = None
        return self.cursor.execute(sql, params)

    def fetchmany(self, size=None):
        if self._sql is None:
            return self.cursor.fetchmany(size)
        if self._done:
            return []
        size = size or self.cursor.arraysize
        self.cursor.execute(f"{self._sql} LIMIT {int(size)} OFFSET {self._offset}")
        rows = self.cursor.fetchall()
        self._offset += len(rows)
        self._done = len(rows) < size
        return rows

    def fetchone(self):
        if self._sql is None:
            return self.cursor.fetchone()
        rows = self.fetchmany(1)
        return rows[0] if rows else None

    def fetchall(self):
        if self._sql is None:
            return self.cursor.fetchall()
        rows = []
        while chunk := self.fetchmany(2000):
            rows.extend(chunk)
        return rows

    def close(self):
        self._sql = None
        self.cursor.close()
