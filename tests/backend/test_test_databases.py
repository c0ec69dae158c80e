"""Whole Django test runs (``manage.py test``'s DiscoverRunner and pytest-django) in a
subprocess, against a "configured" database that must stay untouched: mirrors and aliases
configured alike share the primary's test database, as with Django's PostgreSQL backend, and
nothing reaches the configured database while test databases are in use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

from django_prisma.devserver import throwaway_executor, with_database
from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]
PROBES = Path(__file__).resolve().parent / "testrun"


@pytest.fixture
def configured():
    """The configured (non-test) database: a running server whose auth_group has one row."""
    with throwaway_executor(POSTGRES_URL, "dp_configured") as server:
        with psycopg.connect(server.database_url, autocommit=True) as conn:
            conn.execute("CREATE TABLE auth_group (id serial PRIMARY KEY, name varchar(150))")
            conn.execute("INSERT INTO auth_group (name) VALUES ('precious')")
        yield server
        assert configured_rows(server) == [("precious",)]


def configured_rows(server):
    with psycopg.connect(server.database_url, autocommit=True) as conn:
        return conn.execute("SELECT name FROM auth_group ORDER BY id").fetchall()


def prisma_entry(url, **test):
    return {"ENGINE": "django_prisma", "URL": url, "TEST": test}


def server_settings(kind, name=None):
    test = {"SERVER": kind}
    if kind == "executor":
        test["POSTGRES_URL"] = POSTGRES_URL
    if name:
        test["NAME"] = name
    return test


def run(command, databases, *, cwd=ROOT, timeout=420):
    env = {
        **os.environ,
        "PROBE_DATABASES": json.dumps(databases),
        "DJANGO_SETTINGS_MODULE": "tests.backend.testrun.probe_settings",
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, *command], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip
    return result.returncode, result.stdout + result.stderr


def django_test(module, databases, *extra):
    return run(["-m", "django", "test", f"tests.backend.testrun.{module}", "-v", "2",
                "--noinput", *extra], databases)  # fmt: skip


@pytest.mark.parametrize("kind", ["dev", "executor"])
def test_mirror_and_alike_aliases_share_the_primary_test_database(configured, kind):
    url = configured.url
    databases = {
        "default": prisma_entry(url, **server_settings(kind)),
        "replica": prisma_entry(url, MIRROR="default"),
        "twin": prisma_entry(url, **server_settings(kind)),
    }
    code, output = django_test("probe_shared", databases)
    assert code == 0, output
    assert "Ran 3 tests" in output and "OK" in output, output
    # One test database for default and twin: Django created only one.
    assert output.count("Creating test database for alias") == 1, output
    assert configured_rows(configured) == [("precious",)]


def test_native_postgresql_shares_the_same_way():
    """The specification: the same probe on Django's PostgreSQL backend."""
    name = f"dp_native_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        pg = psycopg.conninfo.conninfo_to_dict(with_database(POSTGRES_URL, name))
        entry = {"ENGINE": "django.db.backends.postgresql", "NAME": name,
                 "USER": pg.get("user", ""), "HOST": pg.get("host", ""),
                 "PORT": pg.get("port", "")}  # fmt: skip
        databases = {"default": entry, "replica": {**entry, "TEST": {"MIRROR": "default"}},
                     "twin": dict(entry)}  # fmt: skip
        code, output = django_test("probe_shared", databases)
        assert code == 0, output
        assert "Ran 3 tests" in output, output
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.mark.parametrize("kind", ["dev", "executor"])
def test_nothing_reaches_the_configured_database_during_a_test_run(configured, kind):
    url = configured.url
    databases = {
        "default": prisma_entry(url, **server_settings(kind)),
        "stray": prisma_entry(url, **server_settings(kind, "test_stray_never_created")),
        "orphan_mirror": prisma_entry(url, MIRROR="stray"),
    }
    code, output = django_test("probe_guard", databases)
    assert code == 0, output
    assert "Ran 3 tests" in output and "OK" in output, output
    assert configured_rows(configured) == [("precious",)]
