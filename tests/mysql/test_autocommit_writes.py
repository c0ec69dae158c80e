"""Autocommit writes on MySQL/MariaDB travel bare (no ``transaction`` plan node), and are still
committed when the executor's pool is put through what poisons it on PostgreSQL
(tests/reliability/test_concurrency.py): its MySQL pool rolls back any transaction left open on a
connection that comes back to it."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from urllib.parse import urlsplit

import orjson
import pymysql
import pytest
import urllib3

from django_prisma.dbapi import mysql as driver
from django_prisma.dbapi.url import parse_url
from django_prisma.devserver import throwaway_executor
from tests.conftest import MYSQL_URL

pytestmark = pytest.mark.server
POOL = 10  # the executor's connections to the database


@pytest.fixture(scope="module")
def server():
    with throwaway_executor(MYSQL_URL, "dp_autocommit") as server:
        with direct(server) as cursor:
            cursor.execute("CREATE TABLE writes (id int AUTO_INCREMENT PRIMARY KEY, who text)")
        yield server


@contextmanager
def direct(server):
    """A cursor of MySQL's own protocol on the executor's database (not through its pool)."""
    url = urlsplit(server.database_url)
    connection = pymysql.connect(
        host=url.hostname,
        port=url.port or 3306,
        user=url.username or "root",
        password=url.password or "",
        database=url.path.lstrip("/"),
        autocommit=True,
    )
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        connection.close()


def count(server, who: str) -> int:
    with direct(server) as cursor:
        cursor.execute("SELECT count(*) FROM writes WHERE who = %s", [who])
        return cursor.fetchone()[0]


def raw(server, path: str, body: dict, timeout: float = 30) -> tuple[int, bytes]:
    endpoint = parse_url(server.url, None)
    response = urllib3.request(
        "POST",
        f"http://127.0.0.1:{endpoint.port}{path}",
        body=orjson.dumps(body),
        headers={"Authorization": f"Bearer {endpoint.api_key}", "Content-Type": "application/json"},
        timeout=timeout,
        retries=False,
    )
    return response.status, response.data


def start(server, max_wait: int) -> tuple[int, str | None]:
    status, body = raw(server, "/transaction/start", {"timeout": 60000, "maxWait": max_wait})
    return status, orjson.loads(body)["id"] if status == 200 else None


def bare_insert(who: str) -> dict:
    sql = f"INSERT INTO writes (who) VALUES ('{who}')"
    node = {"type": "execute", "args": {"type": "rawSql", "sql": sql, "args": [], "argTypes": []}}
    return {"operation": "executeRaw", "plan": node, "params": {}}


@pytest.mark.parametrize(
    ("options", "plans"),
    [({}, ["execute", "query"]), ({"atomic_autocommit_writes": True}, ["transaction"] * 2)],
)
def test_autocommit_writes_are_sent_bare_and_committed(server, options, plans):
    connection = driver.connect(server.url, autocommit=True, **options)
    bodies = []
    original = connection.transport.request

    def recording(method, path, body=None, **kwargs):
        bodies.append(orjson.loads(body))
        return original(method, path, body, **kwargs)

    connection.transport.request = recording
    cursor = connection.cursor()
    cursor.execute("UPDATE writes SET who = who WHERE id < 0")
    who = f"returning {len(options)}"
    cursor.execute("INSERT INTO writes (who) VALUES (%s) RETURNING id", [who])
    connection.close()
    assert [body["plan"]["type"] for body in bodies] == plans
    assert count(server, who) == 1


def test_a_timed_out_transaction_start_leaves_no_connection_inside_a_transaction(server):
    # 1. Exhaust the pool with open transactions, then let 2 more starts time out: on
    # PostgreSQL, their late BEGINs leave pooled connections idle inside a transaction.
    held = [start(server, 5000) for _ in range(POOL)]
    assert [status for status, _ in held] == [200] * POOL
    late = []
    starters = [
        threading.Thread(target=lambda: late.append(start(server, 300)[0])) for _ in range(2)
    ]
    for thread in starters:
        thread.start()
    for thread in starters:
        thread.join(30)
    assert late == [409, 409]
    for _, tx in held:
        assert raw(server, f"/transaction/{tx}/rollback", {})[0] == 200
    # 2. Hold all but one pooled connection, in turn, so that bare autocommit writes land on
    # each of the others: every acknowledged write is visible to another connection.
    for round_ in range(2):
        busy = [start(server, 5000) for _ in range(POOL - 1)]
        assert [status for status, _ in busy] == [200] * (POOL - 1)
        for _ in range(5):
            assert raw(server, "/query", bare_insert(f"bare {round_}"))[0] == 200
        assert count(server, f"bare {round_}") == 5
        for _, tx in busy:
            raw(server, f"/transaction/{tx}/rollback", {})
