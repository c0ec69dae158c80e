"""Every fault × every operation, through a real TCP proxy in front of the executor + PostgreSQL.

For each cell: the exception class and message, the number of rows PostgreSQL really has (read
directly, not through the driver), how many requests reached the proxy (a write is never sent
twice), and that the same DB-API connection then works again.
"""

from __future__ import annotations

import itertools
import uuid

import psycopg
import pytest
import urllib3

from django_prisma import dbapi

from .conftest import wait_no_open_transactions

OK = None
READ_TIMEOUT = 1.0
TX_TIMEOUT = 3000  # ms: transactions orphaned by a lost /transaction/start answer expire soon

# name → (fault, options)
FAULTS = {
    "delay": ("delay", {"delay": 0.3}),
    "reset_before": ("reset_before", {}),
    "reset_after": ("reset_after", {}),
    "truncate": ("truncate", {}),
    "429": ("status", {"status": 429}),
    "429_body": ("status", {"status": 429, "body": b"<html>slow down</html>"}),
    "502": ("status", {"status": 502}),
    "502_body": ("status", {"status": 502, "body": b"<html>bad gateway</html>"}),
    "503": ("status", {"status": 503}),
    "503_body": ("status", {"status": 503, "body": b"<html>maintenance</html>"}),
    "504": ("status", {"status": 504}),
    "504_body": ("status", {"status": 504, "body": b"<html>upstream timed out</html>"}),
    "504_after": ("status_after", {"status": 504, "body": b"gateway timeout"}),
    "stall": ("stall", {}),
    "stall_after": ("stall_after", {}),
    "close_after": ("close_after", {}),
}
OPERATIONS = ("read", "write", "start", "statement", "commit", "rollback")
PATHS = {
    "read": r"^/query$",
    "write": r"^/query$",
    "start": r"^/transaction/start$",
    "statement": r"^/transaction/[^/]+/query$",
    "commit": r"/commit$",
    "rollback": r"/rollback$",
}

UNKNOWN = (dbapi.OutcomeUnknown, "may or may not have run")
ABORTED = (dbapi.TransactionAborted, "nothing was committed")


def _status_error(code: int, body: bool):
    if code == 429:
        return dbapi.OperationalError, "rate limiting requests (HTTP 429)"
    return dbapi.OperationalError, f"unavailable (HTTP {code})"


def expectation(name: str, op: str):
    """(exception class or None, message fragment, rows PostgreSQL has, requests at the path)."""
    fault, options = FAULTS[name]
    writes = 0 if op in ("read", "rollback") else 1
    if fault in ("delay", "close_after"):
        return OK, "", writes, 1
    reached = fault in ("reset_after", "truncate", "status_after", "stall_after")
    if op == "read":
        if fault in ("reset_before", "reset_after", "truncate"):
            return OK, "", 0, 2  # an idempotent read is retried once on a broken connection
        if fault in ("stall", "stall_after"):
            return dbapi.OperationalError, f"did not answer within {READ_TIMEOUT}", 0, 1
        if fault == "status_after":
            return dbapi.OperationalError, "unavailable (HTTP 504)", 0, 1
        return (*_status_error(options["status"], bool(options.get("body"))), 0, 1)
    if op == "rollback":
        if fault in ("reset_before", "reset_after", "truncate"):
            return OK, "", 0, 2  # retried; a second answer "already rolled back" is fine
        if fault in ("stall", "stall_after"):
            return dbapi.OperationalError, "did not answer within", 0, 1
        if fault == "status_after":
            return dbapi.OperationalError, "unavailable (HTTP 504)", 0, 1
        return (*_status_error(options["status"], bool(options.get("body"))), 0, 1)
    if op == "commit":
        # The commit's answer is lost: the driver asks the server with a rollback, which tells
        # whether COMMIT ran; either way the commit request is never repeated.
        if reached:
            return dbapi.OutcomeUnknown, "most likely committed", 1, 1
        return (*ABORTED, 0, 1)
    # write, start, statement
    if fault == "status" and options["status"] in (429, 503):
        return (*_status_error(options["status"], bool(options.get("body"))), 0, 1)
    rows = 1 if (op == "write" and reached) else 0
    if fault == "status" or fault == "status_after":
        return dbapi.OutcomeUnknown, "gateway failure", rows, 1
    if fault in ("stall", "stall_after"):
        return dbapi.OutcomeUnknown, "may or may not have run", rows, 1
    return (*UNKNOWN, rows, 1)


