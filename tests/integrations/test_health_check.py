"""django-health-check's database check over django_prisma, compared with Django's PostgreSQL
backend: a working database, a server that refuses connections, a rejected key (natively, an
unknown role) — the same statuses and the same summaries, and no API key in its page or logs.

The check shows the part of the error message before its first colon: django_prisma's
connection failures begin as psycopg's do ("connection failed: …")."""

from __future__ import annotations

import json

import pytest

from django_prisma.dbapi.url import split_api_key
from tests.integrations.sites import run_scenario
from tests.integrations.test_sentry import refused_port

WRONG_KEY = "wrong-key-never-shown"


def run(*args: str) -> tuple[dict, str]:
    result = run_scenario("health", *args, timeout=120)
    return json.loads(result.stdout), result.stdout + result.stderr


@pytest.fixture(scope="module")
def answers(executor_server):
    base, key = split_api_key(executor_server.url)
    port = refused_port()
    prisma = run(
        "prisma",
        executor_server.url,
        f"prisma+postgres://localhost:{port}/?api_key={key}",
        f"{base}?api_key={WRONG_KEY}",
    )
    database = executor_server.database_url
    native = run(
        "native",
        database,
        f"postgres://postgres@127.0.0.1:{port}/x",
        database.replace("postgres@", "no_such_role@"),
    )
    return prisma, native, key


def test_the_same_statuses_and_summaries_as_natively(answers):
    (prisma, _), (native, _), _ = answers
    for alias in ("default", "down", "wrong_key"):
        assert prisma[alias] == native[alias], alias
    assert prisma["default"] == {"status": 200, "body": {"Database(alias='default')": "OK"}}
    assert prisma["down"] == {
        "status": 500,
        "body": {"Database(alias='down')": "Unavailable: connection failed"},
    }
    assert "Unavailable: connection failed" in prisma["down_page"]


def test_no_api_key_in_the_page_or_the_logs(answers):
    (prisma, output), _, key = answers
    assert "Health check Database(alias='wrong_key') failed" in output  # the logged traceback
    assert "rejected the API key" in output
    for secret in (key, WRONG_KEY):
        assert secret not in output
