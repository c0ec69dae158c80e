"""Test databases without CREATE DATABASE on the configured server.

* A local URL (``localhost``): the test runner starts a local Prisma server for the test
  database. ``TEST["SERVER"]`` picks ``"dev"`` (``@prisma/dev``, the default) or ``"executor"``
  (Prisma's executor in front of the database ``TEST["NAME"]`` on the PostgreSQL at
  ``TEST["POSTGRES_URL"]``, created and dropped like Django's PostgreSQL backend does).
* A remote URL: ``TEST["URL"]`` names a dedicated database, emptied before and after the run.

A database is only ever emptied, dropped or reused if it is empty or carries django-prisma's test
marker. While a test database is in use, no django_prisma connection of the process may reach a
database configured in ``settings.DATABASES`` (see :class:`TestRunGuard`): a mirror, an alias the
run did not set up or a copy of the settings can never write to the real database.
"""

from __future__ import annotations

import hashlib
import sys
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.postgresql.creation import DatabaseCreation as PostgresCreation

from .dbapi.exceptions import InterfaceError
from .dbapi.url import parse_url, split_api_key
from .settings import url_and_token

MARKER_TABLE = "_django_prisma_test_database"
MARKER_SQL = f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (created timestamptz DEFAULT now())"
# Every table of a database but the catalogs and @prisma/dev's own (_prisma_dev_wal.events).
USER_TABLES_SQL = (
    "SELECT table_schema || '.' || table_name FROM information_schema.tables "
    "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') "
    "AND table_schema NOT LIKE 'pg\\_%' AND table_schema NOT LIKE '\\_prisma\\_%' ORDER BY 1"
)
LOCAL_TRANSACTION_TIMEOUT = 3_600_000


def target_fingerprint(url: str | None, token: str | None) -> str | None:
    """What identifies the database a URL and key reach: the server origin and the key (a
    Prisma Postgres key selects the database), hashed so that the key is never kept."""
    if not url:
        return None
    try:
        endpoint = parse_url(url, token or None)
    except InterfaceError:
        return None
    return hashlib.sha256(f"{endpoint.origin}\0{endpoint.api_key}".encode()).hexdigest()


def settings_fingerprint(settings_dict: dict) -> str | None:
    return target_fingerprint(*url_and_token(settings_dict))


class TestRunGuard:
    """Process-wide: from the first test database (or test mirror) until the last test database
    is destroyed, connecting to a database configured in ``settings.DATABASES`` is refused.

    The check sits where every django_prisma connection is opened
    (``DatabaseWrapper.get_new_connection``), so neither a mirror, nor an alias missing from the
    run's ``databases``, nor a copy of the settings can bypass it. Connections to other servers
    (a test's own local server) are not affected."""

    def __init__(self) -> None:
        self.creations: set = set()
        self.protected: dict[str, str] = {}  # fingerprint → alias it is configured for
        self.active = False

    def begin(self, creation) -> None:
        if not self.active:
            self.protected = configured_targets()
            self.active = True
        self.creations.add(creation)

    def protect(self, settings_dict: dict, alias: str) -> None:
        fingerprint = settings_fingerprint(settings_dict)
        if fingerprint:
            self.protected.setdefault(fingerprint, alias)

    def end(self, creation) -> None:
        self.creations.discard(creation)
        if not self.creations:
            self.active = False
            self.protected = {}

    def configured_alias(self, url: str | None, token: str | None) -> str | None:
        """The alias whose configured (non-test) database ``url`` reaches, during a test run."""
        if not self.active:
            return None
        return self.protected.get(target_fingerprint(url, token) or "")

    def check(self, url: str | None, token: str | None, alias: str) -> None:
        configured_for = self.configured_alias(url, token)
        if configured_for is None:
            return
        raise ImproperlyConfigured(
            f"database alias {alias!r} would connect to the configured database of alias "
            f"{configured_for!r} while test databases are in use: refusing, so that tests never "
            f"touch a non-test database. Add {alias!r} to the test's `databases` (or set it up "
            f"as a TEST['MIRROR'] of an alias the tests use)."
        )


def configured_targets() -> dict[str, str]:
    """Fingerprints of every database configured in settings.DATABASES, by alias."""
    from django.db import connections

    targets: dict[str, str] = {}
    for alias, settings_dict in connections.settings.items():
        fingerprint = settings_fingerprint(settings_dict)
        if fingerprint:
            targets.setdefault(fingerprint, alias)
    return targets


