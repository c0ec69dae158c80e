from typing import TYPE_CHECKING

from django.utils.functional import cached_property

from .mysqldb import import_django_backend

if TYPE_CHECKING:  # what mypy reads; at run time, only import_django_backend imports it
    from django.db.backends.mysql import features as mysql_features
else:
    mysql_features = import_django_backend("features")


class DatabaseFeatures(mysql_features.DatabaseFeatures):
    """Django's MySQL features, but for what the transport changes (each with its reason)."""

    # Test databases are created by a local Prisma server per alias (creation.py), not cloned.
    can_clone_databases = False
    # The driver's fetchmany() returns a list, empty at the end (MySQLdb's: a tuple).
    empty_fetchmany_value: list = []

    @cached_property
    def django_test_skips(self):
        skips = dict(super().django_test_skips)
        skips.update(DECLARED_DIFFERENCES)
        return skips

    @cached_property
    def django_test_expected_failures(self):
        return set(super().django_test_expected_failures) | EXPECTED_FAILURES


# Differences from Django's native MySQL backend, forced by the transport: reason → tests.
DECLARED_DIFFERENCES: dict[str, set[str]] = {
    "The isolation level travels with each transaction the driver starts (a pooled server "
    "connection has no session to keep it): SHOW VARIABLES reports the server's default.": {
        "backends.mysql.tests.IsolationLevelTests.test_connect_isolation_level",
        "backends.mysql.tests.IsolationLevelTests.test_default_isolation_level",
        "backends.mysql.tests.IsolationLevelTests.test_setting_isolation_level",
        "backends.mysql.tests.IsolationLevelTests.test_uppercase_isolation_level",
    },
    "The test imports MySQLdb and expects its byte-string escaping; the driver writes MySQL "
    "literals itself (bytes as X'…'), with no MySQL client library.": {
        "backends.mysql.test_schema.SchemaEditorTests.test_quote_value",
    },
}
EXPECTED_FAILURES: set[str] = {
    # The SQL differs, not the result: the executor cuts DATETIME values to milliseconds, so
    # RETURNING selects them as text (CAST(… AS CHAR)); the test matches the SQL's wording.
    "queries.test_db_returning.ReturningValuesTests.test_insert_returning_multiple",
}
