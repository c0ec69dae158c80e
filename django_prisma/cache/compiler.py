"""The strategy of the query being compiled applies to the statements its compiler runs, however
the queryset was evaluated (``iterator()``, ``aiterator()``, internal ``get()`` calls…); the
compilers of UPDATE and DELETE never cache the reads they make. Registered on the backend's own
compilers (``django_prisma.compiler.EXECUTION_SCOPES``): other databases' compilers are untouched."""

from __future__ import annotations

from django_prisma import compiler

from .context import UNSET, explicit_scope, suppressed
from .queryset import ATTR


def read_scope(query):
    return explicit_scope(getattr(query, ATTR, UNSET))


def write_scope(query):
    return suppressed()


def register_scopes() -> None:
    compiler.EXECUTION_SCOPES.update(read=read_scope, write=write_scope)
