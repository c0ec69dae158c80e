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

from django_prisma import dbapi
from django_prisma.devserver import (
    LocalServer,
    dev_state_dir,
    discard_dev_state,
    throwaway_executor,
    with_database,
)
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
    # Said before any test runs.
    said = output.index("Alias 'orphan_mirror' mirrors an alias that has no test database")
    assert said < output.index("test_a_copy_of_the_configured_settings_is_refused"), output
    assert configured_rows(configured) == [("precious",)]


class PytestRuns:
    """pytest-django runs of probe_reuse.py on one named test database."""

    def __init__(self, kind, tmp_path):
        self.name = f"test_dp_reuse_{uuid.uuid4().hex[:8]}"
        self.result = tmp_path / "earlier_runs"
        configured = "prisma+postgres://localhost:1/?api_key=configured-not-for-tests"
        self.databases = {"default": prisma_entry(configured, **server_settings(kind, self.name))}

    def __call__(self, *flags):
        """The number of earlier runs the test database remembered (an error: the output)."""
        self.result.unlink(missing_ok=True)
        os.environ["PROBE_RESULT"] = str(self.result)
        code, output = run(
            ["-m", "pytest", "-p", "no:cacheprovider", "-q", "--ds",
             "tests.backend.testrun.probe_settings", *flags,
             "tests/backend/testrun/probe_reuse.py"],
            self.databases,
        )  # fmt: skip
        if code != 0:
            return output
        return int(self.result.read_text())


def postgres_database_exists(name):
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        row = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        return row is not None


def drop_postgres_database(name):
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_reuse_db_and_create_db_with_the_executor(tmp_path, monkeypatch):
    monkeypatch.setenv("PROBE_RESULT", "")
    runs = PytestRuns("executor", tmp_path)
    try:
        assert runs("--reuse-db") == 0  # created although missing
        assert postgres_database_exists(runs.name)
        assert runs("--reuse-db") == 1  # kept, with its data
        assert runs("--reuse-db", "--create-db") == 0  # recreated...
        assert runs("--reuse-db") == 1  # ...and kept, as pytest-django keeps it
        assert runs() == 0  # without --reuse-db: recreated, then dropped
        assert not postgres_database_exists(runs.name)
    finally:
        drop_postgres_database(runs.name)


def test_reuse_db_and_create_db_with_the_dev_server(tmp_path, monkeypatch):
    monkeypatch.setenv("PROBE_RESULT", "")
    runs = PytestRuns("dev", tmp_path)
    state = dev_state_dir(f"django-prisma-{runs.name}")
    try:
        assert runs("--reuse-db") == 0
        assert (state / ".pglite").is_dir()
        assert runs("--reuse-db") == 1
        assert runs("--reuse-db", "--create-db") == 0  # the kept database is discarded
        assert not state.exists()
        # A database created without --reuse-db lives in memory (documented): the next
        # --reuse-db run creates a kept one again.
        assert runs("--reuse-db") == 0
        assert runs() == 0
    finally:
        discard_dev_state(f"django-prisma-{runs.name}")


def test_an_unmarked_postgres_database_is_never_reused_nor_dropped(tmp_path, monkeypatch):
    monkeypatch.setenv("PROBE_RESULT", "")
    runs = PytestRuns("executor", tmp_path)
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{runs.name}"')
    try:
        database = with_database(POSTGRES_URL, runs.name)
        with psycopg.connect(database, autocommit=True) as conn:
            conn.execute("CREATE TABLE precious (id int)")
            conn.execute("INSERT INTO precious VALUES (1)")
        for flags in (["--reuse-db"], ["--create-db"], []):
            output = runs(*flags)
            assert "refusing to empty or reuse the PostgreSQL database" in str(output), output
        with psycopg.connect(database, autocommit=True) as conn:
            assert conn.execute("SELECT id FROM precious").fetchall() == [(1,)]
    finally:
        drop_postgres_database(runs.name)


def test_an_unmarked_kept_dev_database_is_never_reused(tmp_path, monkeypatch):
    monkeypatch.setenv("PROBE_RESULT", "")
    runs = PytestRuns("dev", tmp_path)
    state = f"django-prisma-{runs.name}"
    try:
        with LocalServer("dev", name=state, persistent=True) as server:
            conn = dbapi.connect(server.url, autocommit=True)
            conn.cursor().execute("CREATE TABLE precious (id int)")
            conn.close()
        output = runs("--reuse-db")
        assert "refusing to empty or reuse the kept @prisma/dev database" in str(output), output
        with LocalServer("dev", name=state, persistent=True) as server:
            conn = dbapi.connect(server.url, autocommit=True)
            cursor = conn.cursor()
            cursor.execute("SELECT count(*) FROM precious")
            assert cursor.fetchone() == (0,)
            conn.close()
    finally:
        discard_dev_state(state)


def test_the_mirror_gets_its_settings_back_after_the_run(configured):
    url = configured.url
    databases = {
        "default": prisma_entry(url, **server_settings("executor")),
        "replica": prisma_entry(url, MIRROR="default"),
    }
    code, output = run(["tests/backend/testrun/probe_restore.py"], databases)
    assert code == 0, output
    assert "configured rows: [('precious',)]" in output, output
