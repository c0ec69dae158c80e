"""Per-queryset caching on Prisma Accelerate.

``User.objects.with_cache(CacheStrategy(ttl=60, swr=60)).filter(...)``, ``cache_strategy``
contexts, a per-database default, ``qs.cache_info``, ``invalidate`` / ``invalidate_all``,
automatic table tags and a Django-cache fallback. ``install()`` runs from the app's ``ready()``.
"""

from __future__ import annotations

import threading

from .context import cache_strategy, last_statement_cache
from .info import CacheInfo, StatementCache
from .invalidation import InvalidationError, invalidate, invalidate_all
from .options import CacheOptions
from .queryset import PrismaManager, PrismaQuerySet
from .strategy import CacheStrategy
from .tables import table_tag

__all__ = [
    "CacheInfo",
    "CacheOptions",
    "CacheStrategy",
    "InvalidationError",
    "PrismaManager",
    "PrismaQuerySet",
    "StatementCache",
    "cache_strategy",
    "install",
    "invalidate",
    "invalidate_all",
    "last_statement_cache",
    "table_tag",
]

_installed = False
_lock = threading.Lock()


def install() -> None:
    """Give every QuerySet and manager ``with_cache`` / ``cache_info`` and put the cache on the
    statements of every django_prisma connection. Idempotent."""
    global _installed
    if _installed:
        return
    with _lock:
        if _installed:
            return
        from django.db import connections
        from django.db.backends.signals import connection_created

        from .compiler import register_scopes
        from .queryset import patch_manager, patch_model, patch_queryset

        patch_queryset()
        patch_manager()
        patch_model()
        register_scopes()
        connection_created.connect(_on_connection_created, dispatch_uid="django_prisma.cache")
        for connection in connections.all(initialized_only=True):
            attach(connection)
        _installed = True


def attach(connection) -> None:
    """Put the cache on the statements of one django_prisma connection (idempotent): a wrapper
    of the backend's own (``statement_wrappers``), not one of Django's ``execute_wrappers``,
    which belong to user code."""
    from .options import is_prisma
    from .wrapper import execute_wrapper

    if is_prisma(connection) and execute_wrapper not in connection.statement_wrappers:
        connection.statement_wrappers.append(execute_wrapper)


def _on_connection_created(sender, connection, **kwargs) -> None:
    attach(connection)


def _install_when_imported() -> None:
    # The app installs the cache only once something uses it; importing the cache API (for
    # cache_strategy, PrismaManager, …) is such a use.
    from django.conf import settings

    if settings.configured:
        install()


_install_when_imported()
