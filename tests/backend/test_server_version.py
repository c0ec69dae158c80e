"""The PostgreSQL version is asked only when something needs it, once per process and server.

psycopg gets it for free from the connection handshake; over HTTP it costs a statement, which
Django's version check would otherwise send at every process's first connection.
"""

import pytest
from django.db import NotSupportedError
from django.db.utils import ConnectionHandler

from django_prisma.dbapi import info
from django_prisma.features import DatabaseFeatures


@pytest.fixture
def wrapper(executor_server, monkeypatch, django_db_blocker):
    """Django connections to the executor (not the test database, which is not needed)."""
    monkeypatch.setattr(info, "_facts", {})  # as in a new process
    handlers = []
    django_db_blocker.unblock()

    def make(alias="prisma"):
        handler = ConnectionHandler(
            {
                "default": {"ENGINE": "django.db.backends.dummy"},
                alias: {"ENGINE": "django_prisma", "URL": executor_server.url},
            }
        )
        handlers.append(handler)
        return handler[alias]

    yield make
    for handler in handlers:
        handler.close_all()
    django_db_blocker.restore()


def requests_sent(connection) -> int:
    return connection.connection.transport.requests_sent


def test_first_query_sends_no_version_request(wrapper):
    connection = wrapper()
    with connection.cursor() as cursor:
        cursor.cursor.results_exact = True  # as the ORM's statements are: no description
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert requests_sent(connection) == 1
    assert "pg_version" not in connection.__dict__


def test_version_is_asked_once_when_a_feature_needs_it(wrapper, pg):
    first = wrapper()
    first.ensure_connection()
    assert first.features.is_postgresql_15 == (pg.info.server_version >= 150000)
    assert first.pg_version == pg.info.server_version
    assert requests_sent(first) == 1
    second = wrapper("other")
    assert second.get_database_version() == divmod(pg.info.server_version, 10000)
    second.ensure_connection()
    assert requests_sent(second) == 0  # the process already knows this server's version


def test_an_unsupported_version_is_refused_when_it_becomes_known(wrapper, monkeypatch):
    monkeypatch.setattr(DatabaseFeatures, "minimum_database_version", (99,))
    connection = wrapper()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    with pytest.raises(NotSupportedError, match="PostgreSQL 99 or later is required"):
        connection.pg_version  # noqa: B018
