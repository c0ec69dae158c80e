"""The local fallback: Accelerate's ``with_cache`` semantics (ttl, swr, tags, invalidation)
served from a Django cache alias when the server has no cache of its own.

Layout in the Django cache (``ns`` identifies the database, so processes sharing Redis or
memcached share entries and invalidations):

* ``django_prisma:{ns}:q:{sha256(sql)}`` → ``{"stored", "result", "versions", "all"}``
* ``django_prisma:{ns}:tag:{tag}`` → a random version token, replaced on invalidation
* ``django_prisma:{ns}:all`` → the same for ``invalidate_all``

An entry is valid while the tokens it was stored with are still current (tokens are read
*before* the query runs, so an invalidation racing with the query wins)."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from django.core.cache import caches

from ..settings import driver_arguments
from .rows import snapshot

logger = logging.getLogger("django_prisma.cache")

_pool: ThreadPoolExecutor | None = None
_inflight: set[str] = set()
_lock = threading.Lock()


class FallbackStore:
    def __init__(self, cache_alias: str, namespace: str):
        self.cache = caches[cache_alias]
        self.prefix = f"django_prisma:{namespace}:"

    def key(self, sql: str) -> str:
        return f"{self.prefix}q:{hashlib.sha256(sql.encode()).hexdigest()}"

    def _tag_key(self, tag: str) -> str:
        return f"{self.prefix}tag:{tag}"

    @property
    def _all_key(self) -> str:
        return f"{self.prefix}all"

    def versions(self, tags) -> dict:
        keys = [self._tag_key(t) for t in tags] + [self._all_key]
        found = self.cache.get_many(keys)
        return {k: found.get(k) for k in keys}

    def lookup(self, key: str) -> dict | None:
        entry = self.cache.get(key)
        if entry is None:
            return None
        if self.versions(entry["tags"]) != entry["versions"]:
            return None
        return entry

    def put(self, key: str, result: dict, tags, versions: dict, lifetime: int, now: float):
        if lifetime <= 0:
            return
        entry = {"stored": now, "result": result, "tags": tuple(tags), "versions": versions}
        self.cache.set(key, entry, timeout=lifetime)

    def invalidate(self, tags=None) -> None:
        if tags is None:
            self.cache.set(self._all_key, uuid.uuid4().hex, timeout=None)
            return
        self.cache.set_many({self._tag_key(t): uuid.uuid4().hex for t in tags}, timeout=None)


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="django-prisma-swr")
        return _pool


def refresh_in_background(connection, store: FallbackStore, key, sql, params, tags, lifetime):
    """Run the read again on a connection of its own and store the fresh result."""
    with _lock:
        if key in _inflight:
            return
        _inflight.add(key)
    conn_params = dict(driver_arguments(connection.get_connection_params()), autocommit=True)
    database = connection.Database

    def run():
        try:
            versions = store.versions(tags)
            conn = database.connect(**conn_params)
            try:
                cursor = conn.cursor()
                cursor.execute(sql, params)
                result = snapshot(cursor)
            finally:
                conn.close()
            if result is not None:
                store.put(key, result, tags, versions, lifetime, time.time())
        except Exception:
            logger.warning("background refresh of a cached read failed", exc_info=True)
        finally:
            with _lock:
                _inflight.discard(key)

    _executor().submit(run)


def wait_for_refreshes(timeout: float = 10.0) -> bool:
    """Block until no background refresh is running (tests, shutdown)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with _lock:
            if not _inflight:
                return True
        time.sleep(0.01)
    return False
