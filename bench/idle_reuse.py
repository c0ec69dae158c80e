"""A query after 1, 4.5 and 8 s of idleness: does it reuse the keep-alive connection?

    .venv/bin/python bench/idle_reuse.py [--baseline /path/to/older/checkout]

Prisma's servers announce ``Keep-Alive: timeout=5`` and close idle sockets after 6.0 s. For
each idle time, a fresh process connects to the executor, runs one query, sleeps, runs a
second, and reports how many TCP connections it opened and the wall
time of the second query; against ``--baseline`` (another checkout) if given.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from django_prisma.devserver import throwaway_executor  # noqa: E402

CHILD = r"""
import json, sys, time
from django_prisma import dbapi
url, idle = sys.argv[1], float(sys.argv[2])
conn = dbapi.connect(url, autocommit=True)
cur = conn.cursor()
cur.execute("SELECT 1")
time.sleep(idle)
started = time.perf_counter()
cur.execute("SELECT 2")
elapsed = time.perf_counter() - started
print(json.dumps({"connections": conn.transport.connections_opened, "ms": elapsed * 1e3}))
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "DJANGO_PRISMA_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = parser.parse_args(argv)
    roots = {"django_prisma": ROOT}
    if args.baseline:
        roots["baseline"] = Path(args.baseline).resolve()
    print("command:", shlex.join([sys.executable, *sys.argv]))
    print(f"{'idle s':>7}  " + "  ".join(f"{name + ' conns / ms':>26}" for name in roots))
    with (
        throwaway_executor(args.postgres, "dp_idle") as server,
        tempfile.TemporaryDirectory() as tmp,
    ):
        for idle in (1.0, 4.5, 8.0):
            cells = []
            for root in roots.values():
                done = subprocess.run(
                    [sys.executable, "-c", CHILD, server.url, str(idle)],
                    env=dict(os.environ, PYTHONPATH=str(root)),
                    cwd=tmp,
                    capture_output=True,
                    text=True,
                    timeout=120,
                    check=True,
                )
                row = json.loads(done.stdout.strip().splitlines()[-1])
                cells.append(f"{row['connections']:>18} / {row['ms']:5.1f}")
            print(f"{idle:>7}  " + "  ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
