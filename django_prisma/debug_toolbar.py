"""django-debug-toolbar panels for django_prisma: what Accelerate's cache did for each query.

    DEBUG_TOOLBAR_PANELS = [
        ...,
        "django_prisma.debug_toolbar.PrismaSQLPanel",    # instead of debug_toolbar.panels.sql.SQLPanel
        "django_prisma.debug_toolbar.PrismaCachePanel",
        ...,
    ]

``PrismaSQLPanel`` is the toolbar's SQL panel (the same page, SELECT and EXPLAIN buttons,
transaction grouping); it also records, for every query, the cache strategy that applied, the
cache status (``ttl`` fresh hit, ``swr`` stale hit, ``miss``, ``none``), who answered
(Accelerate or the Django-cache fallback) and the tags sent. ``PrismaCachePanel`` lists them.
The SQL panel keeps the id ``SQLPanel``: the toolbar's SELECT and EXPLAIN views look the
recorded queries up under that id.
"""

from __future__ import annotations

from debug_toolbar.panels import Panel
from debug_toolbar.panels.sql import SQLPanel
from django.db import connections
from django.utils.functional import classproperty
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .cache import last_statement_cache
from .cache.options import is_prisma


def cache_record(alias: str) -> dict | None:
    """What the cache did for the query just run on ``alias``, as JSON-ready data (the toolbar
    stores panel data as JSON); None on other databases and for statements that are no reads."""
    if alias not in connections or not is_prisma(connections[alias]):
        return None
    statement = last_statement_cache(alias)
    if statement is None:
        return None
    strategy = statement.strategy
    return {
        "strategy": describe_strategy(strategy),
        "status": statement.info.status,
        "source": statement.info.source,
        "tags": list(statement.tags),
        "ignored": statement.ignored,
        "hit": statement.info.hit,
    }


def describe_strategy(strategy) -> str | None:
    if strategy is None:
        return None
    parts = [f"ttl={strategy.ttl}" if strategy.ttl is not None else None]
    parts.append(f"swr={strategy.swr}" if strategy.swr is not None else None)
    return " ".join(part for part in parts if part)


class PrismaSQLPanel(SQLPanel):
    """The toolbar's SQL panel, recording Accelerate's cache strategy and status per query."""

    @classproperty
    def panel_id(cls) -> str:
        return "SQLPanel"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.cache_records: list[dict] = []

    def record(self, **kwargs):
        # Called by the toolbar's cursor wrapper once the query has run: the cache's execute
        # wrapper (inside it) has noted what it did.
        cache = cache_record(kwargs["alias"])
        kwargs["prisma_cache"] = cache
        super().record(**kwargs)
        self.cache_records.append(
            {
                "number": len(self.cache_records) + 1,
                "alias": kwargs["alias"],
                "sql": kwargs["raw_sql"],
                "duration": kwargs["duration"],
                "in_transaction": kwargs.get("trans_id") is not None,
                "cache": cache,
            }
        )


class PrismaCachePanel(Panel):
    """Per query: the cache strategy, the status Accelerate (or the fallback) answered, and the
    tags. Needs ``PrismaSQLPanel`` in place of the toolbar's SQL panel."""

    is_async = True
    title = _("Prisma Accelerate cache")
    nav_title = _("Accelerate cache")

    @property
    def nav_subtitle(self):
        stats = self.get_stats()
        rows = stats.get("rows", [])
        hits = sum(1 for row in rows if row["cache"] and row["cache"]["hit"])
        reads = sum(1 for row in rows if row["cache"])
        return ngettext(
            "%(hits)d of %(reads)d read from the cache",
            "%(hits)d of %(reads)d reads from the cache",
            reads,
        ) % {"hits": hits, "reads": reads}

    def generate_stats(self, request, response):
        try:
            sql_panel = self.toolbar.get_panel_by_id("SQLPanel")
        except KeyError:
            sql_panel = None
        records = getattr(sql_panel, "cache_records", None)
        self.record_stats({"rows": list(records or []), "recording": records is not None})

    @property
    def content(self):
        stats = self.get_stats()
        if not stats.get("recording"):
            return format_html(
                "<p>{}</p>",
                _(
                    "Replace debug_toolbar.panels.sql.SQLPanel by "
                    "django_prisma.debug_toolbar.PrismaSQLPanel in DEBUG_TOOLBAR_PANELS to "
                    "record the cache status of each query."
                ),
            )
        rows = format_html_join("\n", "{}", ((self._row(row),) for row in stats["rows"]))
        return format_html(
            '<table class="djdt-prisma-cache"><thead><tr><th>#</th><th>{}</th><th>{}</th>'
            "<th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("Query"),
            _("Strategy"),
            _("Status"),
            _("Answered by"),
            _("Tags"),
            _("Time"),
            rows,
        )

    @staticmethod
    def _row(row: dict):
        cache = row["cache"]
        if cache is None:
            strategy = status = source = tags = "—"
        else:
            strategy = cache["strategy"] or _("none")
            status = cache["status"] or _("not reported")
            if cache["ignored"]:
                status = f"{status} ({_('ignored')}: {cache['ignored']})"
            source = cache["source"]
            tags = ", ".join(cache["tags"]) or "—"
        return format_html(
            '<tr class="djdt-prisma-cache-{}"><td>{}</td><td><code>{}</code></td><td>{}</td>'
            "<td>{}</td><td>{}</td><td>{}</td><td>{} ms</td></tr>",
            (cache or {}).get("status") or "other",
            row["number"],
            row["sql"][:300],
            strategy,
            status,
            source,
            tags,
            f"{row['duration']:.2f}",
        )
