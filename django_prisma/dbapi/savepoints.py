"""SAVEPOINT and RELEASE SAVEPOINT statements held back to ride with the transaction's next
statement in one request (Django's nested atomic() blocks would otherwise cost a round trip
each)."""

from __future__ import annotations

import re

from .statements import Statement

# The name: PostgreSQL's "quoted" identifier, MySQL's `quoted` one, or a bare one.
_SAVEPOINT_SQL = re.compile(
    r"\s*(SAVEPOINT|RELEASE(?:\s+SAVEPOINT)?|ROLLBACK\s+TO(?:\s+SAVEPOINT)?)\s+"
    r'("(?:[^"]|"")+"|`(?:[^`]|``)+`|[A-Za-z_][\w$]*)\s*;?\s*',
    re.I,
)


class DeferredSavepoints:
    """SAVEPOINT and RELEASE SAVEPOINT held back to ride with the transaction's next statement in
    one ``seq`` plan, or dropped when nothing ran in between, so that an ``atomic()`` block of N
    statements costs N + 2 requests however deeply its savepoints nest.

    Only what PostgreSQL would certainly accept is held: a SAVEPOINT, and the RELEASE of a
    savepoint this transaction holds (``names``); nothing is held after a statement failed.
    A ROLLBACK TO SAVEPOINT goes out at once (carrying what is held before it), except right
    after its own SAVEPOINT, where nothing ran and it changes nothing. At COMMIT or ROLLBACK what is
    held changes nothing either and is dropped.
    """

    __slots__ = ("held", "names")

    def __init__(self) -> None:
        self.held: list[tuple[str, str, str]] = []  # (SAVEPOINT | RELEASE, name, sql)
        self.names: list[str] = []  # this transaction's savepoints, oldest first

    def clear(self) -> None:
        self.held.clear()
        self.names.clear()

    def take(self) -> list[str]:
        if not self.held:
            return []
        sqls = [sql for _, _, sql in self.held]
        self.held.clear()
        return sqls

    def hold(self, statement: Statement, *, may_defer: bool) -> bool:
        """Track a savepoint statement; True when it is held (or dropped) instead of sent."""
        if statement.keyword not in ("SAVEPOINT", "RELEASE", "ROLLBACK"):
            return False
        match = _SAVEPOINT_SQL.fullmatch(statement.sql)
        if match is None:
            return False
        kind = match.group(1)[:1].upper()  # S, R(ELEASE) or R(OLLBACK)
        raw = match.group(2)
        name = _savepoint_name(raw)
        if kind == "S":
            self.names.append(name)
            if may_defer:
                self.held.append(("SAVEPOINT", name, statement.sql))
            return may_defer
        if name not in self.names:
            return False  # PostgreSQL will say it does not exist
        index = len(self.names) - 1 - self.names[::-1].index(name)
        if statement.keyword == "RELEASE":
            del self.names[index:]
            if not may_defer:
                return False
            if self.held and self.held[-1][:2] == ("SAVEPOINT", name):
                self.held.pop()  # nothing ran inside it
            else:
                self.held.append(("RELEASE", name, statement.sql))
            return True
        del self.names[index + 1 :]  # ROLLBACK TO keeps the savepoint, drops later ones
        if may_defer:
            for position in range(len(self.held) - 1, -1, -1):
                kind_held, name_held, _ = self.held[position]
                if kind_held != "SAVEPOINT":
                    break
                if name_held == name:
                    del self.held[position + 1 :]  # nothing ran since it was taken
                    return True
        return False


def _savepoint_name(raw: str) -> str:
    """The savepoint a name in SQL means: PostgreSQL keeps a quoted name's case and folds a bare
    one to lower case; MySQL compares savepoint names without case, quoted or not."""
    if raw[0] == '"':
        return raw[1:-1].replace('""', '"')
    if raw[0] == "`":
        return raw[1:-1].replace("``", "`").lower()
    return raw.lower()
