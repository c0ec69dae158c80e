"""Test databases for django_prisma.mysql, as for django_prisma (``django_prisma/creation.py``):
the guard, mirrors and ``TEST['URL']`` databases are shared; a local URL gets Prisma's executor
in front of the database ``TEST['NAME']`` on the MySQL or MariaDB server at ``TEST['MYSQL_URL']``
(``mysql://root@127.0.0.1:3306``), created when missing and dropped at the end, and only ever
emptied, reused or dropped if it is empty or carries the test marker."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from ..creation import MARKER_TABLE, PrismaCreation, refuse_unmarked
from .mysqldb import import_django_backend

if TYPE_CHECKING:  # what mypy reads; at run time, only import_django_backend imports it
    from django.db.backends.mysql import creation as mysql_creation
else:
    mysql_creation = import_django_backend("creation")

MARKER_SQL = (
    f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (created datetime(6) DEFAULT CURRENT_TIMESTAMP(6))"
)
USER_TABLES_SQL = (
    "SELECT CONCAT(table_schema, '.', table_name) FROM information_schema.tables "
    "WHERE table_schema = DATABASE() ORDER BY 1"
)


class DatabaseCreation(PrismaCreation, mysql_creation.DatabaseCreation):
    USER_TABLES_SQL = USER_TABLES_SQL
    _dropped_at_end = False

    def _start_local_server(self, name, test, keepdb, autoclobber, verbosity):
        from ..devserver import LocalServer, with_database

        kind = test.get("SERVER", "executor")
        if kind != "executor":
            raise ImproperlyConfigured(
                f"TEST['SERVER'] = {kind!r}: django_prisma.mysql's test databases are served by "
                "Prisma's executor in front of MySQL or MariaDB ('executor')"
            )
        mysql_url = test.get("MYSQL_URL")
        if not mysql_url:
            raise ImproperlyConfigured(
                "a local django_prisma.mysql database needs TEST['MYSQL_URL'] = "
                "'mysql://USER@HOST:PORT' (the MySQL or MariaDB server on which the test database "
                "is created)"
            )
        server = LocalServer(
            "executor",
            database_url=with_database(mysql_url, name),
            create_database=True,
            max_transaction_timeout=test.get("MAX_TRANSACTION_TIMEOUT", "PT60M"),
        )
        if verbosity >= 1:
            sys.stderr.write(
                f"Starting a local Prisma server (executor, MySQL) for alias "
                f"'{self.connection.alias}'...\n"
            )
        server.start()
        self._server = server
        self._use_url(server.url)
        self._dropped_at_end = not keepdb
        self._prepare_database(keepdb, f"the MySQL database {name!r}")

    def _empty(self, cursor):
        """Drop every table (foreign key checks off for it: they may reference each other)."""
        cursor.execute(USER_TABLES_SQL)
        tables = [row[0].split(".", 1)[1] for row in cursor.fetchall()]
        quote = self.connection.ops.quote_name
        with transaction.atomic(using=self.connection.alias):
            with self.connection.constraint_checks_disabled():
                for table in tables:
                    cursor.execute(f"DROP TABLE IF EXISTS {quote(table)}")
        cursor.execute(MARKER_SQL)

    def _drop_local_database(self):
        """DROP DATABASE of a local test database, through its own server, if still ours."""
        with self.connection.cursor() as cursor:
            cursor.execute(USER_TABLES_SQL)
            tables = [row[0] for row in cursor.fetchall()]
            refuse_unmarked(tables, "the MySQL test database")
            cursor.execute("SELECT DATABASE()")
            (name,) = cursor.fetchone()
            cursor.execute(f"DROP DATABASE {self.connection.ops.quote_name(name)}")

    def destroy_test_db(self, old_database_name=None, verbosity=1, keepdb=False, suffix=None):
        if self._server is not None and self._dropped_at_end and not keepdb:
            try:
                self._drop_local_database()
            finally:
                self.connection.close()
        super().destroy_test_db(old_database_name, verbosity, keepdb, suffix)

    def _destroy_test_db(self, test_database_name, verbosity):
        if self.connection.settings_dict["TEST"].get("URL"):
            with self.connection.cursor() as cursor:
                self._empty(cursor)

    def test_db_signature(self):
        """The test database itself: aliases that would reach the same one share it."""
        test = self._configured()["TEST"]
        if test.get("URL"):
            return super().test_db_signature()
        where = ("executor", _server_address(test.get("MYSQL_URL") or ""))
        return (self.connection.settings_dict["ENGINE"], where, self._get_test_db_name())


def _server_address(mysql_url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(mysql_url)
    return f"{parts.hostname}:{parts.port or 3306}"
