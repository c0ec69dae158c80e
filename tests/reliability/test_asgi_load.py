"""An ASGI server under load against the executor + PostgreSQL topology.

uvicorn serves a small Django application (``asgi_app/``: async views calling the ORM through
``sync_to_async``, sync views that Django runs in threads) in a subprocess, with django_prisma
talking to an executor server in front of a fresh database. Client threads on loopback send a
mix of requests; every answer is checked against what that request alone should see, counters
against the successful increments, failures against the database error classes that may
legitimately occur, and afterwards PostgreSQL (read directly) for open transactions and the
server for transaction ids used from two threads or two requests."""

from __future__ import annotations

import json
import os
import random
import selectors
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter as Tally
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pytest
import urllib3

from django_prisma.devserver import LocalServer

from ..conftest import fresh_database_url
from .conftest import scale, wait_no_open_transactions

ROOT = Path(__file__).resolve().parents[2]
THREADS = scale(16, 32)
REQUESTS = scale(25, 250)  # per client thread
KINDS = ["write", "read", "echo", "incr", "rr_incr"]
# The only failures a request may end with under this load: SQLSTATE → the class Django raises.
ALLOWED_FAILURES = {
    "40001": "django.db.utils.OperationalError",  # serialization failure (REPEATABLE READ)
    "40P01": "django.db.utils.OperationalError",  # deadlock detected
}


