"""MySQL session settings without a session: ``SET name = value`` remembered by the connection
and given to each of its statements as MariaDB's ``SET STATEMENT name = value, … FOR …``.

Over HTTP every statement may run on another pooled server connection, and a session variable
set on one would stay behind for other clients. MariaDB can scope a variable to one statement,
so a ``SET`` (Django's ``SET SQL_AUTO_IS_NULL = 0``, ``OPTIONS["init_command"]``, a test's
``SET sql_mode = 'TRADITIONAL'``, ``SET foreign_key_checks = 0``) holds for every later statement
of the connection, as it would for the session natively, and for nothing else. ``SET SESSION
TRANSACTION ISOLATION LEVEL`` becomes the level of the transactions the connection starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_VALUE = r"'(?:[^'\\]|\\.|'')*'|\"(?:[^\"\\]|\\.|\"\")*\"|[-+]?[A-Za-z0-9_.]+"
_ASSIGNMENT = re.compile(
    rf"\s*(?:(?:SESSION|LOCAL)\s+|@@(?:SESSION\.|LOCAL\.)?)?({_NAME})\s*(?::=|=)\s*({_VALUE})\s*",
    re.I,
)
_ISOLATION = re.compile(
    r"\s*SET\s+(?:SESSION\s+)?TRANSACTION\s+ISOLATION\s+LEVEL\s+"
    r"(READ\s+UNCOMMITTED|READ\s+COMMITTED|REPEATABLE\s+READ|SERIALIZABLE)\s*;?\s*",
    re.I,
)
_SET = re.compile(r"\s*SET\s+", re.I)


@dataclass(frozen=True)
class Variables:
    """``SET a = 1, b = 'x'``: (name in lower case, the value's SQL) pairs, in order."""

    assignments: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class IsolationLevel:
    """``SET [SESSION] TRANSACTION ISOLATION LEVEL …``: the level's name in lower case."""

    level: str


def setting_of(sql: str) -> Variables | IsolationLevel | None:
    """What a ``SET`` statement sets, None for any other statement (or a SET of another form:
    user variables, GLOBAL, NAMES, PASSWORD…, which the statement rules refuse)."""
    head = _SET.match(sql)
    if head is None:
        return None
    isolation = _ISOLATION.fullmatch(sql)
    if isolation is not None:
        return IsolationLevel(" ".join(isolation.group(1).lower().split()))
    body = sql[head.end() :].rstrip().rstrip(";")
    assignments = []
    position = 0
    while True:
        match = _ASSIGNMENT.match(body, position)
        if match is None:
            return None
        name = match.group(1).lower()
        if name in ("global", "names", "password", "role", "character", "charset"):
            return None
        assignments.append((name, match.group(2)))
        position = match.end()
        if position == len(body):
            return Variables(tuple(assignments))
        if body[position] != ",":
            return None
        position += 1


def statement_prefix(variables: dict[str, str]) -> str:
    """``SET STATEMENT a=1, b='x' FOR `` for the variables in force, "" for none."""
    if not variables:
        return ""
    return "SET STATEMENT " + ", ".join(f"{n}={v}" for n, v in variables.items()) + " FOR "