TEST_RUN = TestRunGuard()


class PrismaCreation:
    """What both engines' test databases share (mixed into Django's creation class of the
    engine): the guard, mirrors, TEST['URL'] databases, local servers and their markers. The
    dialect's parts: ``_start_local_server``, ``USER_TABLES_SQL``, ``_empty``."""

    USER_TABLES_SQL = USER_TABLES_SQL
    connection: Any  # the DatabaseWrapper, which Django's creation class keeps

    # The local server belongs to this creation object (one per connection object), so a copy
    # of the connection can never stop it.
    _server = None
    _saved = None  # a copy of the configured settings; URL, TOKEN, NAME restored at the end
    _postgres = None  # the executor's PostgreSQL test database
    _mirrors: list[PrismaCreation]
    _added_options: dict

    def __init__(self, connection):
        super().__init__(connection)
        self._mirrors = []
        self._added_options = {}

    # -- names and identity ------------------------------------------------------------------
    def _configured(self) -> dict:
        """The configured (non-test) settings, also while a test database replaces them."""
        return self._saved or self.connection.settings_dict

    def _get_test_db_name(self):
        configured = self._configured()
        test_name = configured["TEST"].get("NAME")
        if test_name:
            return test_name
        if configured.get("NAME"):
            return f"test_{configured['NAME']}"
        # Like Django's "test_" + NAME: aliases configured alike share one name, different
        # databases get different names.
        fingerprint = settings_fingerprint(configured)
        return f"test_django_prisma_{fingerprint[:10]}" if fingerprint else "test_django_prisma"

    def test_db_signature(self):
        """The test database itself: aliases that would reach the same one share it."""
        test = self._configured()["TEST"]
        if test.get("URL"):
            where = ("url", target_fingerprint(test["URL"], test.get("TOKEN")))
        elif test.get("SERVER", "dev") == "executor":
            where = ("executor", _postgres_server(test.get("POSTGRES_URL") or ""))
        else:
            where = ("dev", test.get("SERVER", "dev"))
        return (self.connection.settings_dict["ENGINE"], where, self._get_test_db_name())

    # -- creation ----------------------------------------------------------------------------
    def _create_test_db(self, verbosity, autoclobber, keepdb=False):
        # The first thing create_test_db() does with the database (create_test_db itself is not
        # overridden: Django 6.0 checks where its deprecation warnings point).
        TEST_RUN.begin(self)
        settings_dict = self.connection.settings_dict
        if self._saved is None:
            self._saved = dict(settings_dict)
        TEST_RUN.protect(self._saved, self.connection.alias)
        test = settings_dict["TEST"]
        name = self._get_test_db_name()
        alias = self.connection.alias
        if test.get("URL"):
            self._refuse_configured_test_url(test)
            self._use_url(test["URL"], test.get("TOKEN"))
            self._prepare_database(keepdb, f"the database at TEST['URL'] of alias {alias!r}")
            return name
        url, token = url_and_token(settings_dict)
        try:
            endpoint = parse_url(url, token or "local")
        except InterfaceError as error:
            raise ImproperlyConfigured(f"settings.DATABASES[{alias!r}]: {error}") from None
        if not endpoint.is_local:
            raise ImproperlyConfigured(
                f"database {self.connection.alias!r} points at a remote Prisma server: set "
                "TEST['URL'] to a dedicated test database (it is emptied before and after the "
                "tests), so that the tests never touch the main database"
            )
        self._start_local_server(name, test, keepdb, autoclobber, verbosity)
        # A TestCase class runs inside one transaction: let it last as long as the local server
        # allows (an hour for the executor, five minutes for @prisma/dev) unless configured.
        options = settings_dict.setdefault("OPTIONS", {})
        if "transaction_timeout" not in options:
            options["transaction_timeout"] = LOCAL_TRANSACTION_TIMEOUT
            self._added_options["transaction_timeout"] = LOCAL_TRANSACTION_TIMEOUT
        return name

    def _refuse_configured_test_url(self, test):
        configured_for = TEST_RUN.configured_alias(test["URL"], test.get("TOKEN"))
        if target_fingerprint(test["URL"], test.get("TOKEN")) == settings_fingerprint(self._saved):
            configured_for = self.connection.alias
        if configured_for is not None:
            raise ImproperlyConfigured(
                f"TEST['URL'] of alias {self.connection.alias!r} is the configured database of "
                f"alias {configured_for!r}: a test database must be a database of its own"
            )

    def _use_url(self, url, token=None):
        base, key = split_api_key(url)
        self.connection.settings_dict["URL"] = base
        self.connection.settings_dict["TOKEN"] = token or key or ""

    def _start_local_server(self, name, test, keepdb, autoclobber, verbosity):
        from .devserver import LocalServer, discard_dev_state, with_database

        kind = test.get("SERVER", "dev")
        if kind == "executor":
            postgres_url = test.get("POSTGRES_URL")
            if not postgres_url:
                raise ImproperlyConfigured(
                    "TEST['SERVER'] = 'executor' needs TEST['POSTGRES_URL'] = 'postgres://…' "
                    "(the PostgreSQL server on which the test database is created)"
                )
            self._postgres = PostgresTestDatabase(postgres_url, name, self.connection.alias)
            self._postgres.prepare(keepdb, autoclobber, self._confirm, verbosity, self.log)
            server = LocalServer(
                "executor",
                database_url=with_database(postgres_url, name),
                max_transaction_timeout=test.get("MAX_TRANSACTION_TIMEOUT", "PT60M"),
            )
        elif kind == "dev":
            # Kept test databases live in @prisma/dev's data directory under their name; any
            # other lives in memory, and a kept one of the same name is discarded (recreated).
            state = f"django-prisma-{name}"
            if keepdb:
                server = LocalServer("dev", name=state, persistent=True)
            else:
                discard_dev_state(state)
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
        if kind == "dev" and keepdb:
            self._prepare_database(keepdb, f"the kept @prisma/dev database {name!r}")

    def _confirm(self, name) -> bool:
        answer = input(
            f"Type 'yes' if you would like to try deleting the test database '{name}', or 'no' "
            "to cancel: "
        )
        return answer == "yes"

    def _prepare_database(self, keepdb, what):
        """Empty a database reached over HTTP (or keep it), and mark it: only if it is empty or
        marked already."""
        with self.connection.cursor() as cursor:
            cursor.execute(self.USER_TABLES_SQL)
            tables = [row[0] for row in cursor.fetchall()]
            try:
                refuse_unmarked(tables, what)
            except ImproperlyConfigured:
                self._stop_server()
                raise
            if not keepdb or not tables:
                self._empty(cursor)

    def _empty(self, cursor):
        cursor.execute("DROP SCHEMA IF EXISTS public CASCADE")
        cursor.execute("CREATE SCHEMA public")
        cursor.execute(MARKER_SQL)

    # -- mirrors -----------------------------------------------------------------------------
    def set_as_test_mirror(self, primary_settings_dict):
        """Use the primary's test database — its server, key and the OPTIONS its creation added —
        until the primary's test database is destroyed (Django copies only NAME, which
        django_prisma does not read)."""
        TEST_RUN.begin(self)
        settings_dict = self.connection.settings_dict
        self.connection.close()
        if self._saved is None:
            self._saved = dict(settings_dict)
        TEST_RUN.protect(self._saved, self.connection.alias)
        for key in ("URL", "TOKEN", "NAME"):
            settings_dict[key] = primary_settings_dict.get(key)
        primary = _creation_for(primary_settings_dict)
        if primary is None or primary._saved is None:
            # The mirror now has the primary's configured settings: said before any test runs,
            # and connecting through it is refused (TestRunGuard).
            self.log(
                f"Alias '{self.connection.alias}' mirrors an alias that has no test database in "
                "this run: connections through it to the configured database will be refused."
            )
        if primary is not None:
            options = settings_dict.setdefault("OPTIONS", {})
            for key, value in primary._added_options.items():
                if key not in options:
                    options[key] = value
                    self._added_options[key] = value
            primary._mirrors.append(self)

    def _restore(self):
        self.connection.close()
        saved, self._saved = self._saved, None
        if saved is not None:
            for key in ("URL", "TOKEN", "NAME"):
                self.connection.settings_dict[key] = saved.get(key)
        options = self.connection.settings_dict.get("OPTIONS", {})
        for key in self._added_options:
            options.pop(key, None)
        self._added_options = {}

    # -- destruction -------------------------------------------------------------------------
    def _destroy_test_db(self, test_database_name, verbosity):
        if self.connection.settings_dict["TEST"].get("URL"):
            with self.connection.cursor() as cursor:
                self._empty(cursor)

    def destroy_test_db(self, old_database_name=None, verbosity=1, keepdb=False, suffix=None):
        try:
            super().destroy_test_db(old_database_name, verbosity, keepdb, suffix)
            self._stop_server()
            postgres, self._postgres = self._postgres, None
            if postgres is not None and not keepdb:
                postgres.drop()
        finally:
            mirrors, self._mirrors = self._mirrors, []
            for mirror in mirrors:
                mirror._restore()
                TEST_RUN.end(mirror)
            self._restore()
            TEST_RUN.end(self)

    def _stop_server(self):
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def _clone_test_db(self, suffix, verbosity, keepdb=False):
        raise NotImplementedError("django_prisma test databases cannot be cloned: use --parallel=1")