@pytest.fixture(scope="module")
def table(executor_server):
    name = f"faults_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(executor_server.database_url, autocommit=True) as pg:
        pg.execute(f"CREATE TABLE {name} (v bigint NOT NULL)")  # no key: duplicates would show
    yield name
    left = wait_no_open_transactions(executor_server.database_url, limit=TX_TIMEOUT / 1000 + 5)
    assert left == [], f"server-side transactions left open: {left}"
    with psycopg.connect(executor_server.database_url, autocommit=True) as pg:
        pg.execute(f"DROP TABLE {name}")


_markers = itertools.count(1)


def _count(executor_server, table: str, marker: int) -> int:
    with psycopg.connect(executor_server.database_url, autocommit=True) as pg:
        return pg.execute(f"SELECT count(*) FROM {table} WHERE v = %s", [marker]).fetchone()[0]


@pytest.mark.parametrize("op", OPERATIONS)
@pytest.mark.parametrize("fault_name", list(FAULTS))
def test_fault(fault_name, op, fault_proxy, executor_server, table):
    fault, options = FAULTS[fault_name]
    expected_error, fragment, expected_rows, expected_requests = expectation(fault_name, op)
    marker = next(_markers) * 1000 + hash((fault_name, op)) % 1000
    conn = dbapi.connect(
        fault_proxy.prisma_url,
        autocommit=op in ("read", "write"),
        read_timeout=READ_TIMEOUT,
        transaction_timeout=TX_TIMEOUT,
    )
    cur = conn.cursor()
    insert = f"INSERT INTO {table} VALUES (%s)"
    try:
        # Set up everything before the faulted request, then arm the fault for that request.
        if op == "statement":
            cur.execute("SELECT 1")
        elif op == "read":
            # Its result types are described once per process (dbapi/describe.py): before the
            # fault, so that the faulted request is the read itself.
            cur.execute(f"SELECT count(*) FROM {table}")
        elif op in ("commit", "rollback"):
            cur.execute(insert, [marker])
        since = fault_proxy.mark()
        fault_proxy.arm(fault, PATHS[op], **options)
        error = None
        try:
            if op == "read":
                cur.execute(f"SELECT count(*) FROM {table}")
                assert isinstance(cur.fetchone()[0], int)
            elif op in ("write", "start", "statement"):
                cur.execute(insert, [marker])
            elif op == "commit":
                conn.commit()
            else:
                conn.rollback()
        except dbapi.Error as raised:
            error = raised
        fault_proxy.disarm()
        # Only the faulted request needs the short timeout (stalls); on a shared CPU the rest may
        # be slower than that.
        conn.transport.timeout = urllib3.Timeout(connect=10, read=30)

        if expected_error is None:
            assert error is None, f"unexpected {type(error).__name__}: {error}"
            if op in ("start", "statement"):
                conn.commit()
        else:
            # The class itself, or the one that is also psycopg's for its SQLSTATE (same name).
            assert isinstance(error, expected_error), f"{type(error).__name__}: {error}"
            assert type(error).__name__ == expected_error.__name__, type(error).__mro__
            assert fragment in str(error), str(error)
            assert fault_proxy.key not in str(error) and fault_proxy.key not in repr(error)
            if not conn.autocommit:
                conn.rollback()  # what Django's atomic() does after an error; must not raise
        assert not conn.in_transaction

        # Nothing duplicated, nothing lost beyond what the error says: PostgreSQL itself.
        assert _count(executor_server, table, marker) == expected_rows
        seen = fault_proxy.requests(PATHS[op], since)
        assert len(seen) == expected_requests, [(s.path, s.fault) for s in seen]
        assert seen[0].fault == fault

        # The same connection goes on working, without a reconnect by the caller.
        follow = marker + 500_000_000
        cur.execute(insert, [follow])
        cur.execute(f"SELECT count(*) FROM {table} WHERE v = %s", [follow])
        assert cur.fetchone() == (1,)
        conn.commit()
        assert _count(executor_server, table, follow) == 1
    finally:
        fault_proxy.disarm()
        conn.close()


def test_lost_start_answer_leaves_no_transaction_behind(fault_proxy, executor_server, table):
    """A /transaction/start whose answer is lost opened a transaction nobody knows the id of; it
    holds a pooled connection only until its timeout."""
    conn = dbapi.connect(fault_proxy.prisma_url, transaction_timeout=1500, read_timeout=5)
    fault_proxy.arm("reset_after", PATHS["start"])
    with pytest.raises(dbapi.OutcomeUnknown):
        conn.cursor().execute(f"SELECT count(*) FROM {table}")
    conn.rollback()
    assert any(
        "BEGIN" in (row[2] or "") or "ISOLATION" in (row[2] or "").upper()
        for row in _open(executor_server)
    ), "the orphaned transaction was not observed"
    assert wait_no_open_transactions(executor_server.database_url, limit=10) == []
    conn.close()


def _open(executor_server):
    from .conftest import open_transactions

    return open_transactions(executor_server.database_url)
