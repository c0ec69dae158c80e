"""Fixtures for django_prisma.mysql and the driver's MySQL dialect: a throwaway MariaDB database
per test module behind a real executor, and PyMySQL on the same database as the reference."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from django_prisma.dbapi import mysql as dbapi_mysql
from django_prisma.devserver import mysql as devserver_mysql
from django_prisma.devserver import throwaway_executor
from tests.conftest import MYSQL_URL

# Databases made by these tests: dp_mysql_<10 hex digits>, dropped when their server stops.
PREFIX = "dp_mysql"


@pytest.fixture(scope="module")
def mysql_server():
    """Prisma's executor in front of a new, empty MariaDB database (one per test module)."""
    with throwaway_executor(MYSQL_URL, prefix=PREFIX) as server:
        yield server


@pytest.fixture
def my_conn(mysql_server):
    """A connection of the driver's MySQL dialect, autocommit on."""
    conn = dbapi_mysql.connect(mysql_server.url, autocommit=True)
    yield conn
    conn.close()


def pymysql_connect(database_url: str, **options):
    """PyMySQL (the reference: a real MySQL client) on the database behind ``database_url``."""
    import pymysql

    parts = urlsplit(database_url)
    return pymysql.connect(
        host=parts.hostname,
        port=parts.port or 3306,
        user=parts.username,
        password=parts.password or "",
        database=devserver_mysql.database_name(database_url),
        charset="utf8mb4",
        autocommit=True,
        **options,
    )


@pytest.fixture
def reference(mysql_server):
    """A PyMySQL connection to the same database as ``mysql_server`` (autocommit)."""
    conn = pymysql_connect(mysql_server.database_url)
    yield conn
    conn.close()


def server_setting(mysql_server, variable: str):
    """A server variable read through a fresh request (a new connection, so whatever server
    connection of the executor's pool answers)."""
    conn = dbapi_mysql.connect(mysql_server.url, autocommit=True)
    try:
        cursor = conn.cursor()
        cursor.execute(f"SELECT @@{variable}")
        return cursor.fetchone()[0]
    finally:
        conn.close()


def checks_on_every_pooled_connection(mysql_server, connection_id: int) -> int:
    """@@foreign_key_checks of the server connection ``connection_id``, read by fresh requests
    until the executor's pool hands that connection out again."""
    for _ in range(40):
        conn = dbapi_mysql.connect(mysql_server.url, autocommit=True)
        try:
            cursor = conn.cursor()
            cursor.execute("SELECT CAST(CONNECTION_ID() AS SIGNED), @@foreign_key_checks")
            found, checks = cursor.fetchone()
        finally:
            conn.close()
        if found == connection_id:
            return checks
    raise AssertionError(f"the pool never handed out server connection {connection_id} again")
