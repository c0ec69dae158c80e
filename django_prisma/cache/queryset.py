"""``with_cache`` on querysets and managers, and ``cache_info`` after evaluation.

The strategy lives on the ``Query`` object (``Query.clone`` copies it), so it survives every
chained call. Evaluation methods run their statements inside a scope carrying that strategy —
prefetch queries started from there inherit it — and collect the cache status they produced."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.db.models import Manager, QuerySet
from django.db.models.manager import BaseManager

from .context import UNSET, capturing, explicit_scope, suppressed
from .strategy import CacheStrategy

ATTR = "_prisma_cache_strategy"
INFO = "_prisma_cache_info"
_MISSING = object()

# Methods that run reads and report their cache status on the queryset they were called on.
EVALUATING = (
    "_fetch_all",
    "count",
    "exists",
    "aggregate",
    "get",
    "in_bulk",
    "first",
    "last",
    "earliest",
    "latest",
    "contains",
)
# ORM writes: the reads they make (existence checks, cascade collection, ids) must be fresh.
QUERYSET_WRITES = (
    "update",
    "_update",
    "delete",
    "_raw_delete",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
)
MODEL_WRITES = ("save_base", "delete", "refresh_from_db")


def with_cache(self, strategy=_MISSING, **kwargs):
    """A copy of this queryset whose reads use ``strategy`` (a ``CacheStrategy``, a dict, or
    None to turn caching off); ``with_cache(ttl=60, swr=30, tags=["a"])`` builds one."""
    from . import install

    install()
    if strategy is _MISSING:
        if not kwargs:
            raise TypeError("with_cache() needs a CacheStrategy, None, or ttl=/swr=/tags=")
        strategy = CacheStrategy(**kwargs)
    elif kwargs:
        raise TypeError("with_cache() takes a CacheStrategy or keyword arguments, not both")
    clone = self._chain()
    setattr(clone.query, ATTR, CacheStrategy.coerce(strategy))
    return clone


def cache_strategy_of(self):
    """The strategy chosen with ``with_cache`` (UNSET when none was)."""
    return getattr(self.query, ATTR, UNSET)


def cache_info(self):
    """The cache status of this queryset's last evaluation (None before one)."""
    return self.__dict__.get(INFO)


def _evaluating(method):
    @wraps(method)
    def wrapper(self, *args, **kwargs):
        with capturing() as found, explicit_scope(getattr(self.query, ATTR, UNSET)):
            result = method(self, *args, **kwargs)
        if found:
            self.__dict__[INFO] = found[0]
        return result

    wrapper._prisma_cache_wrapped = True
    return wrapper


def _iterating(method):
    @wraps(method)
    def wrapper(self, *args, **kwargs):
        return _scoped_iteration(self, method(self, *args, **kwargs))

    wrapper._prisma_cache_wrapped = True
    return wrapper


def _scoped_iteration(queryset, iterator):
    strategy = getattr(queryset.query, ATTR, UNSET)
    while True:
        with capturing() as found, explicit_scope(strategy):
            try:
                item = next(iterator)
            except StopIteration:
                return
        if found and INFO not in queryset.__dict__:
            queryset.__dict__[INFO] = found[0]
        yield item


def _uncached(method):
    @wraps(method)
    def wrapper(*args, **kwargs):
        with suppressed():
            return method(*args, **kwargs)

    wrapper._prisma_cache_wrapped = True
    return wrapper


def _wrap(cls, name, decorator) -> None:
    method = cls.__dict__.get(name)
    if method is None:
        # A Django that renamed a method the cache relies on: fail loudly, never run uncached
        # writes through a cached read by accident.
        raise RuntimeError(
            f"django_prisma's cache cannot wrap {cls.__name__}.{name}: this Django version "
            "does not define it (supported: Django 5.2 and 6.0)"
        )
    if getattr(method, "_prisma_cache_wrapped", False):
        return
    setattr(cls, name, decorator(method))


def patch_queryset(cls=QuerySet) -> None:
    cls.with_cache = with_cache
    cls.cache_info = property(cache_info)
    cls.cache_strategy = property(cache_strategy_of)
    for name in EVALUATING:
        _wrap(cls, name, _evaluating)
    _wrap(cls, "iterator", _iterating)
    for name in QUERYSET_WRITES:
        _wrap(cls, name, _uncached)


def patch_manager() -> None:
    def manager_with_cache(self, strategy=_MISSING, **kwargs):
        return self.get_queryset().with_cache(strategy, **kwargs)

    manager_with_cache.__doc__ = with_cache.__doc__
    BaseManager.with_cache = manager_with_cache


def patch_model() -> None:
    from django.db.models import Model

    for name in MODEL_WRITES:
        _wrap(Model, name, _uncached)


class PrismaQuerySet(QuerySet):
    """A QuerySet with ``with_cache`` and ``cache_info`` (every QuerySet has them once
    ``django_prisma`` is in INSTALLED_APPS; this class is for being explicit about it)."""

    with_cache = with_cache
    cache_info = property(cache_info)
    cache_strategy = property(cache_strategy_of)


# A base class built at run time (Django's documented way), which mypy takes as Any.
_ManagerFromPrismaQuerySet: Any = Manager.from_queryset(PrismaQuerySet)


class PrismaManager(_ManagerFromPrismaQuerySet):
    """``objects = PrismaManager()``: a default manager whose querysets are ``PrismaQuerySet``."""

    def with_cache(self, strategy=_MISSING, **kwargs):
        return self.get_queryset().with_cache(strategy, **kwargs)
