"""Client-side literals vs typed ``$n`` parameters, on both local servers.

    python bench/binding.py [--rounds N]

The same primary-key SELECT and single-row INSERT, sent as raw HTTP requests (urllib3 + orjson)
either with the values inlined as SQL literals (what django_prisma's driver sends) or as
``$1…$n`` placeholders with ``args``/``argTypes``. Prints median latency per variant and server.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import orjson
import urllib3

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django_prisma.dbapi.url import parse_url  # noqa: E402
from django_prisma.devserver import LocalServer, throwaway_executor  # noqa: E402

POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"


def plan(kind, sql, args=(), types=()):
    return orjson.dumps(
        {
            "operation": "queryRaw",
            "plan": {"type": kind, "args": {"type": "rawSql", "sql": sql, "args": list(args),
                                            "argTypes": list(types)}},
            "params": {},
        }
    )  # fmt: skip


def measure(server_url: str, rounds: int) -> dict[str, float]:
    ep = parse_url(server_url)
    pool = urllib3.HTTPConnectionPool(ep.host, ep.port, maxsize=1)
    headers = {"Authorization": f"Bearer {ep.api_key}", "Prisma-Engine-Hash": "7.2.0",
               "Content-Type": "application/json"}  # fmt: skip

    def send(body):
        response = pool.urlopen("POST", "/query", body=body, headers=headers)
        assert response.status == 200, response.data
        return orjson.loads(response.data)

    send(plan("execute", "CREATE TABLE IF NOT EXISTS bind_bench (id serial PRIMARY KEY, "
                         "name text, at timestamptz, n numeric)"))  # fmt: skip
    send(plan("execute", "INSERT INTO bind_bench (name, at, n) SELECT 'x' || g, now(), g "
                         "FROM generate_series(1, 1000) g"))  # fmt: skip
    variants = {
        "select, literals": lambda i: plan("query", f"SELECT * FROM bind_bench WHERE id = {i}"),
        "select, $1 typed": lambda i: plan(
            "query",
            "SELECT * FROM bind_bench WHERE id = $1",
            [i],
            [{"scalarType": "int", "arity": "scalar"}],
        ),
        "insert, literals": lambda i: plan(
            "execute",
            f"INSERT INTO bind_bench (name, at, n) VALUES ('n{i}', "
            f"'2024-05-06 07:08:09.123456+00:00'::timestamptz, 12345.678)",
        ),
        "insert, $n typed": lambda i: plan(
            "execute",
            "INSERT INTO bind_bench (name, at, n) VALUES ($1, $2, $3)",
            [f"n{i}", "2024-05-06T07:08:09.123456+00:00", "12345.678"],
            [{"scalarType": t, "arity": "scalar"} for t in ("string", "string", "decimal")],
        ),
    }
    samples = {name: [] for name in variants}
    for i in range(rounds):
        for name, make in variants.items():
            body = make(1 + i % 1000)
            started = time.perf_counter()
            send(body)
            samples[name].append(time.perf_counter() - started)
    send(plan("execute", "DROP TABLE bind_bench"))
    return {name: statistics.median(values) * 1e6 for name, values in samples.items()}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    results = {}
    with LocalServer("dev") as dev:
        results["dev"] = measure(dev.url, args.rounds)
    with throwaway_executor(POSTGRES, "bind_bench") as executor:
        results["executor"] = measure(executor.url, args.rounds)
    print(f"command: python bench/binding.py --rounds {args.rounds}")
    print(f"{'variant':20} {'dev µs':>10} {'executor µs':>12}")
    for name in results["dev"]:
        print(f"{name:20} {results['dev'][name]:10.0f} {results['executor'][name]:12.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
