"""``CacheInfo``: what the cache said about one read (Accelerate's ``withAccelerateInfo()``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

logger = logging.getLogger("django.db.backends")

STATUSES = ("ttl", "swr", "miss", "none")


@dataclass(frozen=True)
class CacheInfo:
    """``status``: ``ttl`` (fresh hit, the database was not asked), ``swr`` (stale hit, refreshed
    in the background), ``miss`` (read from the database and stored), ``none`` (no strategy), or
    None when the server said nothing (no cache in front of it, or inside a transaction).
    ``source`` says who answered: ``"server"`` (Accelerate) or ``"fallback"`` (the Django cache).
    """

    status: str | None = None
    last_modified: datetime | None = None
    region: str | None = None
    request_id: str | None = None
    signature: str | None = None
    source: str = "server"

    @classmethod
    def from_headers(cls, headers) -> CacheInfo:
        if headers is None:
            return cls()
        ray = headers.get("cf-ray") or None
        region = ray.rsplit("-", 1)[1] if ray and "-" in ray else None
        return cls(
            status=(headers.get("accelerate-cache-status") or None),
            last_modified=parse_http_date(headers.get("last-modified")),
            region=region,
            request_id=ray,
            signature=headers.get("accelerate-signature") or None,
        )

    @property
    def hit(self) -> bool:
        return self.status in ("ttl", "swr")


@dataclass(frozen=True)
class StatementCache:
    """What the cache did for one read statement on ``alias``: the ``strategy`` that applied
    (None: none did), the cache ``tags`` sent (automatic table tags included), ``info``, and
    ``ignored`` saying why a strategy was not used (``"transaction"``; ``"too many tags"``)."""

    alias: str
    strategy: object
    tags: tuple[str, ...]
    info: CacheInfo
    ignored: str | None = None


def parse_http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def http_date(timestamp: float) -> str:
    return format_datetime(datetime.fromtimestamp(timestamp, UTC), usegmt=True)


def log_info(alias: str, sql: str, strategy, info: CacheInfo) -> None:
    if not logger.isEnabledFor(logging.DEBUG):
        return
    logger.debug(
        "(cache) status=%s source=%s strategy=%r region=%s request_id=%s last_modified=%s "
        "signature=%s alias=%s; %s",
        info.status,
        info.source,
        strategy,
        info.region,
        info.request_id,
        info.last_modified.isoformat() if info.last_modified else None,
        info.signature,
        alias,
        sql,
        extra={"alias": alias, "sql": sql, "cache_info": info, "cache_strategy": strategy},
    )
