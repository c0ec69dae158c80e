"""The dev command's database handling (a missing database: one clear line, or ``--create``) and
the first start's report of the npm runtime it installs."""

from __future__ import annotations

import fcntl
import logging
import re
import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from django_prisma import dbapi
from django_prisma.devserver import DatabaseMissingError, LocalServer, with_database
from django_prisma.devserver.runtime import runtime_dir
from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]
DEV = [sys.executable, "-m", "django_prisma", "dev"]


def database_exists(name: str) -> bool:
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    return row is not None


@pytest.fixture
def database_name():
    """A database name nobody uses, dropped afterwards if a test created it."""
    name = f"dp_cli_{uuid.uuid4().hex[:10]}"
    yield name
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


class DevCommand:
    """``python -m django_prisma dev …`` in the background, until its DATABASE_URL line."""

    def __init__(self, *args: str):
        self.proc = subprocess.Popen(
            [*DEV, *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def url(self) -> str:
        line = self.proc.stdout.readline().strip()
        assert line.startswith("DATABASE_URL="), self.stop()
        return line.split("=", 1)[1]

    def stop(self) -> str:
        """Stops the command; returns its stderr."""
        if self.proc.poll() is None:
            self.proc.terminate()
        _, stderr = self.proc.communicate(timeout=60)
        return stderr


def select_one(url: str, statement: str):
    conn = dbapi.connect(url, autocommit=True)
    try:
        cur = conn.cursor()
        cur.execute(statement)
        return cur.fetchone()
    finally:
        conn.close()


def test_missing_database_is_one_line_suggesting_create(database_name):
    result = subprocess.run(
        [*DEV, "--database-url", with_database(POSTGRES_URL, database_name)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"error: database {database_name!r} does not exist on the PostgreSQL at "
        "127.0.0.1:5432 (add --create to create it)"
    ], result.stderr
    assert not database_exists(database_name)


def test_create_makes_the_missing_database_and_serves_it(database_name):
    command = DevCommand("--create", "--database-url", with_database(POSTGRES_URL, database_name))
    try:
        url = command.url()
        assert select_one(url, "SELECT current_database()") == (database_name,)
    finally:
        stderr = command.stop()
    assert f"# created database {database_name!r} on the PostgreSQL at 127.0.0.1:5432" in stderr
    assert database_exists(database_name)


def test_create_keeps_an_existing_database(database_name):
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database_name)))
    with psycopg.connect(with_database(POSTGRES_URL, database_name), autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (v int); INSERT INTO kept VALUES (7)")
    reports = []
    server = LocalServer(
        "executor",
        database_url=with_database(POSTGRES_URL, database_name),
        create_database=True,
        progress=reports.append,
    )
    with server:
        assert select_one(server.url, "SELECT v FROM kept") == (7,)
    assert not [r for r in reports if "created database" in r]


def test_local_server_raises_database_missing(database_name):
    server = LocalServer("executor", database_url=with_database(POSTGRES_URL, database_name))
    with pytest.raises(DatabaseMissingError) as raised:
        server.start()
    assert raised.value.database == database_name
    assert raised.value.address == "127.0.0.1:5432"
    assert not server.running


def test_unreachable_server_error_has_no_javascript_stack():
    result = subprocess.run(
        [*DEV, "--database-url", "postgres://postgres:s3cret-pw@127.0.0.1:1/nowhere"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert "does not answer" in result.stderr
    assert "Can't reach database server at 127.0.0.1:1" in result.stderr
    assert not re.search(r"^\s+at ", result.stderr, re.MULTILINE), result.stderr
    assert "s3cret-pw" not in result.stderr


def test_create_needs_database_url():
    result = subprocess.run(
        [*DEV, "--create"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "--create needs --database-url" in result.stderr


@pytest.fixture
def empty_cache(tmp_path_factory):
    """A runtime cache without the npm packages, so the next start installs them (~250 MB)."""
    folder = tmp_path_factory.mktemp("runtime-cache")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_first_start_reports_the_installation_on_stderr(empty_cache, monkeypatch):
    monkeypatch.setenv("DJANGO_PRISMA_CACHE", str(empty_cache))
    target = runtime_dir()
    command = DevCommand()
    try:
        url = command.url()
        assert select_one(url, "SELECT 1") == (1,)
    finally:
        stderr = command.stop()
    assert "# installing the local Prisma servers' runtime (" in stderr, stderr
    assert f") into {target}\n" in stderr
    assert re.search(r"npm packages: .*@prisma/dev \d", stderr)
    assert re.search(r"# installed in \d+\.\d s \(\d+ MB\); later starts reuse it", stderr)
    assert (target / "node_modules" / "@prisma" / "dev").is_dir()

    # Later starts are quiet about it.
    again = DevCommand()
    try:
        again.url()
    finally:
        stderr = again.stop()
    assert "install" not in stderr


def test_local_server_logs_the_installation_and_waits_for_another_installer(
    empty_cache, monkeypatch, caplog
):
    monkeypatch.setenv("DJANGO_PRISMA_CACHE", str(empty_cache))
    caplog.set_level(logging.INFO, logger="django_prisma.devserver")
    target = runtime_dir()
    target.mkdir(parents=True)
    started = {}

    def start():
        try:
            started["server"] = LocalServer("dev").start()
        except BaseException as error:  # reported by the main thread
            started["error"] = error

    with open(target / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process is installing
        thread = threading.Thread(target=start)
        thread.start()
        deadline = time.monotonic() + 60
        while not any("waiting for another process" in m for m in caplog.messages):
            assert time.monotonic() < deadline and thread.is_alive(), started
            time.sleep(0.1)
    thread.join(300)
    assert "server" in started, started
    server = started["server"]
    try:
        assert select_one(server.url, "SELECT 2") == (2,)
    finally:
        server.stop()
    messages = [r.getMessage() for r in caplog.records if r.name == "django_prisma.devserver"]
    order = [
        next(i for i, m in enumerate(messages) if m.startswith(prefix))
        for prefix in ("waiting for another process", "installing the local", "installed in")
    ]
    assert order == sorted(order), messages
