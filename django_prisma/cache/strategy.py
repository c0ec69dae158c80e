"""``CacheStrategy``: what Accelerate's ``cacheStrategy: {ttl, swr, tags}`` is, as a value."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

MAX_TAGS = 5
MAX_TAG_LENGTH = 64
# Accelerate's documented bound for ttl/swr is generous; reject only what cannot be meant.
MAX_SECONDS = 10 * 365 * 24 * 3600
TAG_PATTERN = re.compile(r"[A-Za-z0-9_]{1,64}")


def validate_tag(tag) -> str:
    if not isinstance(tag, str) or TAG_PATTERN.fullmatch(tag) is None:
        raise ValueError(
            f"invalid cache tag {tag!r}: a tag is 1-{MAX_TAG_LENGTH} characters of "
            "[A-Za-z0-9_] (letters, digits, underscore)"
        )
    return tag


def validate_tags(tags, *, limit: int | None = MAX_TAGS) -> tuple[str, ...]:
    if isinstance(tags, str):
        tags = (tags,)
    if not isinstance(tags, Iterable):
        raise ValueError(f"cache tags must be a list of strings, not {tags!r}")
    result: list[str] = []
    for tag in tags:
        validate_tag(tag)
        if tag not in result:
            result.append(tag)
    if limit is not None and len(result) > limit:
        raise ValueError(f"at most {limit} cache tags per query, got {len(result)}: {result}")
    return tuple(result)


def _seconds(name: str, value) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"CacheStrategy {name} must be whole seconds (an int), not {value!r}")
    if value < 0 or value > MAX_SECONDS:
        raise ValueError(f"CacheStrategy {name} must be between 0 and {MAX_SECONDS} s, not {value}")
    return value


class CacheStrategy:
    """``CacheStrategy(ttl=60, swr=60, tags=("users",))`` — immutable and validated.

    ``ttl``: seconds a result is served from the cache without asking the database.
    ``swr``: seconds after that during which the stale result is still served while the cache
    refreshes it in the background. ``tags``: up to 5 names for :func:`invalidate`.
    """

    __slots__ = ("ttl", "swr", "tags")
    ttl: int | None
    swr: int | None
    tags: tuple[str, ...]

    def __init__(self, ttl: int | None = None, swr: int | None = None, tags=()):
        ttl = _seconds("ttl", ttl)
        swr = _seconds("swr", swr)
        if ttl is None and swr is None:
            raise ValueError("CacheStrategy needs ttl and/or swr (seconds)")
        object.__setattr__(self, "ttl", ttl)
        object.__setattr__(self, "swr", swr)
        object.__setattr__(self, "tags", validate_tags(tags))

    def __setattr__(self, name, value):
        raise AttributeError("CacheStrategy is immutable: build a new one (replace())")

    def __delattr__(self, name):
        raise AttributeError("CacheStrategy is immutable")

    def __repr__(self) -> str:
        parts = [f"ttl={self.ttl}" if self.ttl is not None else None]
        parts.append(f"swr={self.swr}" if self.swr is not None else None)
        parts.append(f"tags={self.tags!r}" if self.tags else None)
        return f"CacheStrategy({', '.join(p for p in parts if p)})"

    def __eq__(self, other):
        if not isinstance(other, CacheStrategy):
            return NotImplemented
        return (self.ttl, self.swr, self.tags) == (other.ttl, other.swr, other.tags)

    def __hash__(self):
        return hash((self.ttl, self.swr, self.tags))

    def __reduce__(self):
        return (CacheStrategy, (self.ttl, self.swr, self.tags))

    def replace(self, **changes) -> CacheStrategy:
        values = {"ttl": self.ttl, "swr": self.swr, "tags": self.tags, **changes}
        return CacheStrategy(**values)

    @property
    def fresh_for(self) -> int:
        return self.ttl or 0

    @property
    def stale_for(self) -> int:
        return self.swr or 0

    @property
    def lifetime(self) -> int:
        """Seconds a stored result is useful at all (fresh + stale window)."""
        return self.fresh_for + self.stale_for

    def cache_control(self) -> str:
        parts = []
        if self.ttl is not None:
            parts.append(f"max-age={self.ttl}")
        if self.swr is not None:
            parts.append(f"stale-while-revalidate={self.swr}")
        return ",".join(parts)

    def headers(self, extra_tags: Iterable[str] = ()) -> dict[str, str]:
        """The request headers for a read under this strategy (plus automatic tags)."""
        headers = {"cache-control": self.cache_control()}
        tags = list(self.tags)
        tags.extend(t for t in extra_tags if t not in tags)
        if tags:
            headers["accelerate-cache-tags"] = ",".join(tags)
        return headers

    @classmethod
    def coerce(cls, value) -> CacheStrategy | None:
        """A strategy from a ``CacheStrategy``, a dict ``{"ttl":…, "swr":…, "tags":…}`` or None."""
        if value is None or isinstance(value, CacheStrategy):
            return value
        if isinstance(value, Mapping):
            unknown = set(value) - {"ttl", "swr", "tags"}
            if unknown:
                raise ValueError(
                    f"unknown CacheStrategy keys {sorted(unknown)}: use ttl, swr, tags"
                )
            return cls(**value)
        raise ValueError(f"expected a CacheStrategy, a dict or None, not {value!r}")


def parse_cache_control(value: str | None) -> tuple[int | None, int | None]:
    """(ttl, swr) from a ``cache-control`` request header; (None, None) for none/no-cache."""
    ttl = swr = None
    for part in (value or "").split(","):
        name, _, number = part.strip().partition("=")
        name = name.strip().lower()
        if not number.strip().isdigit():
            continue
        if name == "max-age":
            ttl = int(number)
        elif name == "stale-while-revalidate":
            swr = int(number)
    return ttl, swr
