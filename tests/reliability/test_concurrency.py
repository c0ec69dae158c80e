"""Many threads (one Django connection each) against the executor + PostgreSQL: no cross-talk, no
lost updates, serialization failures and deadlocks as the right errors, transaction ids never
shared between threads, nothing left open; and the executor's pool-poisoning bug, defused."""

from __future__ import annotations

import threading
import uuid
from collections import defaultdict

import orjson
import psycopg
import pytest
import urllib3
from django.db import connection, connections, transaction
from django.db.utils import OperationalError

from django_prisma import dbapi
from django_prisma.dbapi.transport import Transport
from django_prisma.devserver import LocalServer
from tests.testapp.models import User

from ..conftest import POSTGRES_URL, fresh_database_url
from .conftest import scale, wait_no_open_transactions

THREADS = scale(8, 16)
ROUNDS = scale(15, 200)


def _run_threads(target, count: int, timeout: float = 240.0) -> list[BaseException]:
    errors: list[BaseException] = []

    def body(index):
        try:
            target(index)
        except BaseException as error:  # noqa: BLE001 - collected and asserted on
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), "a worker thread hung"
    return errors


@pytest.fixture
def tx_paths(monkeypatch):
    """Records (thread, path) of every request the driver sends (observation only)."""
    seen: list[tuple[int, str]] = []
    original = Transport.request

    def recording(self, method, path, *args, **kwargs):
        seen.append((threading.get_ident(), path))
        return original(self, method, path, *args, **kwargs)

    monkeypatch.setattr(Transport, "request", recording)
    return seen


def _django_pg_url() -> str:
    return connections["default"].creation._server.database_url


def _assert_tx_ids_single_threaded(seen):
    threads_by_tx = defaultdict(set)
    for thread, path in seen:
        if path.startswith("/transaction/") and path != "/transaction/start":
            threads_by_tx[path.split("/")[2]].add(thread)
    assert threads_by_tx, "no transaction was observed"
    shared = {tx: t for tx, t in threads_by_tx.items() if len(t) > 1}
    assert shared == {}


@pytest.mark.django_db(transaction=True)
def test_no_request_is_answered_with_another_requests_rows(tx_paths):
    def worker(index):
        mine = f"w{index}-{uuid.uuid4().hex[:6]}@example.com"
        User.objects.create(email=mine, name=str(index))
        for round_ in range(ROUNDS):
            token = f"{index}:{round_}:{uuid.uuid4().hex}"
            with connection.cursor() as cursor:
                cursor.execute("SELECT %s::text, pg_backend_pid()", [token])
                assert cursor.fetchone()[0] == token
            assert list(User.objects.filter(email=mine).values_list("name", flat=True)) == [
                str(index)
            ]
            if round_ % 3 == 0:
                with transaction.atomic():
                    user = User.objects.select_for_update().get(email=mine)
                    assert user.name == str(index)
                    user.save(update_fields=["name"])

    assert _run_threads(worker, THREADS) == []
    assert User.objects.count() == THREADS
    _assert_tx_ids_single_threaded(tx_paths)
    assert wait_no_open_transactions(_django_pg_url()) == []


@pytest.mark.django_db(transaction=True)
def test_select_for_update_loses_no_update(tx_paths):
    counter = User.objects.create(email="counter@example.com", name="0")
    increments = scale(5, 40)

    def worker(index):
        for _ in range(increments):
            with transaction.atomic():
                row = User.objects.select_for_update().get(pk=counter.pk)
                row.name = str(int(row.name) + 1)
                row.save(update_fields=["name"])

    assert _run_threads(worker, THREADS) == []
    counter.refresh_from_db()
    assert counter.name == str(THREADS * increments)
    _assert_tx_ids_single_threaded(tx_paths)
    assert wait_no_open_transactions(_django_pg_url()) == []


