"""Which strategy applies to the statement being run: explicit (``with_cache``) > context
(``with cache_strategy(...)``) > the database's default. Context variables, so threads and asyncio
tasks each see their own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .strategy import CacheStrategy


class _Unset:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET = _Unset()

# The explicit strategy of the queryset being evaluated (its prefetch queries inherit it).
_explicit: ContextVar = ContextVar("django_prisma_cache_explicit", default=UNSET)
# ``with cache_strategy(cs, using=…)``: (strategy, alias or None).
_context: ContextVar = ContextVar("django_prisma_cache_context", default=(UNSET, None))
# Inside an ORM write (save, delete, update, get_or_create…): its reads are never cached.
_suppressed: ContextVar = ContextVar("django_prisma_cache_suppressed", default=False)
# Lists collecting the CacheInfo of every statement run while a queryset is evaluated.
_captures: ContextVar = ContextVar("django_prisma_cache_captures", default=())
# What the cache did for the last statement run here: a StatementCache, or None.
_last: ContextVar = ContextVar("django_prisma_cache_last", default=None)


@contextmanager
def cache_strategy(strategy, using: str | None = None):
    """``with cache_strategy(CacheStrategy(ttl=60)):`` — reads in the block use this strategy
    unless their queryset chose one with ``with_cache``. ``cache_strategy(None)`` turns the
    database default off. ``using`` limits it to one database alias. Also a decorator."""
    value = CacheStrategy.coerce(strategy)
    token = _context.set((value, using))
    try:
        yield value
    finally:
        _context.reset(token)


@contextmanager
def explicit_scope(strategy):
    """While a queryset with an explicit strategy runs its statements (UNSET: leave as is)."""
    if strategy is UNSET:
        yield
        return
    token = _explicit.set(strategy)
    try:
        yield
    finally:
        _explicit.reset(token)


@contextmanager
def suppressed():
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


@contextmanager
def capturing() -> Iterator[list]:
    found: list = []
    token = _captures.set((*_captures.get(), found))
    try:
        yield found
    finally:
        _captures.reset(token)


def record(info) -> None:
    for found in _captures.get():
        found.append(info)


def note_statement(statement_cache) -> None:
    """What the cache did for the statement now running (None: it is no read, or a new one)."""
    _last.set(statement_cache)


def last_statement_cache(alias: str):
    """The ``StatementCache`` of the last statement run in this thread or task on ``alias``,
    None when it was no read (a write, a batch) or ran on another alias."""
    last = _last.get()
    return last if last is not None and last.alias == alias else None


def resolve(alias: str, default):
    """The strategy for a read on ``alias`` now (None: no caching)."""
    if _suppressed.get():
        return None
    explicit = _explicit.get()
    if explicit is not UNSET:
        return explicit
    strategy, using = _context.get()
    if strategy is not UNSET and (using is None or using == alias):
        return strategy
    return default
