"""Request bodies for ``/query``: SQL text → Prisma query-plan JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

# A node of Prisma's query plan (JSON).
Node = dict[str, Any]

# Inside the transaction wrapper of an autocommit write, deferred constraints fail at COMMIT,
# where the executor reports a transaction error instead of the SQLSTATE: the connection then
# replays the write with this check and rolls back, to raise PostgreSQL's own error.
IMMEDIATE_CONSTRAINTS = "SET CONSTRAINTS ALL IMMEDIATE"


def _raw(sql: str) -> Node:
    return {"type": "rawSql", "sql": sql, "args": [], "argTypes": []}


def node_for(sql: str, returns_rows: bool) -> Node:
    return {"type": "query" if returns_rows else "execute", "args": _raw(sql)}


def body(plan: Node, operation: str) -> bytes:
    return orjson.dumps({"operation": operation, "plan": plan, "params": {}})


def _with_prelude(node: Node, prelude: list[str]) -> Node:
    if not prelude:
        return node
    return {"type": "seq", "args": [*(node_for(sql, False) for sql in prelude), node]}


def single(sql: str, *, returns_rows: bool, atomic: bool, prelude: Sequence[str] = ()) -> bytes:
    """One statement; ``atomic`` wraps it in a ``transaction`` node (BEGIN/COMMIT on the server).

    Autocommit writes travel wrapped: a pooled server connection left inside a stale transaction
    (Prisma's executor can leave one after a transaction-start timeout) would otherwise
    acknowledge the write and never commit it; the wrapper's COMMIT always ends it. ``prelude``
    statements (SET LOCAL …) run first, on the same server connection.
    """
    node = _wrapped(node_for(sql, returns_rows), atomic, prelude)
    return body(node, "queryRaw" if returns_rows else "executeRaw")


def batch(statements: list[str], *, atomic: bool, prelude: Sequence[str] = ()) -> bytes:
    """Many row-count statements, in order, on one server connection; the value is their sum."""
    # `sum` runs its children concurrently, but inside `transaction` they share one database
    # connection whose queue is first-in first-out, so they still run in the given order.
    node = {"type": "sum", "args": [node_for(sql, False) for sql in statements]}
    return body(_wrapped(node, atomic, prelude), "executeRaw")


def _wrapped(node: Node, atomic: bool, prelude: Sequence[str]) -> Node:
    node = _with_prelude(node, list(prelude))
    return {"type": "transaction", "args": node} if atomic else node


def sequence(sqls: list[str], returns_rows: list[bool]) -> Node:
    """Several statements run in order, each one's value kept: ``let`` evaluates its bindings one
    after the other, and ``concat`` lists the values (a result object per row-returning
    statement, a row count per other one)."""
    names = [f"s{index}" for index in range(len(sqls))]
    return {
        "type": "let",
        "args": {
            "bindings": [
                {"name": name, "expr": node_for(sql, rows)}
                for name, sql, rows in zip(names, sqls, returns_rows, strict=True)
            ],
            "expr": {"type": "concat", "args": [_get(name) for name in names]},
        },
    }


def first_of(first: list[str], then: list[str], result: str) -> Node:
    """Run the statements ``first`` (the last returns rows), then ``then``; the value is the
    rows of the last of ``first`` (``result`` names it: how a description is read from a
    temporary view before the view is dropped)."""
    return {
        "type": "let",
        "args": {
            "bindings": [
                {"name": result, "expr": _seq(first, last_returns_rows=True)},
                {"name": f"{result}_after", "expr": _seq(then, last_returns_rows=False)},
            ],
            "expr": _get(result),
        },
    }


def _seq(sqls: list[str], *, last_returns_rows: bool) -> Node:
    nodes = [node_for(sql, False) for sql in sqls[:-1]]
    nodes.append(node_for(sqls[-1], last_returns_rows))
    return {"type": "seq", "args": nodes}


def _get(name: str) -> Node:
    return {"type": "get", "args": {"name": name}}


def plan_body(node: Node, *, atomic: bool, prelude: Sequence[str], operation: str) -> bytes:
    """A node built by the driver (``sequence``, ``first_of``), with the connection's prelude."""
    return body(_wrapped(node, atomic, prelude), operation)
