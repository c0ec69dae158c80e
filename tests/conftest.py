"""Shared fixtures: real local Prisma servers of both kinds, and PostgreSQL itself."""

from __future__ import annotations

import os
import uuid

import pytest

from django_prisma.devserver import LocalServer, throwaway_executor, with_database

POSTGRES_URL = os.environ.get(
    "DJANGO_PRISMA_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"
)
SHARED = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "..", "shared")


def fresh_database_url(prefix: str = "dp_test") -> str:
    return with_database(POSTGRES_URL, f"{prefix}_{uuid.uuid4().hex[:10]}")


@pytest.fixture(scope="session")
def dev_server():
    with LocalServer("dev") as server:
        yield server


@pytest.fixture(scope="session")
def executor_server():
    with throwaway_executor(POSTGRES_URL, "dp_test") as server:
        yield server


@pytest.fixture(scope="session", params=["dev", "executor"])
def server(request):
    """Each test that takes ``server`` runs against both local topologies."""
    return request.getfixturevalue(f"{request.param}_server")


@pytest.fixture
def pg(executor_server):
    """A direct psycopg connection to the PostgreSQL database behind the executor."""
    psycopg = pytest.importorskip("psycopg")
    with psycopg.connect(executor_server.database_url, autocommit=True) as conn:
        yield conn


@pytest.fixture
def table_name():
    return f"t_{uuid.uuid4().hex[:12]}"
