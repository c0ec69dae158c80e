"""Reading what the emulator received: the SQL of each ``/query`` and its cache headers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Sent:
    sql: str
    cache_control: str | None
    tags: str | None

    @property
    def is_read(self) -> bool:
        return self.sql.lstrip().upper().startswith("SELECT")


def _sqls(node) -> list[str]:
    if isinstance(node, dict):
        if node.get("type") == "rawSql":
            return [node["sql"]]
        return [s for v in node.values() for s in _sqls(v)]
    if isinstance(node, list):
        return [s for v in node for s in _sqls(v)]
    return []


def sent(emulator, *, transactions: bool = False) -> list[Sent]:
    """Statements received since the last ``clear_log()``, in order (autocommit ``/query`` only,
    unless ``transactions``)."""
    out = []
    for r in list(emulator.requests):
        if r.path != "/query" and not (transactions and r.path.endswith("/query")):
            continue
        sqls = [s for s in _sqls(r.json["plan"]) if not s.startswith("SET ")]
        for sql in sqls:
            out.append(
                Sent(sql, r.headers.get("cache-control"), r.headers.get("accelerate-cache-tags"))
            )
    return out
