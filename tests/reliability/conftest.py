"""Fixtures of the reliability suite: a fault proxy in front of the executor server, a server that
can be killed and restarted, direct PostgreSQL access, and the quick / long profile."""

from __future__ import annotations

import os
import secrets
import time

import psycopg
import pytest

from django_prisma import dbapi
from django_prisma.devserver import LocalServer

from ..conftest import POSTGRES_URL, fresh_database_url
from .proxy import FaultProxy

PROFILE = os.environ.get("RELIABILITY_PROFILE", "quick")
LONG = PROFILE == "long"


def scale(quick: int, long: int) -> int:
    """A size for the current profile (``RELIABILITY_PROFILE=long`` for the long one)."""
    return long if LONG else quick


def api_key(url: str) -> str:
    return url.split("api_key=", 1)[1]


def upstream(url: str) -> tuple[str, int]:
    endpoint = dbapi.parse_url(url)
    return ("127.0.0.1" if endpoint.host == "localhost" else endpoint.host, endpoint.port)


@pytest.fixture
def fault_proxy(executor_server):
    proxy = FaultProxy(upstream(executor_server.url))
    proxy.key = api_key(executor_server.url)
    proxy.prisma_url = proxy.url(proxy.key)
    yield proxy
    proxy.close()


class RestartableServer(LocalServer):
    """The executor on a fixed port with a fixed API key, so that a client outlives a restart."""

    def __init__(self, *args, api_key: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.api_key = api_key

    def _command(self, node, runtime):
        return [*super()._command(node, runtime), "--api-key", self.api_key]

    def kill(self) -> None:
        """SIGKILL, as a crash: no graceful close of sockets or transactions."""
        proc = self.process
        proc.kill()
        proc.wait(10)
        self.stop()

    def restart(self) -> None:
        self.fresh_database = False
        for _ in range(50):  # the port may take a moment to be free again
            try:
                self.start()
                return
            except Exception:
                time.sleep(0.2)
        self.start()


@pytest.fixture(scope="module")
def restartable():
    url = fresh_database_url("dp_restart")
    server = RestartableServer(
        "executor", database_url=url, fresh_database=True, api_key=secrets.token_urlsafe(24)
    )
    server.start()
    yield server
    server.stop()
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def open_transactions(pg_url: str) -> list[tuple]:
    """Server-side transactions still open on the database behind an executor."""
    database = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(pg_url, autocommit=True) as admin:
        return admin.execute(
            "SELECT pid, state, left(query, 60) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid() "
            "AND state IN ('idle in transaction', 'idle in transaction (aborted)', 'active')",
            [database],
        ).fetchall()


def wait_no_open_transactions(pg_url: str, limit: float = 15.0) -> list[tuple]:
    deadline = time.monotonic() + limit
    while True:
        left = open_transactions(pg_url)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.2)
