"""The execute wrapper installed on every django_prisma connection: it picks the strategy for
each read, sends Accelerate's request headers, reads the cache status back, serves the Django
cache fallback, and turns writes into tag invalidations (automatic tags)."""

from __future__ import annotations

import logging
import time

from django_prisma.dbapi.statements import Statement

from . import context
from .fallback import FallbackStore, refresh_in_background
from .info import CacheInfo, StatementCache, http_date, log_info, parse_http_date
from .invalidation import schedule
from .options import options_for
from .rows import dbapi_cursor, load, snapshot
from .server import state_of
from .strategy import MAX_TAGS
from .tables import ALL_TABLES, read_tables, table_tag, written_tables

logger = logging.getLogger("django_prisma.cache")


class CacheExecuteWrapper:
    """One instance serves every connection (it keeps no state of its own)."""

    def __call__(self, execute, sql, params, many, ctx):
        connection = ctx["connection"]
        options = options_for(connection)
        context.note_statement(None)
        statement = Statement(sql) if isinstance(sql, str) else None
        if many or statement is None or not statement.read_only:
            result = execute(sql, params, many, ctx)
            if options.auto_tags and isinstance(sql, str):
                tables = written_tables(sql)
                if tables:
                    schedule(connection, _write_tags(tables))
            return result
        strategy = context.resolve(connection.alias, options.default)
        if strategy is None:
            return self._plain(execute, sql, params, many, ctx, options, strategy)
        if connection.in_atomic_block or not connection.get_autocommit():
            logger.debug(
                "cache strategy %r ignored: the read runs inside a transaction (alias %r)",
                strategy,
                connection.alias,
            )
            _report(connection, sql, strategy, (), CacheInfo(), ignored="transaction")
            return execute(sql, params, many, ctx)
        tags = list(strategy.tags)
        if options.auto_tags:
            for table in sorted(read_tables(sql)):
                tag = table_tag(table)
                if tag not in tags:
                    tags.append(tag)
            if len(tags) > MAX_TAGS:
                logger.debug(
                    "read not cached: it needs %d tags (%s), Accelerate allows %d",
                    len(tags),
                    ",".join(tags),
                    MAX_TAGS,
                )
                return self._plain(
                    execute, sql, params, many, ctx, options, None, ignored="too many tags"
                )
        state = state_of(connection)
        if options.fallback and state.has_cache is False:
            return self._fallback(execute, sql, params, many, ctx, options, strategy, tags, state)
        return self._server(execute, sql, params, many, ctx, options, strategy, tags, state)

    # -- reads ----------------------------------------------------------------------------------
    def _plain(self, execute, sql, params, many, ctx, options, strategy, ignored=None):
        connection = ctx["connection"]
        result = execute(sql, params, many, ctx)
        info = CacheInfo.from_headers(_response_headers(ctx))
        if info.status is None and options.fallback and not connection.in_atomic_block:
            info = CacheInfo(status="none", source="fallback")
        _report(connection, sql, strategy, (), info, ignored=ignored)
        return result

    def _server(self, execute, sql, params, many, ctx, options, strategy, tags, state):
        connection = ctx["connection"]
        driver = connection.connection
        previous = driver.request_headers
        headers = strategy.headers()
        headers.pop("accelerate-cache-tags", None)
        if tags:
            headers["accelerate-cache-tags"] = ",".join(tags)
        store = versions = None
        if options.fallback and state.has_cache is None:
            # Not known yet whether the server caches: be ready to store this result locally.
            store = FallbackStore(options.fallback, state.namespace)
            versions = store.versions(tags)
        driver.request_headers = {**(previous or {}), **headers}
        try:
            result = execute(sql, params, many, ctx)
        finally:
            driver.request_headers = previous
        info = CacheInfo.from_headers(_response_headers(ctx))
        if info.status is not None:
            state.has_cache = True
        elif options.fallback:
            state.has_cache = False
            logger.info(
                "database %r: the server has no cache; serving cache strategies from the "
                "Django cache %r",
                connection.alias,
                options.fallback,
            )
            store = store or FallbackStore(options.fallback, state.namespace)
            cursor = dbapi_cursor(ctx)
            now = time.time()
            key = store.key(cursor.mogrify(sql, params))
            snap = snapshot(cursor)
            if snap is not None:
                store.put(key, snap, tags, versions or store.versions(tags), strategy.lifetime, now)
            info = _fallback_info("miss", now, key)
        _report(connection, sql, strategy, tags, info)
        return result

    def _fallback(self, execute, sql, params, many, ctx, options, strategy, tags, state):
        connection = ctx["connection"]
        store = FallbackStore(options.fallback, state.namespace)
        cursor = dbapi_cursor(ctx)
        final_sql = cursor.mogrify(sql, params)
        key = store.key(final_sql)
        entry = store.lookup(key)
        now = time.time()
        status = None
        if entry is not None:
            age = now - entry["stored"]
            if age < strategy.fresh_for:
                status = "ttl"
            elif age < strategy.lifetime:
                status = "swr"
                refresh_in_background(connection, store, key, sql, params, tags, strategy.lifetime)
        if status is not None:
            load(cursor, entry["result"], final_sql)
            result = cursor
            info = _fallback_info(status, entry["stored"], key)
        else:
            versions = store.versions(tags)
            result = execute(sql, params, many, ctx)
            snap = snapshot(cursor)
            if snap is not None:
                store.put(key, snap, tags, versions, strategy.lifetime, now)
            info = _fallback_info("miss", now, key)
        _report(connection, sql, strategy, tags, info)
        return result


def _report(connection, sql, strategy, tags, info: CacheInfo, ignored: str | None = None):
    """Tell the queryset (``cache_info``), the log and ``last_statement_cache`` what happened."""
    context.record(info)
    context.note_statement(
        StatementCache(connection.alias, strategy, tuple(tags), info, ignored=ignored)
    )
    log_info(connection.alias, sql, strategy, info)


def _fallback_info(status: str, stored: float, key: str | None) -> CacheInfo:
    return CacheInfo(
        status=status,
        last_modified=parse_http_date(http_date(stored)),
        signature=key.rsplit(":", 1)[-1] if key else None,
        source="fallback",
    )


def _response_headers(ctx):
    return getattr(dbapi_cursor(ctx), "response_headers", None)


def _write_tags(tables) -> set[str] | None:
    if ALL_TABLES in tables:
        return None
    return {table_tag(t) for t in tables}


execute_wrapper = CacheExecuteWrapper()