class DatabaseCreation(PrismaCreation, PostgresCreation):
    pass


def refuse_unmarked(tables, what: str) -> None:
    """A database with tables but without the marker is not ours to empty or reuse."""
    if tables and not any(table.endswith(f".{MARKER_TABLE}") for table in tables):
        raise ImproperlyConfigured(
            f"refusing to empty or reuse {what}: it has tables but is not marked as a django-prisma test "
            f"database (table {MARKER_TABLE})"
        )


def _creation_for(settings_dict: dict):
    """The creation object of the connection whose settings are ``settings_dict``."""
    from django.db import connections

    for alias in connections:
        connection = connections[alias]
        if connection.settings_dict is settings_dict and isinstance(
            connection.creation, PrismaCreation
        ):
            return connection.creation
    return None


def _postgres_server(postgres_url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(postgres_url)
    return f"{parts.hostname}:{parts.port or 5432}"


class PostgresTestDatabase:
    """The executor's test database on ``TEST['POSTGRES_URL']``'s server, managed with psycopg
    as Django's PostgreSQL backend manages its own: created when missing, kept with keepdb,
    dropped and created again otherwise — and only ever if it is empty or marked."""

    def __init__(self, postgres_url: str, name: str, alias: str):
        self.postgres_url = postgres_url
        self.name = name
        self.alias = alias

    def _admin(self):
        import psycopg

        from .devserver import with_database

        # The maintenance database, as Django's PostgreSQL backend uses for CREATE DATABASE.
        admin_url = with_database(self.postgres_url, "postgres")
        return psycopg.connect(admin_url, autocommit=True, connect_timeout=10)

    def _database(self):
        import psycopg

        from .devserver import with_database

        return psycopg.connect(
            with_database(self.postgres_url, self.name), autocommit=True, connect_timeout=10
        )

    def _sql(self, template: str):
        from psycopg import sql

        return sql.SQL(template).format(sql.Identifier(self.name))

    def exists(self) -> bool:
        with self._admin() as admin:
            row = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.name])
            return row.fetchone() is not None

    def user_tables(self) -> list[str]:
        with self._database() as conn:
            return [row[0] for row in conn.execute(USER_TABLES_SQL).fetchall()]

    def prepare(self, keepdb, autoclobber, confirm, verbosity, log) -> None:
        if self.exists():
            tables = self.user_tables()
            refuse_unmarked(tables, f"the PostgreSQL database {self.name!r}")
            if keepdb:
                self._mark()
                return
            if not autoclobber and not confirm(self.name):
                raise ImproperlyConfigured("Tests cancelled.")
            if verbosity >= 1:
                log(f"Destroying old test database for alias '{self.alias}'...")
            self._drop()
        self._create()

    def _create(self) -> None:
        with self._admin() as admin:
            admin.execute(self._sql("CREATE DATABASE {}"))
        self._mark()

    def _mark(self) -> None:
        with self._database() as conn:
            conn.execute(MARKER_SQL)

    def _drop(self) -> None:
        import psycopg

        try:
            with self._admin() as admin:
                admin.execute(self._sql("DROP DATABASE IF EXISTS {}"))
        except psycopg.errors.ObjectInUse as error:
            raise ImproperlyConfigured(
                f"the test database {self.name!r} is in use (another test run?): {error}"
            ) from None

    def drop(self) -> None:
        """Drop it at the end of the run, if it is still ours."""
        if self.exists():
            refuse_unmarked(self.user_tables(), f"the PostgreSQL database {self.name!r}")
            self._drop()
