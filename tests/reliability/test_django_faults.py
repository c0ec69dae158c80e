"""Faults under Django: the default connection is pointed at the fault proxy (in front of the
test database's own executor server), then ORM reads, writes and atomic() blocks meet a fault.
Django's exception, the driver's cause, PostgreSQL's row count, and the next ORM call on the same
Django connection are checked."""

from __future__ import annotations

import psycopg
import pytest
import urllib3
from django.db import connection, connections, transaction
from django.db.utils import OperationalError

from django_prisma import dbapi
from tests.testapp.models import User

from .conftest import upstream
from .proxy import FaultProxy

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def proxied():
    connection.ensure_connection()
    saved = connection.settings_dict["URL"]
    proxy = FaultProxy(upstream(saved + "?api_key=x"))
    connection.close()
    connection.settings_dict["URL"] = f"prisma+postgres://127.0.0.1:{proxy.port}/"
    connection.settings_dict["OPTIONS"] = {"read_timeout": 1.0, "transaction_timeout": 3000}
    try:
        yield proxy
    finally:
        proxy.close()
        connection.close()
        connection.settings_dict["URL"] = saved
        connection.settings_dict["OPTIONS"] = {}


def _pg_count(email: str) -> int:
    url = connections["default"].creation._server.database_url
    with psycopg.connect(url, autocommit=True) as pg:
        return pg.execute("SELECT count(*) FROM users WHERE email = %s", [email]).fetchone()[0]


CASES = [
    # fault, options, operation, driver exception, rows expected
    ("reset_after", {}, "create", dbapi.OutcomeUnknown, 1),
    ("reset_before", {}, "create", dbapi.OutcomeUnknown, 0),
    ("status", {"status": 503}, "create", dbapi.OperationalError, 0),
    ("status_after", {"status": 504}, "create", dbapi.OutcomeUnknown, 1),
    ("stall", {}, "create", dbapi.OutcomeUnknown, 0),
    ("reset_after", {}, "read", None, 0),
    ("status", {"status": 502}, "read", dbapi.OperationalError, 0),
    ("stall_after", {}, "read", dbapi.OperationalError, 0),
    ("reset_after", {}, "atomic_statement", dbapi.OutcomeUnknown, 0),
    ("status", {"status": 429}, "atomic_start", dbapi.OperationalError, 0),
    ("reset_before", {}, "atomic_commit", dbapi.TransactionAborted, 0),
    ("reset_after", {}, "atomic_commit", dbapi.OutcomeUnknown, 1),
    ("status", {"status": 503}, "atomic_commit", dbapi.TransactionAborted, 0),
]
PATHS = {
    "create": r"^/query$",
    "read": r"^/query$",
    "atomic_start": r"^/transaction/start$",
    "atomic_statement": r"^/transaction/.+/query$",
    "atomic_commit": r"/commit$",
}


@pytest.mark.parametrize("fault, options, op, cause, rows", CASES)
def test_orm_under_fault(proxied, fault, options, op, cause, rows, request):
    email = f"{request.node.name[-40:]}@example.com".replace("[", "_").replace("]", "_")
    proxied.arm(fault, PATHS[op], **options)
    raised = None
    try:
        if op == "create":
            User.objects.create(email=email)
        elif op == "read":
            assert User.objects.filter(email=email).count() == 0
        else:
            with transaction.atomic():
                User.objects.create(email=email)
    except OperationalError as error:
        raised = error
    proxied.disarm()
    if connection.connection is not None:  # only the faulted request needs the short timeout
        connection.connection.transport.timeout = urllib3.Timeout(connect=10, read=30)
    if cause is None:
        assert raised is None
    else:
        assert raised is not None, "no error"
        # the driver's class (combined with psycopg's for a SQLSTATE, keeping the driver's name)
        assert isinstance(raised.__cause__, cause), repr(raised.__cause__)
        assert type(raised.__cause__).__name__ == cause.__name__, repr(raised.__cause__)
        assert str(raised) == str(raised.__cause__)
    assert not connection.in_atomic_block and connection.get_autocommit()
    assert _pg_count(email) == rows
    # The same Django connection works on: no restart, no manual close.
    with transaction.atomic():
        User.objects.create(email="next-" + email)
    assert User.objects.filter(email="next-" + email).count() == 1
    assert _pg_count("next-" + email) == 1


def test_proxy_sees_the_same_key(proxied):
    """Sanity: traffic really went through the proxy with the test database's key."""
    User.objects.count()
    seen = proxied.requests()
    assert (
        seen and seen[-1].headers["Authorization"] == "Bearer " + connection.settings_dict["TOKEN"]
    )
