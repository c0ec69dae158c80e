"""Fixtures shared by the driver tests (the servers themselves come from tests/conftest.py)."""

from __future__ import annotations

import uuid

import pytest

from django_prisma import dbapi


@pytest.fixture
def conn(server):
    """An autocommit connection to the server under test (both kinds)."""
    connection = dbapi.connect(server.url, autocommit=True)
    yield connection
    connection.close()


@pytest.fixture
def executor_conn(executor_server):
    """An autocommit connection to the executor, whose database ``pg`` reads directly."""
    connection = dbapi.connect(executor_server.url, autocommit=True)
    yield connection
    connection.close()


@pytest.fixture
def make_table(server):
    """``make_table("id int PRIMARY KEY, v text")`` → a fresh table name, dropped afterwards."""
    created = []
    admin = dbapi.connect(server.url, autocommit=True)

    def make(columns: str) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        admin.cursor().execute(f"CREATE TABLE {name} ({columns})")
        created.append(name)
        return name

    yield make
    cur = admin.cursor()
    for name in reversed(created):
        cur.execute(f"DROP TABLE IF EXISTS {name} CASCADE")
    admin.close()


@pytest.fixture
def pg_direct(server, request):
    """A direct psycopg connection to the database behind ``server``, or None for ``prisma dev``
    (PGlite's single session must not be shared with a direct client)."""
    if server.kind != "executor":
        return None
    return request.getfixturevalue("pg")
