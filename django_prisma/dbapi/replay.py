"""Running statements again to learn what PostgreSQL said about them: the error path only.

The Prisma executor passes on part of PostgreSQL's error report (``errors.py`` says which), and
nothing at all about a deferred constraint that fails at COMMIT. To give the caller psycopg's
whole report, the connection runs the failed work once more inside one PL/pgSQL block that
catches the error, reads every field with GET STACKED DIAGNOSTICS and raises them back as JSON.
The block always ends in an error, so whatever it did is rolled back; it is one request.

What a transaction did is kept by ``Journal`` for that purpose: the statements that may have
changed something, without those a ROLLBACK TO SAVEPOINT undid, up to a size limit.
"""

from __future__ import annotations

import secrets

from .errors import REPLAY_FIELDS, REPLAY_MESSAGE
from .literals import quote
from .savepoints import _SAVEPOINT_SQL
from .statements import Statement

# A replay waits this long for a lock, then gives up (the error keeps what the executor sent):
# the rows it needs may be held by the caller's own failed, still open transaction.
LOCK_TIMEOUT = "200ms"

JOURNAL_LIMIT = 1 << 20  # characters of SQL kept per transaction


def replay_block(statements: list[str], *, check_deferred: bool = False) -> str:
    """A DO block that runs ``statements`` in order (then checks deferred constraints, as a
    COMMIT would), and always fails with ``REPLAY_MESSAGE`` carrying the first error's report."""
    body = "".join(f"EXECUTE {quote(sql)};\n" for sql in statements)
    if check_deferred:
        body += "SET CONSTRAINTS ALL IMMEDIATE;\n"
    names = ", ".join(f"{quote(key)}, {name.lower()}" for key, name in _fields())
    declared = "".join(f"{name.lower()} text;\n" for _, name in _fields())
    captured = ", ".join(f"{name.lower()} = {name}" for _, name in _fields())
    tag = f"$dp{secrets.token_hex(6)}$"
    return (
        f"DO {tag}\nDECLARE\n{declared}report text := '{{}}';\nBEGIN\n"
        f"PERFORM set_config('lock_timeout', {quote(LOCK_TIMEOUT)}, true);\n"
        f"BEGIN\n{body}EXCEPTION WHEN OTHERS THEN\n"
        f"GET STACKED DIAGNOSTICS {captured};\n"
        f"report := json_build_object({names})::text;\nEND;\n"
        f"RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = {quote(REPLAY_MESSAGE)}, "
        f"DETAIL = report;\nEND {tag}"
    )


def _fields() -> list[tuple[str, str]]:
    # (JSON key, PL/pgSQL item): the JSON keys are psycopg's Diagnostic attribute names.
    return [(key, item) for item, key in REPLAY_FIELDS.items()]


class Journal:
    """The statements of the open transaction that may have changed something, in order, with
    what a ROLLBACK TO SAVEPOINT undid taken out (a replay cannot contain savepoints)."""

    __slots__ = ("statements", "marks", "size", "complete")

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.marks: list[tuple[str, int]] = []  # (savepoint name, journal length then)
        self.size = 0
        self.complete = True

    def clear(self) -> None:
        self.statements.clear()
        self.marks.clear()
        self.size = 0
        self.complete = True

    def note(self, statement: Statement) -> None:
        """Record a statement that ran (or was held) in the transaction without error."""
        if statement.keyword in ("SAVEPOINT", "RELEASE", "ROLLBACK"):
            self._savepoint(statement)
            return
        if statement.read_only or not self.complete:
            return
        self.size += len(statement.sql)
        if self.size > JOURNAL_LIMIT:
            self.clear()
            self.complete = False  # too large to replay: the executor's report stays as is
            return
        self.statements.append(statement.sql)

    def _savepoint(self, statement: Statement) -> None:
        match = _SAVEPOINT_SQL.fullmatch(statement.sql)
        if match is None:
            return
        raw = match.group(2)
        name = raw[1:-1].replace('""', '"') if raw[0] == '"' else raw.lower()
        kind = match.group(1)[:1].upper()
        if kind == "S":
            self.marks.append((name, len(self.statements)))
            return
        positions = [i for i, (mark, _) in enumerate(self.marks) if mark == name]
        if not positions:
            return
        index = positions[-1]
        if statement.keyword == "RELEASE":
            del self.marks[index:]
            return
        del self.marks[index + 1 :]
        if self.complete:
            del self.statements[self.marks[index][1] :]
