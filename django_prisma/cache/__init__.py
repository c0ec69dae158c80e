"""Per-queryset caching on Prisma Accelerate.

``User.objects.with_cache(CacheStrategy(ttl=60, swr=60)).filter(...)``, ``cache_strategy``
contexts, a per-database default, ``qs.cache_info``, ``invalidate`` / ``invalidate_all``,
automatic table tags and a Django-cache fallback. ``install()`` runs from the app's ``ready()``.
"""

from __future__ import annotations

import threading

from .context import cache_strategy
from .info import CacheInfo
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
    "cache_strategy",
    "install",
    "invalidate",
    "invalidate_all",
    "table_tag",
]

_installed = False
_lock = threading.Lock()


def install() -> None:
    """Give every QuerySet and manager ``with_cache`` / ``cache_info`` and put the cache's
    execute wrapper on every django_prisma connection. Idempotent."""
    global _installed
    if _installed:
        return
    with _lock:
        if _installed:
            return
        from django.db import connections
        from django.db.backends.signals import connection_created

        from .compiler import patch_compiler
        from .queryset import patch_manager, patch_model, patch_queryset

        patch_queryset()
        patch_manager()
        patch_model()
        patch_compiler()
        connection_created.connect(_on_connection_created, dispatch_uid="django_prisma.cache")
        for connection in connections.all(initialized_only=True):
            attach(connection)
        _installed = True


def attach(connection) -> None:
    """Put the cache's execute wrapper on one django_prisma connection (idempotent)."""
    from .options import is_prisma
    from .wrapper import execute_wrapper

    if is_prisma(connection) and execute_wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.append(execute_wrapper)


def _on_connection_created(sender, connection, **kwargs) -> None:
    attach(connection)


def _install_when_imported() -> None:
    # The app installs the cache only once something uses it; importing the cache API (for
    # cache_strategy, PrismaManager, …) is such a use.
    from django.conf import settings

    if settings.configured:
        install()


_install_when_imported()
