"""Median latency of a primary-key SELECT: django_prisma.dbapi vs a bare urllib3+orjson round trip
(same SQL, same Prisma executor) vs psycopg straight to the PostgreSQL behind that executor.

    .venv/bin/python bench/latency.py [--iterations 2000] [--postgres postgres://…]

Starts Prisma's executor (``LocalServer("executor")``) in front of a fresh database on the given
PostgreSQL, fills a 1,000-row table, then runs the three clients in turn, rotating which one goes
first in each round so that drift (CPU frequency, caches, the pool) hits them equally.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shlex
import statistics
import sys
import time

import orjson
import psycopg
import urllib3

from django_prisma import dbapi
from django_prisma.devserver import throwaway_executor

SQL = "SELECT id, name, price, created FROM bench_item WHERE id = %s"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "DJANGO_PRISMA_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
        help="PostgreSQL server to create the throw-away benchmark database on",
    )
    args = parser.parse_args(argv)

    with throwaway_executor(args.postgres, "dp_bench") as server:
        database_url = server.database_url
        with psycopg.connect(database_url, autocommit=True) as pg:
            pg.execute(
                "CREATE TABLE bench_item (id int PRIMARY KEY, name text, price numeric(10,2), "
                "created timestamptz)"
            )
            pg.execute(
                "INSERT INTO bench_item SELECT i, 'item ' || i, i * 1.25, "
                "'2024-01-01'::timestamptz + i * interval '1 minute' "
                "FROM generate_series(1, 1000) i"
            )
            results = run(server, pg, args.iterations, args.warmup)
    report(results, args)
    return 0


def run(server, pg, iterations: int, warmup: int) -> dict[str, list[float]]:
    conn = dbapi.connect(server.url, autocommit=True)
    cur = conn.cursor()
    endpoint = dbapi.parse_url(server.url)
    pool = urllib3.HTTPConnectionPool(endpoint.host, endpoint.port, maxsize=1, retries=False)
    headers = {
        "Authorization": f"Bearer {endpoint.api_key}",
        "Prisma-Engine-Hash": "7.2.0",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }

    def via_driver(key):
        cur.execute(SQL, [key])
        return cur.fetchone()

    def via_http(key):
        body = orjson.dumps(
            {
                "operation": "queryRaw",
                "plan": {
                    "type": "query",
                    "args": {
                        "type": "rawSql",
                        "sql": SQL % int(key),
                        "args": [],
                        "argTypes": [],
                    },
                },
                "params": {},
            }
        )
        response = pool.urlopen("POST", "/query", body=body, headers=headers)
        assert response.status == 200, response.data
        return orjson.loads(response.data)["data"]["rows"][0]

    def via_psycopg(key):
        return pg.execute(SQL, [key]).fetchone()

    clients = {"driver": via_driver, "bare HTTP": via_http, "psycopg": via_psycopg}
    # sanity: all three see the same row
    assert via_driver(7)[0] == via_http(7)[0] == via_psycopg(7)[0] == 7
    timings: dict[str, list[float]] = {name: [] for name in clients}
    names = list(clients)
    rng = random.Random(42)
    for i in range(warmup + iterations):
        key = rng.randint(1, 1000)
        order = names[i % 3 :] + names[: i % 3]
        for name in order:
            started = time.perf_counter()
            clients[name](key)
            elapsed = time.perf_counter() - started
            if i >= warmup:
                timings[name].append(elapsed)
    conn.close()
    pool.close()
    return timings


def report(timings, args) -> None:
    print("command:", shlex.join([sys.executable, *sys.argv]))
    print(
        f"python {platform.python_version()}, urllib3 {urllib3.__version__}, "
        f"orjson {orjson.__version__}, psycopg {psycopg.__version__}, "
        f"{platform.machine()} {platform.system()}; {args.iterations} rounds after "
        f"{args.warmup} warm-up, clients rotated each round"
    )
    base = statistics.median(timings["psycopg"])
    print(f"{'client':<12}{'median µs':>11}{'p90 µs':>10}{'mean µs':>10}{'× psycopg':>11}")
    for name, values in timings.items():
        values = sorted(values)
        median = statistics.median(values)
        p90 = values[int(len(values) * 0.9)]
        mean = statistics.fmean(values)
        print(
            f"{name:<12}{median * 1e6:>11.0f}{p90 * 1e6:>10.0f}{mean * 1e6:>10.0f}"
            f"{median / base:>11.1f}"
        )
    driver = statistics.median(timings["driver"])
    http = statistics.median(timings["bare HTTP"])
    print(f"driver overhead over bare HTTP: {(driver - http) * 1e6:.0f} µs per query (median)")


if __name__ == "__main__":
    sys.exit(main())
