"""Test databases without CREATE DATABASE on the configured server.

* A local URL (``localhost``): each alias gets an ephemeral local Prisma server of its own, like
  SQLite's in-memory test database. ``TEST["SERVER"]`` picks ``"dev"`` (``@prisma/dev``, the
  default) or ``"executor"`` (Prisma's executor in front of a fresh database on the PostgreSQL at
  ``TEST["POSTGRES_URL"]``).
* A remote URL: ``TEST["URL"]`` names a dedicated database, emptied before and after the run.
  A database is only ever emptied if it is empty or carries django-prisma's test marker.
"""

from __future__ import annotations

import sys
import uuid

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.postgresql.creation import DatabaseCreation as PostgresCreation

from .dbapi.url import parse_url, split_api_key

MARKER_TABLE = "_django_prisma_test_database"


class DatabaseCreation(PostgresCreation):
    # The ephemeral server belongs to this creation object (one per connection object), so a
    # copy of the connection can never stop it.
    _server = None

    def _get_test_db_name(self):
        test_name = self.connection.settings_dict["TEST"].get("NAME")
        return test_name or f"test_{self.connection.alias}_django_prisma"

    def _create_test_db(self, verbosity, autoclobber, keepdb=False):
        settings_dict = self.connection.settings_dict
        test = settings_dict["TEST"]
        name = self._get_test_db_name()
        self._saved = (settings_dict.get("URL"), settings_dict.get("TOKEN"))
        if test.get("URL"):
            self._use_url(test["URL"], test.get("TOKEN"))
            self._prepare_dedicated_database(keepdb, autoclobber)
            return name
        endpoint = parse_url(settings_dict["URL"], settings_dict.get("TOKEN") or "local")
        if not endpoint.is_local:
            raise ImproperlyConfigured(
                f"database {self.connection.alias!r} points at a remote Prisma server: set "
                "TEST['URL'] to a dedicated test database (it is emptied before and after the "
                "tests), so that the tests never touch the main database"
            )
        self._start_local_server(name, test, keepdb, verbosity)
        # A TestCase class runs inside one transaction: let it last as long as the local server
        # allows (an hour for the executor, five minutes for @prisma/dev) unless configured.
        options = settings_dict.setdefault("OPTIONS", {})
        if "transaction_timeout" not in options:
            options["transaction_timeout"] = 3_600_000
            self._added_timeout = True
        return name

    def _use_url(self, url, token=None):
        base, key = split_api_key(url)
        self.connection.settings_dict["URL"] = base
        self.connection.settings_dict["TOKEN"] = token or key or ""

    def _start_local_server(self, name, test, keepdb, verbosity):
        from .devserver import LocalServer, with_database

        kind = test.get("SERVER", "dev")
        if not keepdb:
            # Several test runs may share one PostgreSQL: a throw-away database of its own each.
            name = f"{name}_{uuid.uuid4().hex[:8]}"
        if kind == "executor":
            postgres_url = test.get("POSTGRES_URL")
            if not postgres_url:
                raise ImproperlyConfigured(
                    "TEST['SERVER'] = 'executor' needs TEST['POSTGRES_URL'] = 'postgres://…' "
                    "(the PostgreSQL server on which the test database is created)"
                )
            server = LocalServer(
                "executor",
                database_url=with_database(postgres_url, name),
                fresh_database=not keepdb,
                drop_database_on_exit=not keepdb,
                max_transaction_timeout=test.get("MAX_TRANSACTION_TIMEOUT", "PT60M"),
            )
        elif kind == "dev":
            server = LocalServer("dev")
        else:
            raise ImproperlyConfigured(f"TEST['SERVER'] must be 'dev' or 'executor', not {kind!r}")
        if verbosity >= 1:
            sys.stderr.write(
                f"Starting a local Prisma server ({kind}) for alias '{self.connection.alias}'...\n"
            )
        server.start()
        self._server = server
        self._use_url(server.url)

    def _prepare_dedicated_database(self, keepdb, autoclobber):
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_name::text FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            )
            tables = {row[0] for row in cursor.fetchall()}
            if tables and MARKER_TABLE not in tables:
                raise ImproperlyConfigured(
                    f"refusing to empty the database at TEST['URL'] of alias "
                    f"{self.connection.alias!r}: it has tables but is not marked as a "
                    f"django-prisma test database (table {MARKER_TABLE})"
                )
            if not keepdb:
                self._empty(cursor)

    def _empty(self, cursor):
        cursor.execute("DROP SCHEMA IF EXISTS public CASCADE")
        cursor.execute("CREATE SCHEMA public")
        cursor.execute(f"CREATE TABLE {MARKER_TABLE} (created timestamptz DEFAULT now())")

    def _destroy_test_db(self, test_database_name, verbosity):
        if self.connection.settings_dict["TEST"].get("URL"):
            with self.connection.cursor() as cursor:
                self._empty(cursor)

    def destroy_test_db(self, old_database_name=None, verbosity=1, keepdb=False, suffix=None):
        super().destroy_test_db(old_database_name, verbosity, keepdb, suffix)
        server, self._server = self._server, None
        if server is not None:
            server.stop()
        saved = getattr(self, "_saved", None)
        if saved is not None:
            self.connection.settings_dict["URL"], self.connection.settings_dict["TOKEN"] = saved
        if getattr(self, "_added_timeout", False):
            self.connection.settings_dict["OPTIONS"].pop("transaction_timeout", None)
            self._added_timeout = False

    def _clone_test_db(self, suffix, verbosity, keepdb=False):
        raise NotImplementedError("django_prisma test databases cannot be cloned: use --parallel=1")
