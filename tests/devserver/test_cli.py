"""``python -m django_prisma dev``: prints a working DATABASE_URL and leaves nothing behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from django_prisma import dbapi
from django_prisma.dbapi import mysql as dbapi_mysql
from tests.conftest import MYSQL_URL, POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid:
            found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize(
    "kind, stop_signal",
    [
        ("dev", signal.SIGTERM),
        ("dev", signal.SIGINT),
        ("executor", signal.SIGTERM),
        ("executor-mysql", signal.SIGTERM),
    ],
)
def test_dev_command_serves_and_stops_without_leaving_a_child(kind, stop_signal):
    args = [sys.executable, "-m", "django_prisma", "dev"]
    # Only reads: the maintenance database (PostgreSQL) or the `mysql` database will do.
    if kind == "executor":
        args += ["--database-url", POSTGRES_URL]
    if kind == "executor-mysql":
        args += ["--database-url", MYSQL_URL]
    # prisma+postgres:// is Prisma Postgres' scheme; a MySQL-backed server is prisma://.
    scheme = "prisma" if kind == "executor-mysql" else "prisma+postgres"
    proc = subprocess.Popen(
        args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith(f"DATABASE_URL={scheme}://localhost:"), proc.stderr.read()
        url = line.split("=", 1)[1]
        connect = dbapi_mysql.connect if kind == "executor-mysql" else dbapi.connect
        conn = connect(url, autocommit=True)
        cur = conn.cursor()
        cur.execute("SELECT 40 + 2")
        assert cur.fetchone() == (42,)
        conn.close()
        children = children_of(proc.pid)
        assert children, "the server runs as a child process"
        proc.send_signal(stop_signal)
        assert proc.wait(timeout=30) == 0
        assert not [pid for pid in children if alive(pid)]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


def test_bad_database_url_is_a_clear_error():
    result = subprocess.run(
        [sys.executable, "-m", "django_prisma", "dev", "--database-url",
         "postgres://postgres@127.0.0.1:1/nowhere"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert "error:" in result.stderr and "does not answer" in result.stderr
    assert "DATABASE_URL=" not in result.stdout
