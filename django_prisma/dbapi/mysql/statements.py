"""What a MySQL statement is, told from its first words, and what would leave state behind on a
pooled server connection (MySQL's session: variables, locks, temporary tables, the database in
use), which is refused before anything is sent."""

from __future__ import annotations

import re

from ..exceptions import NotSupportedError
from ..statements import Statement, check_transaction_control
from ..statements import without_literals as _without_literals
from .literals import protected_spans

_RETURNING = re.compile(r"\bRETURNING\b", re.I)
ROW_RETURNING = frozenset(
    {
        "SELECT",
        "WITH",
        "VALUES",
        "TABLE",
        "SHOW",
        "EXPLAIN",
        "DESCRIBE",
        "DESC",
        "HELP",
        "CHECK",
        "CHECKSUM",
        "ANALYZE",
        "OPTIMIZE",
        "REPAIR",
    }
)
_READS = frozenset({"SELECT", "SHOW", "VALUES", "TABLE", "DESCRIBE", "DESC", "EXPLAIN", "HELP"})
TRANSACTION_CONTROL = frozenset(
    {"BEGIN", "START", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "XA"}
)
SESSION_STATEMENTS = frozenset(
    {"SET", "USE", "LOCK", "UNLOCK", "PREPARE", "EXECUTE", "DEALLOCATE", "HANDLER", "RESET"}
)
_SESSION_LOCK_CALL = re.compile(r"\b(GET_LOCK|RELEASE_LOCK|RELEASE_ALL_LOCKS)\s*\(", re.I)
_TEMPORARY_TABLE = re.compile(r"\s*(CREATE|DROP)\s+TEMPORARY\s+TABLE", re.I)
_LOCAL_INFILE = re.compile(r"\bLOAD\s+(DATA|XML)\s+(LOW_PRIORITY\s+|CONCURRENT\s+)?LOCAL\b", re.I)


def without_literals(sql: str) -> str:
    """``sql`` with its literals, quoted identifiers and comments blanked out (MySQL's quoting)."""
    return _without_literals(sql, protected_spans)


class MySQLStatement(Statement):
    """What the statement is, and whether it is refused, is told from its own text (``text``);
    ``sql``, what is sent, may carry the connection's ``SET STATEMENT … FOR`` before it."""

    __slots__ = ("text",)

    def __init__(self, sql: str):
        super().__init__(sql)
        self.text = sql
        keyword = self.keyword
        self.returns_rows = keyword in ROW_RETURNING or (
            keyword in ("INSERT", "REPLACE", "DELETE") and _RETURNING.search(sql) is not None
        )
        self.read_only = keyword in _READS and not _writes(sql)
        # MySQL has no statement that a transaction block refuses: DDL commits implicitly.
        self.wrappable = True

    def creates_temporary_table(self) -> bool:
        return False  # refused by check(): MySQL's temporary tables outlive transactions

    def check(self, *, in_transaction: bool) -> None:
        keyword = self.keyword
        if keyword in TRANSACTION_CONTROL:
            check_transaction_control(keyword, self.text, in_transaction=in_transaction)
            return
        if keyword in SESSION_STATEMENTS:
            raise NotSupportedError(
                f"{keyword} acts on the MySQL session, which over HTTP is a pooled connection "
                "shared with other requests: it would stay behind for them"
                + (
                    " (the isolation level is OPTIONS['isolation_level'])"
                    if keyword == "SET"
                    else ""
                )
            )
        head = self.text[:300]
        if _TEMPORARY_TABLE.match(head):
            raise NotSupportedError(
                "MySQL's temporary tables belong to the session, which over HTTP is a pooled "
                "connection shared with other requests, and outlive any transaction: use a "
                "regular table"
            )
        text = self.text
        code = without_literals(text) if "(" in text or "LOCAL" in text.upper() else ""
        if code and _SESSION_LOCK_CALL.search(code):
            raise NotSupportedError(
                "MySQL's named locks (GET_LOCK) belong to the session, which over HTTP is a "
                "pooled connection shared with other requests: use SELECT … FOR UPDATE inside a "
                "transaction"
            )
        if code and _LOCAL_INFILE.search(code):
            raise NotSupportedError(
                "LOAD DATA LOCAL reads a file of the client, which the Prisma server cannot "
                "reach: insert the rows with INSERT statements"
            )


def _writes(sql: str) -> bool:
    upper = sql.upper()
    return (
        "FOR UPDATE" in upper
        or "LOCK IN SHARE MODE" in upper
        or "FOR SHARE" in upper
        or " INTO " in upper
    )
