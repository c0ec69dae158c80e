"""What both engines' database wrappers add to Django's (``django_prisma.base`` for PostgreSQL,
``django_prisma.mysql.base`` for MySQL): settings read through django_prisma's, and statements
that also pass through the backend's own ``statement_wrappers`` (the cache's)."""

from __future__ import annotations

import functools

from django.db.backends import utils as backend_utils
from django.utils.functional import cached_property

from .settings import normalize


class PrismaWrapperMixin:
    # A django_prisma connection (cache.options.is_prisma): the cache and tools ask this.
    prisma_server = True
    settings_dict: dict  # Django's DatabaseWrapper's, which the mixin precedes

    def __init__(self, settings_dict, alias="default"):
        settings_dict.setdefault("URL", "")
        settings_dict.setdefault("TOKEN", "")
        normalize(settings_dict)
        super().__init__(settings_dict, alias)
        # Wrappers (Django's execute-wrapper signature) around every statement of this
        # connection, inside the user's execute_wrappers: the backend's own (the cache's).
        self.statement_wrappers = []

    @cached_property
    def page_first_joins(self) -> bool:
        """Whether sliced select_related queries select their page before joining
        (``page_first``); ``OPTIONS["page_first_joins"] = False`` turns it off."""
        return self.settings_dict["OPTIONS"].get("page_first_joins", True)

    @property
    def pool(self):
        return None  # the Prisma server keeps the pool of database connections

    def is_usable(self):
        if self.connection is None:
            return False
        try:
            self.connection.cursor().execute("SELECT 1")
        except self.Database.Error:
            return False
        return True

    def _close(self):
        if self.connection is not None:
            with self.wrap_database_errors:
                return self.connection.close()

    # The wrapper classes are looked up when a cursor is made, not imported: tools replace them
    # in django.db.backends.utils (django-extensions' shell_plus --print-sql).
    def make_cursor(self, cursor):
        return statement_wrapping(backend_utils.CursorWrapper)(cursor, self)

    def make_debug_cursor(self, cursor):
        return statement_wrapping(backend_utils.CursorDebugWrapper)(cursor, self)


@functools.lru_cache(maxsize=8)
def statement_wrapping(cursor_class):
    """``cursor_class`` whose statements also pass through ``connection.statement_wrappers``."""

    class StatementWrappingCursor(cursor_class):
        def _execute_with_wrappers(self, sql, params, many, executor):
            executor = through_statement_wrappers(self.db, executor)
            return super()._execute_with_wrappers(sql, params, many, executor)

    StatementWrappingCursor.__name__ = StatementWrappingCursor.__qualname__ = cursor_class.__name__
    return StatementWrappingCursor


def through_statement_wrappers(db, executor):
    """``executor`` (Django's execute-wrapper signature) inside ``db.statement_wrappers``."""
    for wrapper in reversed(db.statement_wrappers):
        executor = functools.partial(wrapper, executor)
    return executor


def execute_cursor_read(db, cursor, sql, params=None) -> None:
    """Run a statement that is a cursor's own read on the driver's ``cursor``, as psycopg's named
    cursors send FETCH: through the backend's statement wrappers (the cache's), but neither
    logged as a query nor passed to Django's execute wrappers; errors wrapped as any fetch's."""

    def execute(sql, params, many, context):
        with db.wrap_database_errors:
            return cursor.execute(sql, params)

    through_statement_wrappers(db, execute)(
        sql, params, False, {"connection": db, "cursor": cursor}
    )
