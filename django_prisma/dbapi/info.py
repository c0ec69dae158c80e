"""``Connection.info``: psycopg's ``ConnectionInfo`` for a connection that is a URL, not a session.

Read by Django (``pg_version`` through ``server_version``) and by tools written for psycopg
(django-debug-toolbar reads ``transaction_status`` around every query). What a session would
know from its start-up — the server version, the reported parameters, the database and user —
comes from one query, run when first asked for and kept per server (origin and API key) for the
life of the process. Approximations, forced by the transport:

* ``backend_pid`` is 0 (libpq's value for "no backend"): each statement may run on another of
  the Prisma server's pooled connections.
* ``parameter_status()`` values are those of the pooled server connection that answered the
  query; ``TimeZone`` is the zone this connection gives every statement (``SET LOCAL TIME ZONE``)
  when it has one. ``client_encoding`` is the server connection's; the driver always reads UTF-8.
* ``host``/``port`` are the Prisma server's; ``dsn`` and ``get_parameters()`` name it, the
  database and the user, never the API key (``password`` is None).
"""

from __future__ import annotations

import hashlib
import threading
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from psycopg.pq import ConnStatus, PipelineStatus, TransactionStatus

from .url import Endpoint

if TYPE_CHECKING:
    from .connection import Connection

# What psycopg's parameter_status() can answer: the parameters PostgreSQL reports to clients
# (GUC_REPORT); those a server version lacks read as None.
REPORTED_PARAMETERS = (
    "application_name",
    "client_encoding",
    "DateStyle",
    "default_transaction_read_only",
    "in_hot_standby",
    "integer_datetimes",
    "IntervalStyle",
    "is_superuser",
    "scram_iterations",
    "server_encoding",
    "server_version",
    "session_authorization",
    "standard_conforming_strings",
    "TimeZone",
)

FACTS_SQL = (
    "SELECT current_setting('server_version_num')::int AS server_version_num, "
    "current_database() AS dbname, current_user AS username, "
    + ", ".join(f"current_setting('{name}', true) AS \"{name}\"" for name in REPORTED_PARAMETERS)
)

_facts: dict[tuple[str, str], dict[str, Any]] = {}
_lock = threading.Lock()


def _server_key(endpoint: Endpoint) -> tuple[str, str]:
    # One database per API key behind the same origin (Accelerate): keyed by both, the key
    # itself only as a digest.
    return endpoint.origin, hashlib.sha256(endpoint.api_key.encode()).hexdigest()


def known_database(endpoint: Endpoint) -> str | None:
    """The name of the database behind ``endpoint`` if this process has learnt it (no request)."""
    facts = _facts.get(_server_key(endpoint))
    return None if facts is None else cast(str, facts["dbname"])


def forget_servers() -> None:
    """Forget what was learnt about servers (tests, or after a server upgrade)."""
    with _lock:
        _facts.clear()


class ConnectionInfo:
    vendor = "PostgreSQL"
    encoding = "utf-8"
    backend_pid = 0
    password = None
    options = ""
    error_message = ""
    pipeline_status = PipelineStatus.OFF
    pgconn = None  # there is no libpq connection
    full_protocol_version = 30000  # the Prisma server's own connections speak protocol 3.0

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def __repr__(self) -> str:
        return f"<django_prisma ConnectionInfo {self._connection.endpoint.origin}>"

    # -- free: what the connection itself knows ---------------------------------------------
    @property
    def host(self) -> str:
        return self._connection.endpoint.host

    @property
    def hostaddr(self) -> str:
        return self._connection.endpoint.host

    @property
    def port(self) -> int:
        return self._connection.endpoint.port

    @property
    def status(self) -> ConnStatus:
        return ConnStatus.BAD if self._connection.closed else ConnStatus.OK

    @property
    def transaction_status(self) -> TransactionStatus:
        return self._connection.transaction_status

    # -- from the server, one query per server and process ---------------------------------
    @property
    def server_version(self) -> int:
        """``server_version_num`` as psycopg gives it (150019 for 15.19)."""
        return cast(int, self._facts()["server_version_num"])

    @property
    def dbname(self) -> str:
        return cast(str, self._facts()["dbname"])

    @property
    def user(self) -> str:
        return cast(str, self._facts()["username"])

    def parameter_status(self, name: str) -> str | None:
        if name == "TimeZone" and self._connection.session_time_zone:
            return self._connection.session_time_zone
        if name not in REPORTED_PARAMETERS:
            return None
        return cast("str | None", self._facts()[name])

    @property
    def timezone(self) -> ZoneInfo:
        """The zone of ``parameter_status("TimeZone")`` as a tzinfo (UTC if unknown)."""
        name = self.parameter_status("TimeZone") or "UTC"
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")

    def get_parameters(self) -> dict[str, str]:
        """The connection parameters, as psycopg's (no password: the API key never appears)."""
        return {
            "user": self.user,
            "dbname": self.dbname,
            "host": self.host,
            "port": str(self.port),
        }

    @property
    def dsn(self) -> str:
        return " ".join(f"{key}={value}" for key, value in self.get_parameters().items())

    def _facts(self) -> dict[str, Any]:
        key = _server_key(self._connection.endpoint)
        facts = _facts.get(key)
        if facts is None:
            row, columns = self._connection._read_facts(FACTS_SQL)
            facts = dict(zip(columns, row, strict=True))
            facts["server_version_num"] = int(facts["server_version_num"])
            with _lock:
                facts = _facts.setdefault(key, facts)
        return facts
