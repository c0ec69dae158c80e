"""What the pool-poisoning immunity costs: one autocommit INSERT … RETURNING sent bare, wrapped in
a `transaction` plan node (what django_prisma sends by default), and wrapped with SET CONSTRAINTS
ALL IMMEDIATE as well (an earlier design; deferred-constraint failures are now replayed instead),
alternating on one executor + PostgreSQL server.

    python bench/autocommit_writes.py [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django_prisma.dbapi.http import HTTPConnection  # noqa: E402
from django_prisma.dbapi.url import parse_url  # noqa: E402
from django_prisma.devserver import throwaway_executor  # noqa: E402

INSERT = (
    "INSERT INTO ev (kind, payload, value, created) VALUES ('single', 'event', 1, "
    "'2024-01-01 00:00:00+00:00'::timestamptz) RETURNING ev.id"
)


def raw(sql, kind):
    return {"type": kind, "args": {"type": "rawSql", "sql": sql, "args": [], "argTypes": []}}


VARIANTS = {
    "bare": raw(INSERT, "query"),
    "transaction node (default)": {"type": "transaction", "args": raw(INSERT, "query")},
    "transaction + SET CONSTRAINTS": {
        "type": "transaction",
        "args": {"type": "seq", "args": [raw("SET CONSTRAINTS ALL IMMEDIATE", "execute"),
                                         raw(INSERT, "query")]},
    },
}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=1500)
    args = parser.parse_args()
    with throwaway_executor("postgres://postgres@127.0.0.1:5432/postgres", "wrapb") as server:
        ep = parse_url(server.url)
        block = (f"Authorization: Bearer {ep.api_key}\r\nPrisma-Engine-Hash: 7.2.0\r\n"
                 "Content-Type: application/json\r\n").encode()  # fmt: skip
        conn = HTTPConnection(ep.host, ep.port, connect_timeout=10, read_timeout=60)

        def send(plan):
            body = orjson.dumps({"operation": "executeRaw", "plan": plan, "params": {}})
            status, _, data = conn.request("POST", "/query", block, body)
            assert status == 200, data

        send(raw("CREATE TABLE ev (id serial PRIMARY KEY, kind varchar(20), payload text, "
                 "value int, created timestamptz)", "execute"))  # fmt: skip
        samples = {name: [] for name in VARIANTS}
        for _ in range(args.rounds):
            for name, plan in VARIANTS.items():
                started = time.perf_counter()
                send(plan)
                samples[name].append(time.perf_counter() - started)
    print(f"command: python bench/autocommit_writes.py --rounds {args.rounds}")
    for name, values in samples.items():
        print(f"{name:42} {statistics.median(values) * 1e6:8.0f} µs median")
    return 0


if __name__ == "__main__":
    sys.exit(main())
