from django.db.backends.postgresql.features import DatabaseFeatures as PostgresDatabaseFeatures
from django.utils.functional import cached_property


class DatabaseFeatures(PostgresDatabaseFeatures):
    # No server-side cursors over HTTP: iterator() reads in chunks of whole results instead.
    can_use_chunked_reads = False
    # A test database is a fresh local server or an emptied dedicated database, never a clone.
    can_clone_databases = False
    uses_server_side_binding = False

    @cached_property
    def django_test_skips(self):
        skips = super().django_test_skips
        skips.update(
            {
                "No server-side cursors over HTTP (each request returns a whole result).": {
                    "backends.postgresql.test_server_side_cursors.ServerSideCursorsPostgres",
                },
            }
        )
        return skips
