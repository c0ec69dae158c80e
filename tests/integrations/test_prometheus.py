"""ENGINE "django_prisma.prometheus": django-prometheus's database metrics over django_prisma,
compared with its own engine for Django's PostgreSQL backend
(``django_prometheus.db.backends.postgresql``) on the same database: the same counters move by
the same amounts, with the same labels."""

from __future__ import annotations

import uuid

import pytest
from django.db import IntegrityError, ProgrammingError
from django.db.utils import ConnectionHandler
from prometheus_client import REGISTRY

from django_prisma.dbapi.url import split_api_key

METRICS = {
    "connections": "django_db_new_connections_total",
    "statements": "django_db_execute_total",
    "batched": "django_db_execute_many_total",
    "timed": "django_db_query_duration_seconds_count",
}


@pytest.fixture(autouse=True)
def _unblocked(django_db_blocker):
    # These tests open their own connections, not the test database.
    with django_db_blocker.unblock():
        yield


def connection_for(alias: str, entry: dict):
    handler = ConnectionHandler({"default": {"ENGINE": "django.db.backends.dummy"}, alias: entry})
    return handler[alias]


def samples(alias: str) -> dict:
    labels = {"alias": alias, "vendor": "postgresql"}
    found = {name: REGISTRY.get_sample_value(metric, labels) or 0 for name, metric in METRICS.items()}  # fmt: skip
    for error in ("IntegrityError", "UniqueViolation", "UndefinedTable", "ProgrammingError"):
        found[error] = REGISTRY.get_sample_value("django_db_errors_total", {**labels, "type": error}) or 0  # fmt: skip
    return found


def workload(connection, table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table} (id int PRIMARY KEY)")
        cursor.executemany(f"INSERT INTO {table} VALUES (%s)", [(1,), (2,), (3,)])
        cursor.execute(f"SELECT count(*) FROM {table} WHERE id > %s", [0])
        assert cursor.fetchone() == (3,)
        with pytest.raises(IntegrityError):
            cursor.execute(f"INSERT INTO {table} VALUES (1)")
        with pytest.raises(ProgrammingError):
            cursor.execute("SELECT * FROM no_such_table_here")
        cursor.execute(f"DROP TABLE {table}")
    connection.close()


def moved(alias: str, entry: dict) -> dict:
    before = samples(alias)
    workload(connection_for(alias, entry), f"prom_{uuid.uuid4().hex[:10]}")
    after = samples(alias)
    return {name: after[name] - before[name] for name in after}


def test_the_same_metrics_as_django_prometheus_engine_for_postgresql(executor_server):
    base, key = split_api_key(executor_server.url)
    ours = moved("prisma_db", {"ENGINE": "django_prisma.prometheus", "URL": base, "TOKEN": key})
    database = executor_server.database_url.rsplit("/", 1)[1]
    # The session in the settings' zone from the start: natively a server in another zone (even
    # Etc/UTC for UTC) costs a SET TIME ZONE per connection, which counts as a statement;
    # django_prisma has no session to set (each statement carries its zone when it needs one).
    native = moved(
        "native_db",
        {"ENGINE": "django_prometheus.db.backends.postgresql", "NAME": database,
         "USER": "postgres", "HOST": "127.0.0.1", "PORT": 5432,
         "OPTIONS": {"options": "-c TimeZone=UTC"}},
    )  # fmt: skip
    assert ours == native
    assert ours["connections"] == 1
    assert ours["statements"] == 1 + 3 + 1 + 2 + 1  # executemany counts each row
    assert ours["batched"] == 3
    assert ours["timed"] == 6  # one duration per execute() or executemany()
    # The errors by their class's name: psycopg's class for the SQLSTATE, as natively.
    assert (ours["UniqueViolation"], ours["UndefinedTable"]) == (1, 1)
