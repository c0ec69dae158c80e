"""The strategy of the query being compiled applies to the statements its compiler runs, however
the queryset was evaluated (``iterator()``, ``aiterator()``, internal ``get()`` calls…); the
compilers of UPDATE and DELETE never cache the reads they make."""

from __future__ import annotations

from functools import wraps

from django.db.models.sql.compiler import SQLCompiler, SQLDeleteCompiler, SQLUpdateCompiler

from .context import UNSET, explicit_scope, suppressed
from .queryset import ATTR

WRITE_COMPILERS = (SQLUpdateCompiler, SQLDeleteCompiler)


def patch_compiler() -> None:
    original = SQLCompiler.execute_sql
    if getattr(original, "_prisma_cache_wrapped", False):
        return

    @wraps(original)
    def execute_sql(self, *args, **kwargs):
        if isinstance(self, WRITE_COMPILERS):
            with suppressed():
                return original(self, *args, **kwargs)
        with explicit_scope(getattr(self.query, ATTR, UNSET)):
            return original(self, *args, **kwargs)

    execute_sql._prisma_cache_wrapped = True
    SQLCompiler.execute_sql = execute_sql