@pytest.mark.django_db(transaction=True)
def test_deadlock_surfaces_as_operational_error_40p01():
    a = User.objects.create(email="a@example.com", name="a")
    b = User.objects.create(email="b@example.com", name="b")
    barrier = threading.Barrier(2, timeout=30)
    outcomes = {}

    def worker(index):
        first, second = (a, b) if index == 0 else (b, a)
        try:
            with transaction.atomic():
                User.objects.select_for_update().get(pk=first.pk)
                barrier.wait()
                User.objects.select_for_update().get(pk=second.pk)
            outcomes[index] = "ok"
        except OperationalError as error:
            outcomes[index] = error

    assert _run_threads(worker, 2) == []
    errors = [o for o in outcomes.values() if o != "ok"]
    assert len(errors) == 1 and list(outcomes.values()).count("ok") == 1, outcomes
    cause = errors[0].__cause__
    assert isinstance(cause, dbapi.TransactionRollbackError) and cause.pgcode == "40P01"
    assert "deadlock detected" in str(errors[0])
    assert User.objects.filter(pk__in=[a.pk, b.pk]).count() == 2  # still usable
    assert wait_no_open_transactions(_django_pg_url()) == []


def test_serialization_failure_is_transaction_rollback_error(executor_server, table_name):
    admin = dbapi.connect(executor_server.url, autocommit=True)
    admin.cursor().execute(f"CREATE TABLE {table_name} (id int PRIMARY KEY, on_call bool)")
    admin.cursor().execute(f"INSERT INTO {table_name} VALUES (1, true), (2, true)")
    one, two = (
        dbapi.connect(executor_server.url, isolation_level="serializable") for _ in range(2)
    )
    try:
        c1, c2 = one.cursor(), two.cursor()
        for cur in (c1, c2):
            cur.execute(f"SELECT count(*) FROM {table_name} WHERE on_call")
            assert cur.fetchone() == (2,)
        c1.execute(f"UPDATE {table_name} SET on_call = false WHERE id = 1")
        c2.execute(f"UPDATE {table_name} SET on_call = false WHERE id = 2")
        one.commit()
        with pytest.raises(dbapi.TransactionRollbackError) as info:
            two.commit()
        assert info.value.pgcode == "40001"
        assert not two.in_transaction
        c2.execute(f"SELECT count(*) FROM {table_name} WHERE on_call")  # usable again
        assert c2.fetchone() == (1,)
        two.commit()
    finally:
        one.close()
        two.close()
        admin.cursor().execute(f"DROP TABLE {table_name}")
        admin.close()
    assert wait_no_open_transactions(executor_server.database_url) == []


# -- pool poisoning (protocol doc §7, §12 q) -----------------------------------------------------


@pytest.fixture
def poisonable():
    """A private executor: the test exhausts its pool on purpose."""
    url = fresh_database_url("dp_poison")
    with LocalServer(
        "executor", database_url=url, fresh_database=True, drop_database_on_exit=True
    ) as server:
        yield server


def _raw(server, path, body, timeout=30):
    key = server.url.split("api_key=", 1)[1]
    port = dbapi.parse_url(server.url).port
    response = urllib3.request(
        "POST",
        f"http://127.0.0.1:{port}{path}",
        body=orjson.dumps(body),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        timeout=timeout,
        retries=False,
    )
    return response.status, response.data


def _execute_plan(sql):
    raw = {"type": "rawSql", "sql": sql, "args": [], "argTypes": []}
    return {"operation": "executeRaw", "plan": {"type": "execute", "args": raw}, "params": {}}


def _clean_idle(server) -> int:
    """Pooled connections of the executor's database that are idle outside a transaction."""
    database = server.database_url.rsplit("/", 1)[1]
    with psycopg.connect(POSTGRES_URL, autocommit=True) as pg:
        row = pg.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND state = 'idle'",
            [database],
        ).fetchone()
    return row[0]