class AsgiApp:
    """The uvicorn subprocess; ``request`` sends one HTTP request to it over loopback."""

    def __init__(self, prisma_url: str, pg_url: str):
        self.prisma_url, self.pg_url = prisma_url, pg_url
        self.process: subprocess.Popen | None = None
        self.port: int | None = None
        self.log = tempfile.TemporaryFile(mode="w+b")

    def start(self, timeout: float = 60.0) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.reliability.asgi_app.settings",
            "ASGI_LOAD_PRISMA_URL": self.prisma_url,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.asgi_app.serve"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
        )
        deadline = time.monotonic() + timeout
        line = b""
        with selectors.DefaultSelector() as sel:
            sel.register(self.process.stdout, selectors.EVENT_READ)
            while not line.endswith(b"\n"):
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not sel.select(remaining):
                    self.stop()
                    raise RuntimeError("the ASGI server did not start in time")
                chunk = os.read(self.process.stdout.fileno(), 4096)
                if not chunk:
                    self.process.wait(10)
                    raise RuntimeError(
                        f"the ASGI server exited ({self.process.returncode}): "
                        f"{self.stderr()[-3000:]}"
                    )
                line += chunk
        info = json.loads(line)
        assert info["ready"]
        self.port = info["port"]

    def stderr(self) -> str:
        """What the server wrote to stderr so far (uvicorn logs unhandled exceptions there)."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self) -> None:
        proc, self.process = self.process, None
        if proc is None:
            return
        proc.stdin.close()  # the server exits on EOF
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        proc.stdout.close()

    def pool(self) -> urllib3.HTTPConnectionPool:
        """One keep-alive connection to 127.0.0.1 (a client thread's own)."""
        return urllib3.HTTPConnectionPool(
            "127.0.0.1",
            self.port,
            maxsize=1,
            retries=False,
            timeout=urllib3.Timeout(connect=5, read=60),
        )

    def request(self, pool, method, mode, op, arg, **params) -> tuple[int, dict | str]:
        query = f"?{urlencode(params)}" if params else ""
        response = pool.request(
            method, f"/{mode}/{op}/{arg}{query}", headers={"X-Load-Id": uuid.uuid4().hex}
        )
        try:
            return response.status, json.loads(response.data)
        except ValueError:
            return response.status, response.data.decode(errors="replace")[:500]

    def observed(self) -> dict:
        with self.pool() as pool:
            response = pool.request("GET", "/observed")
        assert response.status == 200, response.data[:500]
        return json.loads(response.data)


@pytest.fixture(scope="module")
def app():
    url = fresh_database_url("dp_asgi")
    with LocalServer(
        "executor", database_url=url, fresh_database=True, drop_database_on_exit=True
    ) as db:
        server = AsgiApp(db.url, db.database_url)
        server.start()
        try:
            yield server
        finally:
            server.stop()
            server.log.close()


def _create_counters(app: AsgiApp, *names: str) -> None:
    with psycopg.connect(app.pg_url, autocommit=True) as pg:
        for name in names:
            pg.execute("INSERT INTO asgi_counters (name, value) VALUES (%s, 0)", [name])


def _counter(app: AsgiApp, name: str) -> int:
    with psycopg.connect(app.pg_url, autocommit=True) as pg:
        return pg.execute("SELECT value FROM asgi_counters WHERE name = %s", [name]).fetchone()[0]


def _run_threads(target, count: int, timeout: float) -> list[str]:
    problems: list[str] = []

    def body(index):
        try:
            target(index)
        except BaseException as error:  # noqa: BLE001 - collected and asserted on
            problems.append(f"client {index}: {type(error).__name__}: {error}")

    threads = [threading.Thread(target=body, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.1, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "a client thread hung"
    return problems


def _assert_clean_afterwards(app: AsgiApp, min_transactions: int) -> dict:
    """No transaction left open at PostgreSQL, no transaction id used from two threads or two
    requests, no unhandled exception in the server's log."""
    assert wait_no_open_transactions(app.pg_url) == []
    database = app.pg_url.rsplit("/", 1)[1]
    with psycopg.connect(app.pg_url, autocommit=True) as pg:
        idle_in_tx = pg.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
            "AND state LIKE 'idle in transaction%%'",
            [database],
        ).fetchone()[0]
    assert idle_in_tx == 0
    observed = app.observed()
    assert observed["transactions"] >= min_transactions
    assert observed["shared_between_threads"] == {}
    assert observed["shared_between_requests"] == {}
    assert observed["outside_a_request"] == []
    log = app.stderr()
    assert "Traceback" not in log and "Exception in ASGI application" not in log, log[-3000:]
    return observed


def _failure_problem(kind: str, status: int, body, allowed: set[str]) -> str | None:
    """None if this failed request failed the way it may: a 5xx naming a database error class
    and an expected SQLSTATE."""
    if not 500 <= status <= 599 or not isinstance(body, dict):
        return f"{kind}: HTTP {status} {body!r}"
    pgcode = body.get("pgcode")
    if pgcode not in allowed or body.get("error") != ALLOWED_FAILURES.get(pgcode):
        return f"{kind}: unexpected failure HTTP {status} {body!r}"
    if body.get("rollback") is not True:
        return f"{kind}: cause {body.get('cause')!r}"
    return None


# A request kind → the SQLSTATEs it may fail with under this load (nothing else may fail).
MAY_FAIL = {"write": set(), "read": set(), "echo": set(), "incr": set(), "rr_incr": {"40001"}}


def test_asgi_server_under_load_answers_each_request_with_its_own_rows(app):
    run = uuid.uuid4().hex[:8]
    sfu, rr = f"sfu-{run}", f"rr-{run}"
    _create_counters(app, sfu, rr)
    lock = threading.Lock()
    problems: list[str] = []
    outcomes: Tally = Tally()  # (kind, mode, status)
    values: dict[str, list[int]] = {sfu: [], rr: []}
    expected_rows: dict[str, list[list]] = {}
    time_limit = scale(45, 600)
    deadline = time.monotonic() + time_limit

    def client(index):
        with app.pool() as pool:
            load(index, pool)

    def load(index, pool):
        rng = random.Random(f"{run}-{index}")
        mine: list[tuple[str, list[list]]] = []
        for i in range(REQUESTS):
            if time.monotonic() > deadline:
                raise TimeoutError(f"not done within {time_limit} s")
            mode = rng.choice(["sync", "async"])
            kind = rng.choice(KINDS) if mine else "write"
            if kind == "write":
                marker = f"{run}-{index}-{i}-{uuid.uuid4().hex[:6]}"
                n = rng.randint(1, 4)
                status, body = app.request(pool, "POST", mode, "write", marker, n=n)
                rows = [[seq, f"{marker}:{seq}"] for seq in range(n)]
                good = body == {"marker": marker, "rows": rows}
                mine.append((marker, rows if status == 200 else []))
            elif kind == "read":
                marker, rows = rng.choice(mine)
                status, body = app.request(pool, "GET", mode, "read", marker)
                good = body == {"marker": marker, "rows": rows}
            elif kind == "echo":
                token = f"{index}:{i}:{uuid.uuid4().hex}"
                status, body = app.request(pool, "GET", mode, "echo", token)
                good = body == {"token": token}
            else:
                name = sfu if kind == "incr" else rr
                status, body = app.request(pool, "POST", mode, kind, name)
                good = isinstance(body, dict) and isinstance(body.get("value"), int)
                if status == 200 and good:
                    with lock:
                        values[name].append(body["value"])
            with lock:
                outcomes[kind, mode, status] += 1
                if status == 200 and not good:
                    problems.append(f"{kind} ({mode}) answered with wrong data: {body!r}")
                elif status != 200:
                    problem = _failure_problem(kind, status, body, MAY_FAIL[kind])
                    if problem:
                        problems.append(problem)
        with lock:
            expected_rows.update(mine)

    started = time.monotonic()
    problems += _run_threads(client, THREADS, timeout=time_limit + 60)
    elapsed = time.monotonic() - started
    assert problems[:20] == []
    assert sum(outcomes.values()) == THREADS * REQUESTS
    for mode in ("sync", "async"):
        assert sum(n for (_, m, s), n in outcomes.items() if m == mode and s == 200) > 0

    # Every marker holds exactly the rows its request wrote, or none if the request failed.
    with psycopg.connect(app.pg_url, autocommit=True) as pg:
        at_pg: dict[str, list[list]] = {m: [] for m in expected_rows}
        for marker, seq, payload in pg.execute(
            "SELECT marker, seq, payload FROM asgi_rows WHERE marker LIKE %s ORDER BY marker, seq",
            [f"{run}-%"],
        ):
            at_pg.setdefault(marker, []).append([seq, payload])
    assert at_pg == expected_rows
    # No lost update, no increment seen twice: the values answered are exactly 1..final.
    for name in (sfu, rr):
        final = _counter(app, name)
        assert final == len(values[name])
        assert sorted(values[name]) == list(range(1, final + 1))

    ok = {k: sum(n for (kk, _, s), n in outcomes.items() if kk == k and s == 200) for k in KINDS}
    failed = {
        k: sum(n for (kk, _, s), n in outcomes.items() if kk == k and s != 200) for k in KINDS
    }
    observed = _assert_clean_afterwards(app, ok["write"] + ok["incr"] + ok["rr_incr"])
    print(
        f"\nASGI load: {THREADS} client threads x {REQUESTS} requests = {THREADS * REQUESTS} in "
        f"{elapsed:.1f} s ({THREADS * REQUESTS / elapsed:.0f} req/s); ok {ok}; failed {failed} "
        f"(all 503 serialization failures 40001); transactions {observed['transactions']} "
        f"on {observed['threads']} server threads, none shared"
    )


def _two_at_once(app: AsgiApp, make_request) -> list[tuple[int, dict | str]]:
    barrier = threading.Barrier(2, timeout=30)
    results: dict[int, tuple] = {}

    def go(index):
        with app.pool() as pool:
            barrier.wait()
            results[index] = make_request(pool, index)

    assert _run_threads(go, 2, timeout=60) == []
    return [results[0], results[1]]


@pytest.mark.parametrize("sync_first", [True, False], ids=["sync_locks_a", "async_locks_a"])
def test_deadlock_between_concurrent_requests_is_a_503_40p01(app, sync_first):
    run = uuid.uuid4().hex[:8]
    a, b = f"a-{run}", f"b-{run}"
    _create_counters(app, a, b)

    def lockpair(pool, index):
        first, second = (a, b) if index == 0 else (b, a)
        mode = ("sync", "async")[index if sync_first else 1 - index]
        return app.request(pool, "POST", mode, "lockpair", first, second=second, hold=0.5)

    results = _two_at_once(app, lockpair)
    assert sorted(status for status, _ in results) == [200, 503], results
    (_, failure), (_, success) = sorted(results, key=lambda r: r[0], reverse=True)
    assert _failure_problem("lockpair", 503, failure, {"40P01"}) is None, failure
    assert "deadlock detected" in failure["message"]
    assert sorted(success["values"]) == [1, 1]
    assert (_counter(app, a), _counter(app, b)) == (1, 1)  # the winner's, once; none of the loser's
    _assert_clean_afterwards(app, 2)


@pytest.mark.parametrize("modes", [("sync", "async"), ("async", "async"), ("sync", "sync")])
def test_serialization_failure_between_concurrent_requests_is_a_503_40001(app, modes):
    name = f"rr-{uuid.uuid4().hex[:8]}"
    _create_counters(app, name)

    def rr_incr(pool, index):
        return app.request(pool, "POST", modes[index], "rr_incr", name, hold=0.5)

    results = _two_at_once(app, rr_incr)
    assert sorted(status for status, _ in results) == [200, 503], results
    (_, failure), (_, success) = sorted(results, key=lambda r: r[0], reverse=True)
    assert _failure_problem("rr_incr", 503, failure, {"40001"}) is None, failure
    assert "could not serialize" in failure["message"]
    assert success == {"value": 1}
    assert _counter(app, name) == 1  # not 2 (a lost update would also read 1 with both "ok")
    _assert_clean_afterwards(app, 2)
