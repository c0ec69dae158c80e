"""What a SQL statement is, told from its first words: enough to pick the plan node, to keep
session state off pooled server connections and to know whether a lost answer may be retried."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from .exceptions import NotSupportedError
from .literals import protected_spans

_LEADING = re.compile(r"(?:\s+|--[^\n]*\n?|/\*.*?\*/|\()*", re.S)
_WORDS = re.compile(r"[A-Za-z_]+")
_RETURNING = re.compile(r"\bRETURNING\b", re.I)

ROW_RETURNING = frozenset({"SELECT", "WITH", "VALUES", "TABLE", "SHOW", "EXPLAIN", "FETCH"})
# Statements PostgreSQL refuses inside a transaction block: sent without the transaction wrapper.
NO_TRANSACTION_BLOCK = re.compile(
    r"^\s*(CREATE\s+DATABASE|DROP\s+DATABASE|ALTER\s+SYSTEM|VACUUM|CREATE\s+TABLESPACE|"
    r"DROP\s+TABLESPACE|REINDEX\s+(SYSTEM|DATABASE)|"
    r"(CREATE|DROP)\s+(UNIQUE\s+)?INDEX\s+CONCURRENTLY|REINDEX\s+.*CONCURRENTLY)",
    re.I | re.S,
)
TRANSACTION_CONTROL = frozenset(
    {"BEGIN", "START", "COMMIT", "END", "ABORT", "ROLLBACK", "PREPARE", "SAVEPOINT", "RELEASE"}
)
SESSION_STATEMENTS = frozenset({"RESET", "DISCARD", "LISTEN", "UNLISTEN", "LOAD", "DEALLOCATE"})


_ONLY_COMMENTS = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.S)


def split_statements(
    sql: str, scanner: Callable[[str], list[tuple[int, int]]] = protected_spans
) -> list[str]:
    """The statements of ``sql``, cut at the semicolons outside string literals (E'' too), quoted
    identifiers, dollar quotes and comments (the scanner that placeholders are found with, or a
    dialect's ``scanner``), as PostgreSQL's simple-query protocol runs them; empty ones (``;;``,
    a trailing ``;``) dropped."""
    if ";" not in sql:
        return [sql]
    spans = scanner(sql)
    parts = []
    start = 0
    span_index = 0
    position = sql.find(";")
    while position != -1:
        while span_index < len(spans) and spans[span_index][1] <= position:
            span_index += 1
        if span_index < len(spans) and spans[span_index][0] <= position:
            position = sql.find(";", spans[span_index][1])  # inside a literal or a comment
            continue
        parts.append(sql[start:position])
        start = position + 1
        position = sql.find(";", start)
    parts.append(sql[start:])
    statements = [part for part in parts if _ONLY_COMMENTS.fullmatch(part) is None]
    return statements or [sql]


class Statement:
    __slots__ = ("sql", "keyword", "returns_rows", "read_only", "wrappable")

    def __init__(self, sql: str):
        self.sql = sql
        leading = _LEADING.match(sql)  # always a match (of the empty string at least)
        head = sql[leading.end() if leading else 0 : 200]
        match = _WORDS.match(head)
        keyword = match.group(0).upper() if match else ""
        self.keyword = keyword
        self.returns_rows = keyword in ROW_RETURNING or (
            keyword in ("INSERT", "UPDATE", "DELETE", "MERGE")
            and _RETURNING.search(sql) is not None
        )
        self.read_only = keyword in ("SELECT", "SHOW", "VALUES", "TABLE") and not _writes(sql)
        self.wrappable = NO_TRANSACTION_BLOCK.match(head) is None

    def creates_temporary_table(self) -> bool:
        return self.keyword == "CREATE" and _TEMPORARY_TABLE.match(self.sql[:200]) is not None

    def check(self, *, in_transaction: bool) -> None:
        """Refuse what would leave state behind on a pooled server connection."""
        keyword = self.keyword
        if keyword in TRANSACTION_CONTROL:
            check_transaction_control(keyword, self.sql, in_transaction=in_transaction)
            return
        if keyword == "SET":
            rest = self.sql.split(None, 2)
            second = rest[1].upper() if len(rest) > 1 else ""
            if second in ("LOCAL", "CONSTRAINTS", "TRANSACTION"):
                if second == "LOCAL":
                    _check_time_zone(_SET_LOCAL_TIME_ZONE.match(self.sql))
                if in_transaction or second == "CONSTRAINTS":
                    return
            raise NotSupportedError(
                "SET would change a pooled server connection that other requests share: use "
                "SET LOCAL inside a transaction"
            )
        leading = _LEADING.match(self.sql)
        start = leading.end() if leading else 0
        if keyword == "DECLARE" and _WITH_HOLD.match(self.sql, start):
            raise NotSupportedError(
                "a WITH HOLD cursor outlives its transaction on a pooled server connection that "
                "other requests share: declare it WITHOUT HOLD inside a transaction"
            )
        if keyword == "COPY" and _COPY_STREAM.search(without_literals(self.sql)):
            raise NotSupportedError(
                "COPY … FROM STDIN / TO STDOUT streams its rows beside the statement, which "
                "Prisma's HTTP protocol cannot carry (nothing was copied): use INSERT "
                "(executemany) to load rows and SELECT to read them"
            )
        if keyword in SESSION_STATEMENTS:
            raise NotSupportedError(
                f"{keyword} acts on the database session, which over HTTP is a pooled connection "
                "shared with other requests"
            )
        if (
            not in_transaction
            and self.creates_temporary_table()
            and "ON COMMIT DROP" not in self.sql.upper()
        ):
            raise NotSupportedError(
                "a temporary table created outside a transaction would outlive this request on "
                "a pooled server connection: create it inside a transaction (atomic()), which "
                "drops it when it commits, or with ON COMMIT DROP"
            )
        lowered = self.sql.lower()
        if "advisory" in lowered or "set_config" in lowered:
            code = without_literals(self.sql)  # a value may mention these
            if _SESSION_ADVISORY.search(code):
                raise NotSupportedError(
                    "session advisory locks are shared through the server's connection pool: "
                    "use pg_advisory_xact_lock inside a transaction"
                )
            for call in _set_config_calls(self.sql, code):
                resets = call is not None and call["value"].upper() == "NULL"
                if call is None or (not resets and call["local"].lower() != "true"):
                    raise NotSupportedError(
                        "set_config(…, false) would change a pooled server connection that other "
                        "requests share: pass is_local = true inside a transaction"
                    )
                # A value of NULL resets the setting to its default: with no session state
                # left on any pooled connection, the session's value is that default already,
                # so this leaves nothing behind, whether is_local or not.
                if not resets and _unquoted(call["name"]).lower() == "timezone":
                    _check_time_zone_name(_unquoted(call["value"]))

    def reset_settings(self) -> frozenset[str]:
        """The settings (lower case) this statement resets to their defaults with
        ``set_config(name, NULL, …)``."""
        if "set_config" not in self.sql.lower():
            return frozenset()
        return frozenset(
            _unquoted(call["name"]).lower()
            for call in _set_config_calls(self.sql, without_literals(self.sql))
            if call is not None and call["value"].upper() == "NULL"
        )


def check_transaction_control(keyword: str, sql: str, *, in_transaction: bool) -> None:
    """Savepoint statements only inside a transaction; BEGIN, COMMIT and the like never: a
    transaction must be opened through the Prisma API (both dialects)."""
    if keyword in ("SAVEPOINT", "RELEASE") or (
        keyword == "ROLLBACK" and " TO " in f" {sql.upper()} "
    ):
        if in_transaction:
            return
        raise NotSupportedError(
            f"{keyword} outside a transaction: open one first (autocommit off / atomic())"
        )
    raise NotSupportedError(
        f"{keyword} sent as SQL: use the connection's commit()/rollback() (or Django's "
        "atomic()); over HTTP a transaction must be opened through the Prisma API so that "
        "it never stays open on a shared server connection"
    )


def without_literals(
    sql: str, scanner: Callable[[str], list[tuple[int, int]]] = protected_spans
) -> str:
    """``sql`` with its literals, quoted identifiers and comments (``scanner``'s: PostgreSQL's
    by default) blanked out by as many spaces: positions stay those of ``sql``."""
    out = []
    last = 0
    for start, end in scanner(sql):
        out.append(sql[last:start])
        out.append(" " * (end - start))
        last = end
    out.append(sql[last:])
    return "".join(out)


_TEMPORARY_TABLE = re.compile(r"\s*CREATE\s+(GLOBAL\s+|LOCAL\s+)?(TEMP|TEMPORARY)\s+TABLE", re.I)
_WITH_HOLD = re.compile(r"\s*DECLARE\s[^;]*?\bCURSOR\s+WITH\s+HOLD\s+FOR\b", re.I | re.S)
# The executor would answer COPY … TO STDOUT with a row count and drop the rows.
_COPY_STREAM = re.compile(r"\b(FROM\s+STDIN|TO\s+STDOUT)\b", re.I)
_SESSION_ADVISORY = re.compile(r"\bpg_(try_)?advisory_lock(_shared)?\s*\(", re.I)
_SET_CONFIG_CALL = re.compile(r"\bset_config\s*\(", re.I)
# A string literal as psycopg writes one: '…' with '' for a quote, E'…' when it has a backslash.
_STRING = r"(?:E'(?:[^'\\]|\\.|'')*'|'(?:[^']|'')*')"
# set_config('name', 'value' or NULL, true or false), its arguments literals.
_SET_CONFIG = re.compile(
    rf"set_config\s*\(\s*(?P<name>{_STRING})\s*,\s*(?P<value>{_STRING}|NULL)\s*,"
    r"\s*(?P<local>true|false)\s*\)",
    re.I | re.S,
)
_SET_LOCAL_TIME_ZONE = re.compile(
    r"\s*SET\s+LOCAL\s+(?:TIME\s+ZONE\s+|TIMEZONE\s*(?:=|\bTO\b)\s*)(.*?)\s*;?\s*$", re.I | re.S
)
_UTC_NAMES = frozenset(
    {
        "utc",
        "etc/utc",
        "uct",
        "etc/uct",
        "gmt",
        "etc/gmt",
        "gmt0",
        "etc/gmt0",
        "zulu",
        "z",
        "0",
        "+00",
        "+00:00",
        "00:00",
        "default",
    }
)


def _set_config_calls(sql: str, code: str) -> Iterator[re.Match[str] | None]:
    """Each call of set_config() in ``sql`` (``code``: its ``without_literals``, so not in a
    literal, a quoted name, a dollar-quoted body or a comment): its match of the literal form
    ``_SET_CONFIG``, or None when its arguments are not literals."""
    for call in _SET_CONFIG_CALL.finditer(code):
        yield _SET_CONFIG.match(sql, call.start())


def _unquoted(literal: str) -> str:
    """The text of a string literal matched by ``_STRING``."""
    if literal[:1] in "Ee":
        return re.sub(r"\\(.)", r"\1", literal[2:-1]).replace("''", "'")
    return literal[1:-1].replace("''", "'")


def _check_time_zone(match: re.Match[str] | None) -> None:
    if match is not None:
        _check_time_zone_name(match.group(1))


def _check_time_zone_name(name: str) -> None:
    """A non-UTC session time zone would shift every timestamptz silently: the executor labels
    whatever PostgreSQL prints as +00:00."""
    value = name.strip().strip("'").strip('"').lower()
    if value not in _UTC_NAMES:
        raise NotSupportedError(
            f"time zone {name.strip()!r}: the Prisma server reads timestamptz "
            "values as if the session time zone were UTC, so any other zone would shift them "
            "silently; keep UTC and convert with AT TIME ZONE in SQL or in Python"
        )


def _writes(sql: str) -> bool:
    upper = sql.upper()
    return (
        "FOR UPDATE" in upper
        or "FOR SHARE" in upper
        or "FOR NO KEY" in upper
        or "NEXTVAL" in upper
        or "SETVAL" in upper
        or " INTO " in upper
    )
