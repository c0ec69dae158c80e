"""Shared fixtures: real local Prisma servers of both kinds, and PostgreSQL itself."""

from __future__ import annotations

import os
import uuid

import pytest

from django_prisma.devserver import LocalServer, throwaway_executor, with_database

POSTGRES_URL = os.environ.get(
    "DJANGO_PRISMA_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"
)
# A database URL of the MySQL/MariaDB server (any of its databases: tests create their own).
MYSQL_URL = os.environ.get("DJANGO_PRISMA_TEST_MYSQL", "mysql://root@127.0.0.1:3306/mysql")
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


# What reaches a server: the fixtures above (and those built on them), pytest-django's database
# fixtures, and tests marked ``server`` (those that start one themselves, e.g. in a subprocess).
SERVER_FIXTURES = frozenset(
    {
        "dev_server",
        "executor_server",
        "server",
        "pg",
        "db",
        "transactional_db",
        "live_server",
        "mysql_server",
    }
)
# Tests that start servers or subprocesses of their own (a whole folder, or one module).
SERVER_PATHS = (
    "tests/reliability/",
    "tests/devserver/",
    "tests/example/",
    "tests/conformance/test_django_suite.py",
    "tests/backend/test_creation.py",
    "tests/backend/test_test_databases.py",
    "tests/backend/test_dbshell.py",
    "tests/psl/test_introspection_roundtrip.py",
    "tests/psl/test_mysql_tables.py",
    "tests/psl/test_mysql_models_to_schema.py",
    "tests/mysql/backend/test_manage_test.py",
    "tests/mysql/backend/test_dbshell.py",
)


def pytest_collection_modifyitems(config, items):
    """Mark ``pure`` every test that needs no server: ``./scripts/test --fast`` runs only them."""
    root = str(config.rootpath)
    for item in items:
        path = str(item.path)[len(root) + 1 :]
        needs_server = (
            item.get_closest_marker("django_db")
            or item.get_closest_marker("server")
            or path.startswith(SERVER_PATHS)
            or SERVER_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        )
        if not needs_server:
            item.add_marker(pytest.mark.pure)


@pytest.fixture(autouse=True)
def _pure_tests_start_no_server(request, monkeypatch):
    """In a ``--fast`` run (DJANGO_PRISMA_PURE=1) a test that starts a server after all fails
    and names itself, so that it gets its ``server`` mark."""
    if os.environ.get("DJANGO_PRISMA_PURE") == "1":

        def refuse(self, *args, **kwargs):
            raise RuntimeError(f"{request.node.nodeid} starts a server: mark it 'server'")

        monkeypatch.setattr(LocalServer, "start", refuse)
