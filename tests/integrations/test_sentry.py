"""sentry-sdk's Django integration over django_prisma, compared with Django's PostgreSQL backend on
the same database: its DB spans (db.system, db.name, server.address/port — on the statements,
read from ``cursor.connection.info``, and on "connect", read from ``get_connection_params()``),
the SQL breadcrumbs, and the error events with their frames' local variables and the request —
with the API key nowhere in what would be sent.

The scenario runs in a subprocess per backend (tests/integrations/sentry_scenario.py): the
integration instruments Django's classes for the life of the process."""

from __future__ import annotations

import json
import socket
import uuid
from urllib.parse import quote

import pytest

from django_prisma.dbapi.url import split_api_key
from tests.integrations.sites import run_scenario

SECRET_VALUE = "value-in-a-breadcrumb"
REQUESTS = ["/read/", "/write/", "/duplicate/", "/down/", "/unusable/", "/read/"]


def refused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once it is closed


def run(engine: str, url: str, down_url: str) -> tuple[dict, str]:
    table = f"sentry_{uuid.uuid4().hex[:10]}"
    result = run_scenario("sentry", engine, url, down_url, table, timeout=300)
    return json.loads(result.stdout.replace(table, "TABLE")), result.stdout + result.stderr


@pytest.fixture(scope="module")
def runs(executor_server):
    _, api_key = split_api_key(executor_server.url)
    port = refused_port()
    prisma, prisma_output = run(
        "prisma", executor_server.url, f"prisma+postgres://localhost:{port}/?api_key={api_key}"
    )
    native, _ = run(
        "native", executor_server.database_url, f"postgres://postgres@127.0.0.1:{port}/x"
    )
    return prisma, native, prisma_output, api_key, executor_server


def transactions(run: dict) -> list[dict]:
    return [i["payload"] for i in run["items"] if i["type"] == "transaction"]


def events(run: dict) -> list[dict]:
    return [i["payload"] for i in run["items"] if i["type"] == "event"]


def db_spans(transaction: dict) -> list[tuple]:
    return [
        (s["op"], s["description"], s["data"].get("db.system"), s["data"].get("db.name"),
         s["data"].get("server.address"), s["data"].get("server.port"))
        for s in transaction["spans"] if s["op"] == "db"
    ]  # fmt: skip


def test_the_api_key_is_in_nothing_sentry_would_send(runs):
    prisma, _, output, api_key, _ = runs
    sent = prisma["sent"]
    assert SECRET_VALUE in sent and "INSERT INTO TABLE" in sent  # the events are all there
    for form in (api_key, quote(api_key, safe=""), f"Bearer {api_key}"):
        assert form not in sent
        assert form not in output


def test_the_same_requests_and_events_as_natively(runs):
    prisma, native, *_ = runs
    assert prisma["statuses"] == native["statuses"]
    assert list(prisma["statuses"].values()) == [200, 200, 500, 500, 500]
    assert [t["transaction"] for t in transactions(prisma)] == REQUESTS
    assert [t["transaction"] for t in transactions(native)] == REQUESTS
    assert [e["transaction"] for e in events(prisma)] == ["/duplicate/", "/down/", "/unusable/"]
    assert [e["transaction"] for e in events(native)] == ["/duplicate/", "/down/", "/unusable/"]


def test_db_spans_describe_the_database_as_natively(runs):
    prisma, native, _, _, server = runs
    database = server.database_url.rsplit("/", 1)[1]
    prisma_server = ("localhost", str(server.port))
    for ours, theirs in zip(transactions(prisma), transactions(native), strict=True):
        if ours["transaction"] == "/down/":
            continue
        spans = db_spans(ours)
        assert spans, ours["transaction"]
        # What Django ran, named as natively; the server is the Prisma server, not PostgreSQL.
        assert [s[:4] for s in spans] == [s[:4] for s in db_spans(theirs)]
        assert {s[2:4] for s in spans} == {("postgresql", database)}
        assert {s[4:] for s in spans} == {prisma_server}
        assert {s[4:] for s in db_spans(theirs)} == {("127.0.0.1", "5432")}
    (write,) = [t for t in transactions(prisma) if t["transaction"] == "/write/"]
    assert [s[1] for s in db_spans(write)] == [
        "connect",
        "INSERT INTO TABLE (id, name) VALUES (%s, %s)",
        "COMMIT",  # db_transaction_spans
    ]
    (first_read, *_) = transactions(prisma)
    assert [s[1] for s in db_spans(first_read)][:2] == [
        "connect",
        "SELECT id, name FROM TABLE WHERE name = %s",
    ]


def test_a_server_that_refuses_connections(runs):
    """Natively connect() fails; a django_prisma connection connects at its first request, so
    the "connect" span succeeds and the statement fails — both with the server's address."""
    prisma, native, *_ = runs
    (ours,) = [t for t in transactions(prisma) if t["transaction"] == "/down/"]
    (theirs,) = [t for t in transactions(native) if t["transaction"] == "/down/"]
    assert [s[1] for s in db_spans(theirs)] == ["connect"]
    assert [s[1] for s in db_spans(ours)] == ["connect", "SELECT 1"]
    assert {s[4] for s in db_spans(ours)} == {"localhost"}
    (event,) = [e for e in events(prisma) if e["transaction"] == "/down/"]
    error = event["exception"]["values"][-1]
    assert error["type"] == "OperationalError"
    assert error["value"].startswith(
        "connection failed: cannot connect to the Prisma server at http://localhost:"
    )


def test_breadcrumbs_carry_the_sql_as_natively(runs):
    prisma, native, *_ = runs
    ours, theirs = (breadcrumbs(events(run)[0]) for run in (prisma, native))
    assert ours == theirs
    assert ours[-1] == (
        "query",
        "INSERT INTO TABLE (id, name) VALUES (%s, %s)",
        {"db.params": [1, SECRET_VALUE], "db.paramstyle": "format"},
    )


def breadcrumbs(event: dict) -> list[tuple]:
    return [
        (b["category"], b.get("message"), b.get("data")) for b in event["breadcrumbs"]["values"]
    ]


def frames(event: dict) -> list[dict]:
    return [f for value in event["exception"]["values"] for f in value["stacktrace"]["frames"]]


def test_error_events_carry_the_request_and_the_drivers_local_variables(runs):
    prisma, native, *_ = runs
    duplicate, _, unusable = events(prisma)
    assert duplicate["exception"]["values"][-1]["type"] == "IntegrityError"
    assert events(native)[0]["exception"]["values"][-1]["type"] == "IntegrityError"
    assert duplicate["request"]["url"] == "http://testserver/duplicate/"
    driver = [f for f in frames(duplicate) if f["module"].startswith("django_prisma.dbapi")]
    assert driver and all(f.get("vars") for f in driver)
    (execute,) = {f["vars"]["text"] for f in driver if f["function"] == "execute"}
    assert SECRET_VALUE in execute  # locals as they are: the statement with its values

    # A connection the driver refuses as it is made: Django's connect() frame holds the
    # driver's arguments, key included, as a local; the key shows as asterisks.
    assert unusable["exception"]["values"][-1]["value"] == (
        "ca_bundle_only needs a ca_bundle (a PEM file of CAs)"
    )
    connect = [
        f for f in frames(unusable) if f["function"] == "connect" and "conn_params" in f["vars"]
    ]
    assert connect
    for frame in connect:
        assert frame["vars"]["conn_params"]["api_key"] == "'********************'"
