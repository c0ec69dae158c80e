"""``DATABASES[alias]["OPTIONS"]["cache"]``: the per-database cache settings.

"OPTIONS": {"cache": {
    "default": CacheStrategy(ttl=60) or {"ttl": 60} or None,   # strategy for every read
    "auto_tags": False,    # tag reads with their tables, invalidate them on writes
    "fallback": None,      # a CACHES alias serving the cache when the server has none
}}
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

from .strategy import CacheStrategy

KEYS = ("default", "auto_tags", "fallback")


@dataclass(frozen=True)
class CacheOptions:
    default: CacheStrategy | None = None
    auto_tags: bool = False
    fallback: str | None = None


_parsed: dict[int, tuple[object, CacheOptions]] = {}


def parse(value) -> CacheOptions:
    if value is None:
        return CacheOptions()
    if isinstance(value, CacheOptions):
        return value
    if not isinstance(value, dict):
        raise ImproperlyConfigured(
            f"OPTIONS['cache'] must be a dict with keys {KEYS}, not {value!r}"
        )
    unknown = set(value) - set(KEYS)
    if unknown:
        raise ImproperlyConfigured(
            f"unknown OPTIONS['cache'] keys {sorted(unknown)}; known keys: {', '.join(KEYS)}"
        )
    try:
        default = CacheStrategy.coerce(value.get("default"))
    except (TypeError, ValueError) as error:
        raise ImproperlyConfigured(f"OPTIONS['cache']['default']: {error}") from None
    auto_tags = value.get("auto_tags", False)
    if not isinstance(auto_tags, bool):
        raise ImproperlyConfigured(
            f"OPTIONS['cache']['auto_tags'] must be True/False, not {auto_tags!r}"
        )
    fallback = value.get("fallback")
    if fallback is not None:
        from django.conf import settings

        if not isinstance(fallback, str) or fallback not in settings.CACHES:
            raise ImproperlyConfigured(
                f"OPTIONS['cache']['fallback'] must name an alias of settings.CACHES, not "
                f"{fallback!r} (known: {sorted(settings.CACHES)})"
            )
    return CacheOptions(default=default, auto_tags=auto_tags, fallback=fallback)


def options_for(connection) -> CacheOptions:
    """The parsed cache options of a Django connection (re-read when the settings change)."""
    raw = (connection.settings_dict.get("OPTIONS") or {}).get("cache")
    key = id(connection.settings_dict)
    cached = _parsed.get(key)
    if cached is not None and cached[0] is raw and not isinstance(raw, dict):
        return cached[1]
    if cached is not None and isinstance(raw, dict) and cached[0] == raw:
        return cached[1]
    options = parse(raw)
    _parsed[key] = (dict(raw) if isinstance(raw, dict) else raw, options)
    return options


def is_prisma(connection) -> bool:
    """Whether a Django connection is one of django_prisma's (either engine): the one check."""
    return getattr(type(connection), "prisma_server", False) is True
