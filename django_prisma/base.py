"""The django_prisma database wrapper: Django's PostgreSQL backend over Prisma's HTTP protocol."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.backends.base.base import RAN_DB_VERSION_CHECK
from django.db.backends.postgresql.base import DatabaseWrapper as PostgresDatabaseWrapper
from django.utils.asyncio import async_unsafe
from django.utils.functional import cached_property
from psycopg import IsolationLevel

from . import dbapi as Database
from . import django_support  # noqa: F401  (refuses an unsupported Django first)
from .chunked import ChunkedCursor
from .client import DatabaseClient
from .creation import TEST_RUN, DatabaseCreation
from .features import DatabaseFeatures
from .introspection import DatabaseIntrospection
from .operations import DatabaseOperations
from .postgres_types import install as install_postgres_types
from .postgres_types import register_adapters
from .schema import DatabaseSchemaEditor
from .settings import connection_params, driver_arguments
from .wrapper import PrismaWrapperMixin

ISOLATION_NAMES = {
    "read uncommitted": IsolationLevel.READ_UNCOMMITTED,
    "read committed": IsolationLevel.READ_COMMITTED,
    "repeatable read": IsolationLevel.REPEATABLE_READ,
    "serializable": IsolationLevel.SERIALIZABLE,
}


class DatabaseWrapper(PrismaWrapperMixin, PostgresDatabaseWrapper):
    Database = Database
    SchemaEditorClass = DatabaseSchemaEditor
    client_class = DatabaseClient
    creation_class = DatabaseCreation
    features_class = DatabaseFeatures
    introspection_class = DatabaseIntrospection
    ops_class = DatabaseOperations

    _configured_zone = None
    _keyed_reads = None
    _exact_next_cursor = False

    @contextmanager
    def exact_results(self):
        """The next cursor created inside — the one Django's SQL compiler runs its query on —
        runs SQL that selects only types the executor returns exactly (the compiler casts the
        others, ``compiler.cast_result``): the driver does not describe its statements
        (``Cursor.results_exact``). Only that cursor: one a tool opens meanwhile (django-silk
        runs EXPLAIN on its own while the compiler executes) is read as any raw SQL is."""
        previous, self._exact_next_cursor = self._exact_next_cursor, True
        try:
            yield
        finally:
            self._exact_next_cursor = previous

    def get_connection_params(self):
        params = connection_params(self.settings_dict)
        level = self.settings_dict["OPTIONS"].get("isolation_level")
        if level is not None:
            if isinstance(level, str) and level.lower() in ISOLATION_NAMES:
                level = ISOLATION_NAMES[level.lower()]
            try:
                params["isolation_level"] = IsolationLevel(level)
            except ValueError:
                raise ImproperlyConfigured(
                    f"Invalid transaction isolation level {level} specified. Use one of the "
                    f"psycopg.IsolationLevel values."
                ) from None
        # Django's JSONField and the cast columns want JSON as text; PostgreSQL's session zone is
        # UTC on every pooled connection, so timestamps come back in UTC.
        params["json_as_text"] = True
        # As Django's PostgreSQL backend gives psycopg one: wrappers replace it with a subclass
        # (django_prisma.prometheus). OPTIONS["cursor_factory"], a psycopg class, is ignored.
        params["cursor_factory"] = Database.Cursor
        return params

    @async_unsafe
    def get_new_connection(self, conn_params):
        # During a test run, never a database configured in settings.DATABASES (creation.py).
        TEST_RUN.check(conn_params["url"], conn_params["api_key"], self.alias)
        install_postgres_types()
        self.isolation_level = conn_params.get("isolation_level") or IsolationLevel.READ_COMMITTED
        connection = Database.connect(**driver_arguments(conn_params))
        register_adapters(connection.adapters)
        return connection

    def ensure_timezone(self):
        # Never SET TIME ZONE: it would stay on a server connection other clients share.
        if self.connection is not None:
            self._configure_time_zone(self.connection)
        return False

    def _configure_time_zone(self, connection):
        self._configured_zone = (settings.USE_TZ, self.timezone_name)
        if not settings.USE_TZ:
            # Without time zones Django means the wall clock of TIME_ZONE, which PostgreSQL
            # gives only in a session of that zone: every statement carries SET LOCAL TIME ZONE.
            zone = self.timezone_name
            connection.configure_time_zone(
                None if zone in ("UTC", "Etc/UTC") else zone, naive_datetimes=True
            )
        else:
            zone = self.timezone
            connection.configure_time_zone(
                None, result_time_zone=None if zone in (UTC, UTC) or str(zone) == "UTC" else zone
            )

    def _configure_connection(self, connection):
        self._configure_time_zone(connection)
        return False

    def init_connection_state(self):
        # Knowing the version costs a request over HTTP (psycopg reads it from its handshake):
        # it is checked when it is first needed (pg_version), not at every first connection.
        RAN_DB_VERSION_CHECK.add(self.alias)
        # Not PostgreSQL's: it sets the time zone and role on the session.
        super(PostgresDatabaseWrapper, self).init_connection_state()
        self._configure_time_zone(self.connection)

    @async_unsafe
    def create_cursor(self, name=None):
        # Like PostgreSQL's backend, follow a time zone changed since connecting (tests do).
        if self._configured_zone != (settings.USE_TZ, self.timezone_name):
            self._configure_time_zone(self.connection)
        cursor = self.connection.cursor()
        cursor.results_exact, self._exact_next_cursor = self._exact_next_cursor, False
        return cursor

    @contextmanager
    def chunked_reads(self, keyed_reads):
        """How the next ``chunked_cursor()`` may read rows by key in autocommit (the compiler
        knows, for the query it is about to run; see chunked.py)."""
        previous, self._keyed_reads = self._keyed_reads, keyed_reads
        try:
            yield
        finally:
            self._keyed_reads = previous

    @async_unsafe
    def chunked_cursor(self):
        keyed_reads, self._keyed_reads = self._keyed_reads, None
        return ChunkedCursor(self._cursor(), keyed_reads)

    def close_if_health_check_failed(self):
        return super(PostgresDatabaseWrapper, self).close_if_health_check_failed()

    @contextmanager
    def _nodb_cursor(self):
        # There is no "postgres" maintenance database behind an HTTP URL: use this one.
        with self.cursor() as cursor:
            yield cursor

    @cached_property
    def pg_version(self):
        with self.temporary_connection():
            # One query per process and server for all its facts (dbapi/info.py).
            version = self.connection.info.server_version
        self.__dict__["pg_version"] = version  # what Django's version check reads
        super().check_database_version_supported()
        return version