def _poisoned(server) -> list[int]:
    database = server.database_url.rsplit("/", 1)[1]
    with psycopg.connect(POSTGRES_URL, autocommit=True) as pg:
        rows = pg.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND state = "
            "'idle in transaction' AND query ILIKE 'BEGIN%%'",
            [database],
        ).fetchall()
    return [r[0] for r in rows]


def test_pool_poisoning_after_start_timeout_cannot_lose_autocommit_writes(poisonable):
    server = poisonable
    with psycopg.connect(server.database_url, autocommit=True) as pg:
        pg.execute("CREATE TABLE poison (who text)")
    # 1. Exhaust the executor's pool (10) with open transactions, then time out 2 more starts.
    held = []
    for _ in range(10):
        status, body = _raw(server, "/transaction/start", {"timeout": 60000, "maxWait": 5000})
        assert status == 200
        held.append(orjson.loads(body)["id"])
    results = []
    starters = [
        threading.Thread(
            target=lambda: results.append(
                _raw(server, "/transaction/start", {"timeout": 60000, "maxWait": 300})[0]
            )
        )
        for _ in range(2)
    ]
    for t in starters:
        t.start()
    for t in starters:
        t.join(30)
    assert results == [409, 409]
    for tx in held:
        assert _raw(server, f"/transaction/{tx}/rollback", {})[0] == 200
    # 2. The bug: a late BEGIN left pooled connections idle inside a transaction.
    pause = threading.Event()
    poisoned, stable = [], 0
    for _ in range(60):  # until the late BEGINs have all landed: the same answer 5 times
        now = _poisoned(server)
        stable = stable + 1 if (now and now == poisoned) else 0
        poisoned = now
        if stable >= 5:
            break
        pause.wait(0.1)
    assert poisoned, "the executor's pool-poisoning bug did not reproduce"
    # 3. Occupy every clean pooled connection so that autocommit requests land on poisoned ones.
    # The pool may hand a new transaction a poisoned connection as well as a clean one: occupy
    # until no clean connection is idle (a marker statement tells the occupied ones apart).
    busy = []
    while len(busy) < 10 and _clean_idle(server):
        status, body = _raw(server, "/transaction/start", {"timeout": 60000, "maxWait": 5000})
        assert status == 200
        busy.append(orjson.loads(body)["id"])
        marker = _execute_plan("SELECT 'occupied'")
        assert _raw(server, f"/transaction/{busy[-1]}/query", marker)[0] == 200
    assert _poisoned(server), "every poisoned connection was taken by the occupying transactions"
    # Control: plain (unwrapped) INSERTs are acknowledged, but those that land on a poisoned
    # connection stay invisible to everyone else: acknowledged and not committed.
    for _ in range(5):
        status, _ = _raw(server, "/query", _execute_plan("INSERT INTO poison VALUES ('raw')"))
        assert status == 200
    with psycopg.connect(server.database_url, autocommit=True) as pg:
        raw_seen = pg.execute("SELECT count(*) FROM poison WHERE who = 'raw'").fetchone()[0]
    assert raw_seen < 5, "control: every unwrapped write was visible, the setup did not poison"
    # 4. The driver's autocommit writes travel inside a transaction node: committed regardless.
    conn = dbapi.connect(server.url, autocommit=True)
    for _ in range(5):
        conn.cursor().execute("INSERT INTO poison VALUES ('driver')")
    conn.close()
    with psycopg.connect(server.database_url, autocommit=True) as pg:
        count = pg.execute("SELECT count(*) FROM poison WHERE who = 'driver'").fetchone()[0]
        raw_after = pg.execute("SELECT count(*) FROM poison WHERE who = 'raw'").fetchone()[0]
    assert count == 5
    # The driver's writes did land on a poisoned connection: only their COMMIT can have ended its
    # stale transaction, committing the control's acknowledged rows with it.
    assert raw_after > raw_seen
    for tx in busy:
        _raw(server, f"/transaction/{tx}/rollback", {})
