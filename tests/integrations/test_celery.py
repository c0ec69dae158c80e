"""Celery with Django over django_prisma, compared with Django's PostgreSQL backend: a real
worker (prefork pool, whose main process holds an open connection when it forks, or a pool of
threads; embedded beat with django-celery-beat's DatabaseScheduler) on the local RabbitMQ,
results stored by django-celery-results, connections closed around each task or kept across
tasks by Celery's Django fixup (CELERY_DB_REUSE_MAX with CONN_MAX_AGE=None); both apps'
migrations.

The project is tests/integrations/celery_site/; every process runs in a subprocess."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

import pytest

from django_prisma.dbapi.url import split_api_key
from django_prisma.devserver import throwaway_executor
from tests.conftest import POSTGRES_URL
from tests.integrations.sites import schema_of

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("DJANGO_PRISMA_TEST_AMQP", "amqp://guest:guest@127.0.0.1:5672//")
CELERY = [sys.executable, "-m", "celery", "-A", "tests.integrations.celery_site"]


@pytest.fixture(scope="module", autouse=True)
def _broker():
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=2).close()
    except OSError:
        pytest.fail("these tests need RabbitMQ at 127.0.0.1:5672 (DJANGO_PRISMA_TEST_AMQP)")


def query_before_fork(engine: str, pool: str, reuse: bool) -> bool:
    """Whether the worker's main process queries before forking each pool process. Not natively
    with connections kept across tasks: the fixup then leaves the inherited connection to the
    embedded beat process, which shares psycopg's socket with the main process and may hang on
    it (seen: "beat sent no task"); django_prisma's driver opens a socket of its own in a
    forked process."""
    return pool == "prefork" and not (engine == "native" and reuse)


def site_env(engine: str, database: str, reuse: bool, before_fork: bool) -> dict:
    return {
        **os.environ,
        "CELERY_SITE_ENGINE": engine,
        "CELERY_SITE_DATABASE": database,
        "CELERY_SITE_BROKER": BROKER,
        "CELERY_SITE_QUEUE": f"django-prisma-test-{uuid.uuid4().hex[:10]}",
        "CELERY_SITE_REUSE": "1" if reuse else "0",
        "CELERY_SITE_QUERY_BEFORE_FORK": "1" if before_fork else "0",
        "DJANGO_SETTINGS_MODULE": "tests.integrations.celery_site.settings",
        "PYTHONPATH": str(ROOT),
    }


def run(args: list[str], env: dict) -> str:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def client(action: str, prefix: str, env: dict) -> dict:
    command = [sys.executable, "-m", "tests.integrations.celery_site.client", action, prefix]
    return json.loads(run(command, env))


# The worker's pool and whether connections are kept across tasks.
MODES = {"closed-per-task": ("prefork", False), "reused": ("prefork", True), "threads": ("threads", False)}  # fmt: skip


def celery_run(engine: str, mode: str, log_path: Path) -> dict:
    """Migrate a new database, start a worker with beat, send the tasks, stop the worker."""
    with throwaway_executor(POSTGRES_URL, "dp_celery") as server:
        database = server.url if engine == "prisma" else server.database_url
        pool, reuse = MODES[mode]
        env = site_env(engine, database, reuse, query_before_fork(engine, pool, reuse))
        run([sys.executable, "-m", "django", "migrate", "-v", "0"], env)
        client("setup", "run", env)
        worker_args = ["worker", "-n", f"{env['CELERY_SITE_QUEUE']}@%h", "-Q",
                       env["CELERY_SITE_QUEUE"], "-c", "2", "-P", pool, "-B",
                       "--without-mingle", "--without-gossip", "--without-heartbeat", "-l", "INFO"]  # fmt: skip
        with open(log_path, "w") as log:
            worker = subprocess.Popen(
                CELERY + worker_args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
            try:
                report = client("run", "run", env)
            except AssertionError as error:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=60)
                raise AssertionError(f"{error}\n--- worker ({engine}, {mode}) ---\n"
                                     f"{log_path.read_text()[-6000:]}") from None  # fmt: skip
            finally:
                if worker.poll() is None:
                    worker.send_signal(signal.SIGTERM)  # warm shutdown
                    worker.wait(timeout=60)
        report["worker_exit"] = worker.returncode
        report["log"] = log_path.read_text()
        report["schema"] = schema_of(server.database_url, "django_celery")
        if engine == "prisma":
            report["api_key"] = split_api_key(server.url)[1]
            env["CELERY_SITE_QUEUE"] = "unused"
            report["makemigrations"] = run(
                [sys.executable, "-m", "django", "makemigrations", "--check", "--dry-run",
                 "django_celery_results", "django_celery_beat"], env,
            )  # fmt: skip
        return report


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    done: dict[tuple[str, str], dict] = {}

    def get(engine: str, mode: str) -> dict:
        if (engine, mode) not in done:
            log = tmp_path_factory.mktemp("celery") / f"{engine}-{mode}.log"
            done[engine, mode] = celery_run(engine, mode, log)
        return done[engine, mode]

    return get


def outcomes(report: dict) -> dict:
    """What the tasks did, without what differs from run to run (processes, keys)."""
    return {
        "created_rows": report["created_rows"],
        "on_commit": report["on_commit"],
        "nested": report["nested"],
        "failed": report["failed"],
        "failed_row": report["failed_row"],
        "results_stored": report["results_stored"],
        "ticks": report["ticks"],
        "worker_exit": report["worker_exit"],
    }


def connections_by_worker(report: dict) -> dict[str, list[int]]:
    """The driver connections (numbered per process) each pool process or thread ran its tasks
    on."""
    seen = defaultdict(list)
    for task in report["created"]:
        seen[task["worker"]].append(task["driver"])
    return seen


@pytest.mark.parametrize("mode", MODES)
def test_tasks_results_and_beat_as_natively(runs, mode):
    prisma, native = runs("prisma", mode), runs("native", mode)
    assert outcomes(prisma) == outcomes(native)
    assert outcomes(prisma) == {
        "created_rows": 6,
        "on_commit": {"status": "SUCCESS", "name": "run-on-commit"},
        "nested": {"outcome": "IntegrityError", "count": 1},
        "failed": "IntegrityError",
        "failed_row": {
            "status": "FAILURE",
            "task_name": "tests.integrations.celery_site.tasks.fail",
            "error": "django.db.utils.IntegrityError: duplicate key value violates "
            'unique constraint "auth_group_name_key"',
        },
        "results_stored": 7,
        "ticks": ["run-tick-0", "run-tick-1"],
        "worker_exit": 0,
    }


@pytest.mark.parametrize("mode", MODES)
def test_worker_connections_as_natively(runs, mode):
    pool, reuse = MODES[mode]
    for engine in ("prisma", "native"):
        report = runs(engine, mode)
        per_worker = connections_by_worker(report)
        assert per_worker, engine
        for drivers in per_worker.values():
            if reuse:  # one connection per process for all its tasks
                assert len(set(drivers)) == 1, (engine, per_worker)
            else:  # closed after each task: a new one for the next
                assert len(set(drivers)) == len(drivers), (engine, per_worker)
        if not query_before_fork(engine, pool, reuse):
            continue
        # The main process queried before each fork and at shutdown on one connection, which
        # the pool processes (given a copy of it) never disturbed.
        log = report["log"]
        sockets = "1" if engine == "prisma" else "None"
        before_fork = f"PARENT before fork: driver True, sockets {sockets}"
        assert log.count(before_fork) == 2, (engine, log[-3000:])
        assert "same driver connection True" in log, (engine, log[-3000:])


def test_the_api_key_is_in_no_log_and_no_stored_traceback(runs):
    report = runs("prisma", "closed-per-task")
    key = report["api_key"]
    assert "IntegrityError" in report["traceback"] and "Task " in report["log"]
    for form in (key, quote(key, safe="")):
        assert form not in report["log"]
        assert form not in report["traceback"]


def test_the_apps_migrations_make_the_native_schema(runs):
    prisma, native = runs("prisma", "closed-per-task"), runs("native", "closed-per-task")
    assert prisma["schema"]["columns"]  # the tables exist
    assert prisma["schema"] == native["schema"]
    assert "No changes detected" in prisma["makemigrations"]
