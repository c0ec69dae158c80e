"""``Cursor.statusmessage``: PostgreSQL's command tag ("INSERT 0 1", "UPDATE 3", "CREATE TABLE")
rebuilt from the statement and its row count, since the executor does not send the tag."""

from __future__ import annotations

import re

_SKIP = re.compile(r"(?:\s+|--[^\n]*\n?|/\*.*?\*/|\()*", re.S)
_WORD = re.compile(r"[A-Za-z_]+")
_TABLE_AS = re.compile(r"\bAS\s*\(?\s*(SELECT|WITH|VALUES|TABLE|EXECUTE)\b", re.I)
_COUNTED = frozenset({"SELECT", "UPDATE", "DELETE", "MERGE", "FETCH", "MOVE", "COPY"})
# Words between CREATE/DROP/ALTER and the object type that the tag leaves out.
_MODIFIERS = frozenset(
    {
        "OR",
        "REPLACE",
        "UNIQUE",
        "TEMP",
        "TEMPORARY",
        "UNLOGGED",
        "GLOBAL",
        "LOCAL",
        "TRUSTED",
        "PROCEDURAL",
        "RECURSIVE",
        "DEFAULT",
        "CONSTRAINT",
    }
)
# Object types of two or more words.
_COMPOUND = (
    ("MATERIALIZED", "VIEW"),
    ("FOREIGN", "TABLE"),
    ("FOREIGN", "DATA", "WRAPPER"),
    ("EVENT", "TRIGGER"),
    ("ACCESS", "METHOD"),
    ("USER", "MAPPING"),
    ("OPERATOR", "CLASS"),
    ("OPERATOR", "FAMILY"),
    ("TEXT", "SEARCH", "CONFIGURATION"),
    ("TEXT", "SEARCH", "DICTIONARY"),
    ("TEXT", "SEARCH", "PARSER"),
    ("TEXT", "SEARCH", "TEMPLATE"),
)


def _skipped(sql: str) -> int:
    """Where the leading white space, comments and parentheses end."""
    match = _SKIP.match(sql)
    return match.end() if match else 0  # the pattern matches the empty string: always a match


def _words(sql: str, limit: int = 12) -> list[str]:
    head = sql[_skipped(sql) : 400]
    return [word.upper() for word in _WORD.findall(head)[:limit]]


def _main_keyword(sql: str) -> str:
    """The statement's command, past a WITH clause's common table expressions."""
    words = _words(sql, 1)
    if not words or words[0] != "WITH":
        return words[0] if words else ""
    depth = 0
    quote = None
    for index, char in enumerate(sql):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and char.isalpha() and (index == 0 or not sql[index - 1].isalnum()):
            match = _WORD.match(sql, index)
            word = match.group(0).upper() if match else ""
            if word in ("SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "VALUES", "TABLE"):
                return word
    return "SELECT"


def command_status(sql: str | None, rowcount: int) -> str | None:
    if not sql:
        return None
    keyword = _main_keyword(sql)
    count = max(rowcount, 0)
    if keyword == "INSERT":
        return f"INSERT 0 {count}"
    if keyword in ("VALUES", "TABLE"):
        return f"SELECT {count}"
    if keyword in _COUNTED:
        return f"{keyword} {count}"
    words = _words(sql)
    if keyword in ("CREATE", "DROP", "ALTER"):
        rest = [word for word in words[1:] if word not in _MODIFIERS]
        if keyword == "CREATE" and rest[:1] == ["TABLE"] and _TABLE_AS.search(sql):
            return f"SELECT {count}"  # CREATE TABLE … AS: PostgreSQL tags it by its query
        for compound in _COMPOUND:
            if tuple(rest[: len(compound)]) == compound:
                return " ".join((keyword, *compound))
        return f"{keyword} {rest[0]}" if rest else keyword
    if keyword == "REFRESH":
        return "REFRESH MATERIALIZED VIEW"
    if keyword == "TRUNCATE":
        return "TRUNCATE TABLE"
    if keyword == "SET" and words[1:2] == ["CONSTRAINTS"]:
        return "SET CONSTRAINTS"
    return keyword or None
