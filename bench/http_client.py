"""The driver's HTTP connection (django_prisma/dbapi/http.py) vs urllib3 vs httpx, same requests.

    python bench/http_client.py [--rounds N]

One executor + PostgreSQL server; the same small `/query` request sent through each client in
turn (keep-alive, one connection each), alternating; median and p90 per client.
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

BODY = orjson.dumps(
    {
        "operation": "queryRaw",
        "plan": {"type": "query", "args": {"type": "rawSql", "sql": "SELECT 1 AS a, 'hello' AS b",
                                           "args": [], "argTypes": []}},
        "params": {},
    }
)  # fmt: skip


def clients(url):
    ep = parse_url(url)
    headers = {
        "Authorization": f"Bearer {ep.api_key}", "Prisma-Engine-Hash": "7.2.0",
        "Content-Type": "application/json", "Accept": "application/json",
    }  # fmt: skip
    block = b"".join(f"{k}: {v}\r\n".encode() for k, v in headers.items())
    lean = HTTPConnection(ep.host, ep.port, connect_timeout=10, read_timeout=60)
    found = {"driver http.py": lambda: lean.request("POST", "/query", block, BODY)[2]}
    try:
        import urllib3

        pool = urllib3.HTTPConnectionPool(ep.host, ep.port, maxsize=1, retries=False)
        found["urllib3"] = lambda: pool.urlopen("POST", "/query", body=BODY, headers=headers).data
    except ImportError:
        pass
    try:
        import httpx

        client = httpx.Client(base_url=ep.origin)
        found["httpx"] = lambda: client.post("/query", content=BODY, headers=headers).content
    except ImportError:
        pass
    return found


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    with throwaway_executor("postgres://postgres@127.0.0.1:5432/postgres", "httpb") as server:
        found = clients(server.url)
        samples = {name: [] for name in found}
        for _ in range(args.rounds):
            for name, send in found.items():
                started = time.perf_counter()
                orjson.loads(send())
                samples[name].append(time.perf_counter() - started)
    print(f"command: python bench/http_client.py --rounds {args.rounds}")
    print(f"{'client':16} {'median µs':>10} {'p90 µs':>8}")
    for name, values in samples.items():
        values.sort()
        print(
            f"{name:16} {statistics.median(values) * 1e6:10.0f} {values[int(len(values) * 0.9)] * 1e6:8.0f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
