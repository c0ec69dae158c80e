"""``invalidate(tags)`` / ``invalidate_all()``: ``POST /invalidate`` (Accelerate's endpoint for
remote databases, the server itself for local ones), plus the Django-cache fallback's tags."""

from __future__ import annotations

import logging
import threading

import orjson
from django.db import DEFAULT_DB_ALIAS, connections

from django_prisma.dbapi.exceptions import Error as DriverError
from django_prisma.dbapi.transport import Transport

from .fallback import FallbackStore
from .options import is_prisma, options_for
from .server import invalidate_endpoint, state_of
from .strategy import validate_tags

logger = logging.getLogger("django_prisma.cache")

_remote: dict[str, Transport] = {}
_remote_lock = threading.Lock()


class InvalidationError(Exception):
    """``POST /invalidate`` failed; ``url`` is where it went, ``http_status`` the answer."""

    def __init__(self, message: str, *, url: str, http_status: int | None = None):
        super().__init__(message)
        self.url = url
        self.http_status = http_status


def invalidate(tags, using: str = DEFAULT_DB_ALIAS) -> None:
    """Evict every cached result stored with any of ``tags`` (a tag or a list of tags)."""
    tags = validate_tags(tags, limit=None)
    if not tags:
        raise ValueError("invalidate() needs at least one tag (invalidate_all() evicts all)")
    _invalidate(connections[using], list(tags))


def invalidate_all(using: str = DEFAULT_DB_ALIAS) -> None:
    """Evict every cached result of this database's cache."""
    _invalidate(connections[using], "all")


def _transport_for(connection):
    state = state_of(connection)
    target = invalidate_endpoint(state.endpoint)
    if target is state.endpoint:
        connection.ensure_connection()
        return connection.connection.transport
    # Never the configured (non-test) database's cache while test databases are in use.
    from django_prisma.creation import TEST_RUN

    params = connection.get_connection_params()
    TEST_RUN.check(params["url"], params["api_key"], connection.alias)
    with _remote_lock:
        transport = _remote.get(target.api_key)
        if transport is None:
            transport = _remote[target.api_key] = Transport(target)
        return transport


def _invalidate(connection, tags) -> None:
    if not is_prisma(connection):
        raise ValueError(f"database {connection.alias!r} is not a django_prisma database")
    options = options_for(connection)
    state = state_of(connection)
    if options.fallback:
        store = FallbackStore(options.fallback, state.namespace)
        store.invalidate(None if tags == "all" else tags)
        if state.has_cache is False:
            return
    transport = _transport_for(connection)
    url = f"{transport.endpoint.origin}/invalidate"
    try:
        transport.request("POST", "/invalidate", orjson.dumps({"tags": tags}), idempotent=True)
    except DriverError as error:
        status = getattr(error, "http_status", None)
        if options.fallback and status == 404:
            state.has_cache = False  # a server without a cache: the fallback did it all
            return
        what = "all cached results" if tags == "all" else f"cache tags {tags}"
        raise InvalidationError(
            f"invalidating {what} of database {connection.alias!r} at {url} failed: {error}",
            url=url,
            http_status=status,
        ) from error
    logger.debug("invalidated %s at %s (database %r)", tags, url, connection.alias)


# -- automatic tags: writes invalidate the tables they touch, once the transaction commits -------


def schedule(connection, tags: set[str] | None) -> None:
    """Invalidate ``tags`` (None: everything) after the current transaction commits, or now."""
    if not connection.in_atomic_block:
        if not connection.get_autocommit():
            logger.debug("manual transaction: invalidating %s before its commit", tags or "all")
        _flush(connection, tags)
        return
    pending = connection.__dict__.setdefault("_prisma_cache_pending", {"tags": set()})
    if tags is None:
        pending["all"] = True
    else:
        pending["tags"] |= tags
    if not any(func is pending.get("callback") for _, func, _ in connection.run_on_commit):
        pending["callback"] = lambda: _flush_pending(connection)
        connection.on_commit(pending["callback"])


def _flush_pending(connection) -> None:
    pending = connection.__dict__.get("_prisma_cache_pending") or {}
    tags = None if pending.pop("all", False) else set(pending.get("tags") or ())
    pending["tags"] = set()
    pending.pop("callback", None)
    _flush(connection, tags)


def _flush(connection, tags) -> None:
    if tags is not None and not tags:
        return
    try:
        _invalidate(connection, "all" if tags is None else sorted(tags))
    except InvalidationError:
        logger.error("automatic cache invalidation after a write failed", exc_info=True)
