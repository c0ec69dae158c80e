"""Native OpenTelemetry: each request to the Prisma server is a CLIENT span following the
database semantic conventions, nested under Django's request span (opentelemetry-instrumentation-
django); transactions are spans of their own; no value and no API key in any span; nothing of
OpenTelemetry is imported when the application does not use it.

The scenario runs in a subprocess (tests/tracing/scenario.py): the tracer provider is global and
can be set once per process."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from django_prisma.dbapi.tracing import sanitized
from django_prisma.dbapi.url import split_api_key

ROOT = Path(__file__).resolve().parents[2]
SECRET_VALUE = "value-that-must-not-be-traced"
WRONG = "wrong-api-key-never-traced"


@pytest.fixture(scope="module")
def traced(executor_server):
    table = f"otel_{uuid.uuid4().hex[:10]}"
    result = subprocess.run(
        [sys.executable, "-m", "tests.tracing.scenario", executor_server.url, table],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    data = json.loads(result.stdout)
    _, api_key = split_api_key(executor_server.url)
    return data, table, api_key, executor_server


def request_span(spans, route):
    return next(
        s for s in spans if s["kind"] == "SERVER" and s["attributes"]["http.route"] == route
    )


def descendants(spans, root):
    found, frontier = [], {root["span_id"]}
    while frontier:
        children = [s for s in spans if s["parent_id"] in frontier]
        found += children
        frontier = {s["span_id"] for s in children}
    return found


def test_statement_span_follows_the_database_conventions(traced):
    data, table, _, server = traced
    assert data["answers"]["/read/"] == "0 0"
    spans = data["spans"]
    (select,) = [
        s for s in descendants(spans, request_span(spans, "read/"))
        if table in s["attributes"].get("db.query.text", "")
    ]  # fmt: skip
    assert select["kind"] == "CLIENT" and select["name"] == "SELECT"
    assert select["scope"] == "django_prisma"
    attributes = select["attributes"]
    assert attributes["db.system.name"] == attributes["db.system"] == "postgresql"
    assert attributes["db.namespace"] == server.database_url.rsplit("/", 1)[1]
    assert attributes["db.operation.name"] == "SELECT"
    assert attributes["db.query.text"] == f"SELECT id, name FROM {table} WHERE name = $1 AND id > ?"
    assert attributes["server.address"] == "localhost"
    assert attributes["server.port"] == server.port
    assert select["status"] == "UNSET" and "error.type" not in attributes


def test_db_spans_nest_in_the_django_request_span(traced):
    data, *_ = traced
    spans = data["spans"]
    for route in ("read/", "tx/", "fail/", "other/"):
        request = request_span(spans, route)
        inner = descendants(spans, request)
        assert inner and all(s["trace_id"] == request["trace_id"] for s in inner)
        assert all(s["scope"] == "django_prisma" for s in inner)
    ours = [s for s in spans if s["scope"] == "django_prisma"]
    nested = {
        s["span_id"]
        for r in ("read/", "tx/", "fail/", "other/")
        for s in descendants(spans, request_span(spans, r))
    }
    assert {s["span_id"] for s in ours} == nested  # no database span outside a request


def test_cached_read_carries_the_strategy(traced):
    data, *_ = traced
    spans = data["spans"]
    (users,) = [
        s for s in descendants(spans, request_span(spans, "read/"))
        if '"auth_user"' in s["attributes"].get("db.query.text", "")
    ]  # fmt: skip
    attributes = users["attributes"]
    assert attributes["prisma.accelerate.cache.ttl"] == 60
    assert attributes["prisma.accelerate.cache.swr"] == 30
    assert attributes["prisma.accelerate.cache.tags"] == ["users"]
    # The local executor has no cache: it says nothing about the status.
    assert "prisma.accelerate.cache.status" not in attributes


def test_transaction_is_a_span_with_its_statements_nested(traced):
    data, table, *_ = traced
    spans = data["spans"]
    request = request_span(spans, "tx/")
    (transaction,) = [s for s in spans if s["name"] == "TRANSACTION"]
    assert transaction["parent_id"] == request["span_id"]
    assert transaction["kind"] == "INTERNAL"
    assert transaction["attributes"]["django_prisma.transaction.outcome"] == "commit"
    inside = [s for s in spans if s["parent_id"] == transaction["span_id"]]
    assert [s["name"] for s in inside] == ["BEGIN", "INSERT", "UPDATE", "COMMIT"]
    assert all(s["kind"] == "CLIENT" for s in inside)
    texts = [s["attributes"].get("db.query.text") for s in inside]
    assert texts[1:3] == [
        f"INSERT INTO {table} (id, name) VALUES ($1, $2)",
        f"UPDATE {table} SET name = $1 WHERE id = $2",
    ]


def test_failed_statement_is_an_error_span_with_its_sqlstate(traced):
    data, *_ = traced
    spans = data["spans"]
    assert data["answers"]["/fail/"] == "duplicate"
    failed, *replays = descendants(spans, request_span(spans, "fail/"))
    # The driver may ask once more, in a rolled-back block, for the fields the server dropped
    # (dbapi/replay.py): a request of its own, after the failed one.
    assert failed["name"] == "INSERT" and all(s["name"] != "INSERT" for s in replays)
    assert len(replays) <= 1
    assert failed["status"] == "ERROR"
    assert failed["attributes"]["db.response.status_code"] == "23505"
    assert failed["attributes"]["error.type"] == "23505"
    (event,) = failed["events"]
    assert event["name"] == "exception"
    assert event["attributes"]["exception.type"].endswith("UniqueViolation")  # psycopg's class


def test_invalidation_and_a_refused_key_are_spans_of_their_own(traced):
    data, table, *_ = traced
    spans = data["spans"]
    assert data["answers"]["/other/"] == "OperationalError"
    inner = descendants(spans, request_span(spans, "other/"))
    # The raw SELECT's result types are described first, once (dbapi/describe.py).
    assert [s["name"] for s in inner[:3]] == ["postgresql", "SELECT", "invalidate"]
    assert len(inner) == 4 and "db.query.text" not in inner[0]["attributes"]
    _, count, invalidation, refused = inner
    assert count["attributes"]["db.query.text"] == f"SELECT count(*) FROM {table} WHERE id > $1"
    assert "db.query.text" not in invalidation["attributes"]
    assert invalidation["status"] == "UNSET"
    # Its first request: the server facts Django's version check reads (dbapi/info.py).
    assert refused["name"] == "postgresql" and "db.query.text" not in refused["attributes"]
    assert refused["status"] == "ERROR"
    assert refused["attributes"]["http.response.status_code"] == 401
    assert refused["attributes"]["error.type"] == "OperationalError"


def test_no_api_key_and_no_value_in_any_span(traced):
    data, _, api_key, _ = traced
    exported = json.dumps(data["spans"])
    assert api_key and api_key not in exported
    assert WRONG not in exported
    assert SECRET_VALUE not in exported
    assert "api_key" not in exported


def test_sanitized_text_keeps_identifiers_and_replaces_literals():
    assert sanitized("SELECT \"t1\".a2, 3 FROM t WHERE b = %s AND c = 'x''y'") == (
        'SELECT "t1".a2, ? FROM t WHERE b = $1 AND c = ?'
    )
    assert sanitized("SELECT $$a$$, $q$b$q$, E'c\\'d', %(n)s, %(m)s, %(n)s") == (
        "SELECT ?, ?, ?, $1, $2, $1"
    )
    assert sanitized("SELECT 'a%%b' LIKE x, y%%z", has_params=True) == "SELECT ? LIKE x, y%z"
    assert sanitized("SELECT 1 %% 2", has_params=False) == "SELECT ? %% ?"


class NotedCursor:
    def mogrify(self, sql, params):
        return sql.replace("%s", repr(params[0]))


@pytest.mark.parametrize(
    "mode, text",
    [
        (None, "SELECT a FROM t WHERE b = $1 AND c > ?"),
        ("raw", "SELECT a FROM t WHERE b = 'v' AND c > 2"),
        ("off", None),
    ],
)
def test_query_text_setting(monkeypatch, mode, text):
    from django_prisma.dbapi.tracing import QUERY_TEXT_SETTING, _statement_attributes

    if mode:
        monkeypatch.setenv(QUERY_TEXT_SETTING, mode)
    noted = (NotedCursor(), "SELECT a FROM t WHERE b = %s AND c > 2", ["v"], None)
    name, attributes = _statement_attributes(noted)
    assert name == attributes["db.operation.name"] == "SELECT"
    assert attributes.get("db.query.text") == text


def test_batch_operation_name_and_size():
    from django_prisma.dbapi.tracing import _statement_attributes

    noted = (NotedCursor(), "INSERT INTO t VALUES (%s)", None, 3)
    name, attributes = _statement_attributes(noted)
    assert name == "BATCH INSERT"
    assert attributes["db.operation.batch.size"] == 3
    assert attributes["db.query.text"] == "INSERT INTO t VALUES ($1)"


IMPORTS = """
import sys
from django_prisma import dbapi
conn = dbapi.connect(sys.argv[1], autocommit=True)
cur = conn.cursor()
cur.execute("SELECT %s", [1])
assert cur.fetchone() == (1,)
print(type(conn.transport).__name__)
"""


def test_no_opentelemetry_import_without_an_application_using_it(executor_server):
    # opentelemetry-api is installed here: the driver must still not import it.
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", IMPORTS, executor_server.url],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "Transport"
    assert "django_prisma.dbapi.tracing" in result.stderr  # the hook module itself is loaded
    assert "opentelemetry" not in result.stderr.replace("django_prisma.dbapi.tracing", "")


NO_PROVIDER = """
import sys
import opentelemetry.trace
from django_prisma import dbapi
conn = dbapi.connect(sys.argv[1], autocommit=True)
cur = conn.cursor()
cur.execute("SELECT %s", [1])  # described once (dbapi/describe.py): a request of its own
before = conn.transport.requests_sent
cur.execute("SELECT %s", [2])
print(type(conn.transport).__name__, conn.transport.requests_sent - before)
"""


def test_without_a_tracer_provider_nothing_is_traced_nor_asked(executor_server):
    result = subprocess.run(
        [sys.executable, "-c", NO_PROVIDER, executor_server.url],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    # The tracing transport, but no span and no namespace lookup: one request.
    assert result.stdout.split() == ["TracingTransport", "1"]
