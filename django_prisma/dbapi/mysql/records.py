"""Reading a result the executor cannot serialise as a raw result.

The executor's raw-SQL serialiser turns every 64-bit integer column whose value MySQL's driver
gave as a JavaScript number (INT UNSIGNED columns, unsigned values computed by MySQL, SHOW's
counters) into a BigInt, which JSON cannot hold: the request fails with HTTP 500 although the
statement ran. Prisma's own (template) serialiser keeps such values as they are, but answers with
one object per row and no column types. So a read that failed so is read again that way, its
column names and types described once per statement text (``SELECT * FROM (…) LIMIT 0``, which
returns no value to serialise) and kept, and each value decoded by its column's type.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from .. import plans

# The column names and executor types of a statement's result, by statement text; None for a
# statement that cannot be described so (SHOW …): its rows' own keys name its columns.
Description = tuple[tuple[str, ...], tuple[str, ...]] | None


def records_node(sql: str) -> plans.Node:
    """A ``query`` node whose value is the result as records, by Prisma's serialiser."""
    return {
        "type": "query",
        "args": {
            "type": "templateSql",
            "fragments": [{"type": "stringChunk", "chunk": sql}],
            "placeholderFormat": {"prefix": "?", "hasNumbering": False},
            "args": [],
            "argTypes": [],
            "chunkable": False,
        },
    }


def describe_node(sql: str) -> plans.Node | None:
    """A query returning no row and the columns of ``sql`` (a SELECT); None for others."""
    words = sql.lstrip().lstrip("(").split(None, 1)
    if not words or words[0].upper() not in ("SELECT", "WITH", "VALUES", "TABLE"):
        return None
    return plans.node_for(f"SELECT * FROM ({sql}) AS _django_prisma_described LIMIT 0", True)


# Descriptions by statement text, the oldest dropped first beyond the limit.
_DESCRIBED: OrderedDict[str, Description] = OrderedDict()
_LIMIT = 256


def known_description(sql: str) -> tuple[bool, Description]:
    """(whether ``sql`` was described before, its description)."""
    if sql in _DESCRIBED:
        return True, _DESCRIBED[sql]
    return False, None


def remember(sql: str, description: Description) -> None:
    _DESCRIBED[sql] = description
    while len(_DESCRIBED) > _LIMIT:
        _DESCRIBED.popitem(last=False)


def schema_changed() -> None:
    """DDL ran: a statement's columns may differ from what was described."""
    _DESCRIBED.clear()


SCHEMA_KEYWORDS = frozenset({"CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE"})


def description_of(result: Any) -> Description:
    """The names and types of a raw result object (of ``describe_node``)."""
    if not isinstance(result, dict) or "columns" not in result:
        return None
    return tuple(result["columns"]), tuple(result["types"])


def columns_of(records: list[dict[str, Any]]) -> tuple[str, ...]:
    return tuple(records[0]) if records else ()


def matches(description: Description, records: list[dict[str, Any]]) -> bool:
    """Whether the records have the described columns (a table changed by another process
    since it was described does not)."""
    if description is None or not records:
        return True
    return set(description[0]) == set(records[0])
