"""The django_prisma.mysql database wrapper: Django's MySQL backend over Prisma's HTTP protocol."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.asyncio import async_unsafe

from .. import django_support  # noqa: F401  (refuses an unsupported Django first)
from ..creation import TEST_RUN
from ..dbapi import mysql as Database
from ..dbapi.mysql.literals import quote
from ..settings import driver_arguments, mysql_connection_params
from ..wrapper import PrismaWrapperMixin
from .mysqldb import import_django_backend

if TYPE_CHECKING:  # what mypy reads; at run time, only import_django_backend imports it
    from django.db.backends.mysql import base as mysql_base
else:
    mysql_base = import_django_backend("base")

from .client import DatabaseClient  # noqa: E402  (after Django's backend, which they extend)
from .creation import DatabaseCreation  # noqa: E402
from .features import DatabaseFeatures  # noqa: E402
from .introspection import DatabaseIntrospection  # noqa: E402
from .operations import DatabaseOperations  # noqa: E402
from .schema import DatabaseSchemaEditor  # noqa: E402


class CursorWrapper(mysql_base.CursorWrapper):
    """Django's MySQL cursor wrapper, catching the driver's OperationalError (Django's catches
    MySQLdb's): MySQL reports a NULL in a NOT NULL column or a failed CHECK as an
    OperationalError, which Django raises as an IntegrityError."""

    def execute(self, query, args=None):
        try:
            return self.cursor.execute(query, args)
        except Database.OperationalError as error:
            if error.args[0] in self.codes_for_integrityerror:
                raise IntegrityError(*tuple(error.args)) from error
            raise

    def executemany(self, query, args):
        try:
            return self.cursor.executemany(query, args)
        except Database.OperationalError as error:
            if error.args[0] in self.codes_for_integrityerror:
                raise IntegrityError(*tuple(error.args)) from error
            raise


class DatabaseWrapper(PrismaWrapperMixin, mysql_base.DatabaseWrapper):
    Database = Database
    SchemaEditorClass = DatabaseSchemaEditor
    client_class = DatabaseClient
    creation_class = DatabaseCreation
    features_class = DatabaseFeatures
    introspection_class = DatabaseIntrospection
    ops_class = DatabaseOperations

    def get_connection_params(self):
        params = mysql_connection_params(self.settings_dict)
        # Django's MySQL default: READ COMMITTED (for every transaction the driver starts).
        level = self.settings_dict["OPTIONS"].get("isolation_level", "read committed")
        if level is not None:
            level = str(level).lower()
            if level not in self.isolation_levels:
                known = ", ".join(f"'{name}'" for name in sorted(self.isolation_levels))
                raise ImproperlyConfigured(
                    f"Invalid transaction isolation level '{level}' specified.\n"
                    f"Use one of {known}, or None."
                )
            params["isolation_level"] = level
        self.isolation_level = level
        # Django's MySQL backend reads TIME columns as datetime.time (its MySQLdb conversions).
        params["times_as_time"] = True
        return params

    @async_unsafe
    def get_new_connection(self, conn_params):
        # During a test run, never a database configured in settings.DATABASES (creation.py).
        TEST_RUN.check(conn_params["url"], conn_params["api_key"], self.alias)
        return Database.connect(**driver_arguments(conn_params))

    def init_connection_state(self):
        # MySQLdb's sql_mode and init_command, then Django's SET SQL_AUTO_IS_NULL / SET SESSION
        # TRANSACTION ISOLATION LEVEL: the driver keeps them for the connection's statements and
        # transactions instead of a session (dbapi/mysql/session.py). MySQLdb applies the first
        # two as it connects, before Django reads @@sql_mode (mysql_server_data).
        options = self.settings_dict["OPTIONS"]
        statements = []
        if options.get("sql_mode") is not None:
            statements.append(f"SET sql_mode = {quote(options['sql_mode'])}")
        if options.get("init_command"):
            statements.append(options["init_command"])
        if statements:
            with self.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
        super().init_connection_state()

    @async_unsafe
    def create_cursor(self, name=None):
        return CursorWrapper(self.connection.cursor())

    def _rollback(self):
        try:
            BaseDatabaseWrapper._rollback(self)
        except Database.NotSupportedError:
            pass

    def _set_autocommit(self, autocommit):
        with self.wrap_database_errors:
            self.connection.autocommit = autocommit

    def disable_constraint_checking(self):
        """Foreign key checks off until enable_constraint_checking(), without changing the
        pooled server connection's session (the driver's ``disable_foreign_key_checks``)."""
        self.ensure_connection()
        return self.connection.disable_foreign_key_checks()

    def enable_constraint_checking(self):
        # Override needs_rollback in case constraint_checks_disabled is nested inside
        # transaction.atomic (as Django's MySQL backend does).
        self.needs_rollback, needs_rollback = False, self.needs_rollback
        try:
            if self.connection is not None:
                self.connection.enable_foreign_key_checks()
        finally:
            self.needs_rollback = needs_rollback
