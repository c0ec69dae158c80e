from django.db.backends.postgresql.features import DatabaseFeatures as PostgresDatabaseFeatures
from django.utils.functional import cached_property


class DatabaseFeatures(PostgresDatabaseFeatures):
    # iterator(): a server-side cursor inside a transaction, reads by primary key in autocommit
    # (chunked.py).
    can_use_chunked_reads = True
    # A test database is a fresh local server or an emptied dedicated database, never a clone.
    can_clone_databases = False
    uses_server_side_binding = False

    @cached_property
    def django_test_skips(self):
        skips = super().django_test_skips
        skips.update(
            {
                "There is no database session over HTTP: each statement runs on whichever pooled "
                "server connection is free, so session settings (SET TIME ZONE, SET ROLE, "
                "SET standard_conforming_strings, RESET, client_encoding) are refused rather "
                "than leaked to other clients; time zones are applied per statement with SET "
                "LOCAL.": {
                    "backends.postgresql.tests.Tests.test_connect_and_rollback",
                    "backends.postgresql.tests.Tests.test_bypass_role_configuration",
                    "backends.postgresql.tests.Tests.test_bypass_timezone_configuration",
                    "backends.postgresql.tests.Tests.test_connect_role",
                    "backends.postgresql.tests.Tests.test_client_encoding_utf8_enforce",
                    "postgres_tests.test_unaccent.UnaccentTest."
                    "test_unaccent_with_conforming_strings_off",
                    "postgres_tests.test_unaccent.UnaccentTextFieldTest."
                    "test_unaccent_with_conforming_strings_off",
                },
                "psycopg connection internals (cursor_factory, server-side binding, COPY) do not "
                "exist in the HTTP driver: binding is client-side, and Prisma's protocol has no "
                "COPY.": {
                    "backends.postgresql.tests.Tests.test_connect_custom_cursor_factory",
                    "backends.postgresql.tests.Tests.test_connect_server_side_binding",
                    "backends.postgresql.tests.Tests.test_copy_cursors",
                    "backends.postgresql.test_server_side_cursors.ServerSideCursorsPostgres."
                    "test_server_side_binding",
                },
                "The Prisma server keeps the pool of database connections; OPTIONS['pool'] "
                "(psycopg_pool) is refused with ImproperlyConfigured.": {
                    "backends.postgresql.tests.Tests.test_connect_pool",
                    "backends.postgresql.tests.Tests.test_connect_pool_with_timezone",
                    "backends.postgresql.tests.Tests.test_connect_pool_set_to_true",
                    "backends.postgresql.tests.Tests.test_pooling_health_checks",
                    "backends.postgresql.tests.Tests.test_pooling_not_support_persistent_connections",
                },
                "Test databases are ephemeral local Prisma servers (or an emptied dedicated "
                "database): there is no CREATE DATABASE on the configured server and no "
                "'postgres' maintenance database behind an HTTP URL.": {
                    "backends.postgresql.test_creation.DatabaseCreationTests.test_create_test_db",
                    "backends.postgresql.tests.Tests.test_nodb_cursor",
                    "backends.postgresql.tests.Tests."
                    "test_nodb_cursor_raises_postgres_authentication_failure",
                },
            }
        )
        return skips

    @cached_property
    def django_test_expected_failures(self):
        expected = set(super().django_test_expected_failures)
        expected.update(
            {
                # Prisma's executor cannot serialise some result types at all, even NULL
                # values: these tests select them in expressions Django types as something
                # else (time - NULL is an interval), which the SQL compiler cannot cast.
                "expressions.tests.FTimeDeltaTests.test_time_subtraction",  # interval
                "expressions.tests.FTimeDeltaTests.test_datetime_subtraction",  # interval
                # A commit after a statement of the transaction failed raises TransactionAborted
                # (Prisma's executor answers such a commit with success while PostgreSQL rolled
                # back): these tests swallow an error inside schema_editor() and then commit.
                "schema.tests.SchemaTests.test_alter_char_field_decrease_length",
                "schema.tests.SchemaTests.test_alter_array_field_decrease_base_field_length",
                "schema.tests.SchemaTests.test_alter_array_field_decrease_nested_base_field_length",
                "schema.tests.SchemaTests.test_func_index_nondeterministic",
                "schema.tests.SchemaTests.test_func_unique_constraint_nondeterministic",
                "postgres_tests.test_operations.ValidateConstraintTests.test_validate",
            }
        )
        return expected
