"""Which tables a SQL statement reads or writes, told from the SQL text, and their cache tags.

Django quotes every table name ("…" on PostgreSQL, `…` on MySQL), so ORM statements are told
exactly; raw SQL is told when it names its tables after FROM / JOIN / INTO / UPDATE / TRUNCATE
(unquoted names fold to lower case)."""

from __future__ import annotations

import hashlib
import re

TABLE_TAG_PREFIX = "t_"
ALL_TABLES = "*"  # a write whose tables cannot all be told (TRUNCATE … CASCADE)

# PostgreSQL's "quoted" and MySQL's `quoted` identifiers, and plain names.
_IDENT = r'(?:"(?:[^"]|"")+"|`(?:[^`]|``)+`|[A-Za-z_][A-Za-z0-9_$]*)'
_NAME = rf"({_IDENT}(?:\s*\.\s*{_IDENT})?)"
_STRINGS = re.compile(r"'(?:[^']|'')*'")
_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
# FROM that is not a table reference: EXTRACT(year FROM x), SUBSTRING(x FROM 1), IS DISTINCT FROM.
_NOT_TABLE_FROM = re.compile(
    r"\b(?:EXTRACT|SUBSTRING|TRIM|OVERLAY|POSITION)\s*\([^()]*?\bFROM\b|\bDISTINCT\s+FROM\b", re.I
)
_READ = re.compile(rf"\b(?:FROM|JOIN)\s+(?:ONLY\s+|LATERAL\s+)?{_NAME}", re.I)
_FROM_LIST = re.compile(rf"\bFROM\s+{_NAME}((?:\s*(?:AS\s+)?{_IDENT}?\s*,\s*{_NAME})+)", re.I)
_WRITE = re.compile(
    rf"\b(?:INSERT\s+INTO|MERGE\s+INTO|DELETE\s+FROM(?:\s+ONLY)?|"
    rf"ALTER\s+TABLE(?:\s+IF\s+EXISTS)?(?:\s+ONLY)?|DROP\s+TABLE(?:\s+IF\s+EXISTS)?)\s+{_NAME}",
    re.I,
)
_UPDATE = re.compile(rf"\bUPDATE\s+(?:ONLY\s+)?{_NAME}\s+(?:AS\s+)?(?:{_IDENT}\s+)?SET\b", re.I)
_TRUNCATE = re.compile(r"\bTRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?(.*)", re.I | re.S)
_KEYWORDS = frozenset(
    {"select", "lateral", "unnest", "generate_series", "jsonb_array_elements", "only", "values"}
)


def _clean(sql: str) -> str:
    sql = _COMMENTS.sub(" ", sql)
    sql = _STRINGS.sub("''", sql)
    return _NOT_TABLE_FROM.sub("(", sql)


def _normalize(name: str) -> str:
    parts = [p.strip() for p in re.findall(_IDENT, name)]
    names = [_unquoted(part) for part in parts]
    if len(names) == 2 and names[0] == "public":
        names = names[1:]
    return ".".join(names)


def _unquoted(part: str) -> str:
    if part.startswith('"'):
        return part[1:-1].replace('""', '"')
    if part.startswith("`"):
        return part[1:-1].replace("``", "`")
    return part.lower()


def _names(matches) -> set[str]:
    found = set()
    for raw in matches:
        name = _normalize(raw)
        if name and name.lower() not in _KEYWORDS:
            found.add(name)
    return found


def read_tables(sql: str) -> frozenset[str]:
    clean = _clean(sql)
    found = _names(m.group(1) for m in _READ.finditer(clean))
    for m in _FROM_LIST.finditer(clean):
        found |= _names(re.findall(_NAME, m.group(2)))
    return frozenset(found)


def written_tables(sql: str) -> frozenset[str]:
    clean = _clean(sql)
    found = _names(m.group(1) for m in _WRITE.finditer(clean))
    found |= _names(m.group(1) for m in _UPDATE.finditer(clean))
    truncate = _TRUNCATE.search(clean)
    if truncate:
        body = truncate.group(1)
        if re.search(r"\bCASCADE\b", body, re.I):
            return frozenset({ALL_TABLES})
        body = re.split(r"\b(?:RESTART|CONTINUE|RESTRICT)\b|;", body, maxsplit=1, flags=re.I)[0]
        found |= _names(re.findall(_NAME, body))
    return frozenset(found)


def table_tag(table) -> str:
    """The cache tag of a table (or a model): ``t_<table>``, made to fit Accelerate's tag rules
    (1-64 characters of ``[A-Za-z0-9_]``) with a short hash when the name does not."""
    meta = getattr(table, "_meta", None)
    name = meta.db_table if meta is not None else str(table)
    tag = TABLE_TAG_PREFIX + name
    if re.fullmatch(r"[A-Za-z0-9_]{1,64}", tag):
        return tag
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    safe = re.sub(r"[^A-Za-z0-9_]", "_", name)[: 64 - len(TABLE_TAG_PREFIX) - 9]
    return f"{TABLE_TAG_PREFIX}{safe}_{digest}"
