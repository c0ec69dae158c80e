import sys

from django.apps import AppConfig

from . import django_support  # noqa: F401  (refuses an unsupported Django first)


class DjangoPrismaConfig(AppConfig):
    name = "django_prisma"
    verbose_name = "Prisma Postgres"
    default_auto_field = "django.db.models.BigAutoField"

    def __init__(self, app_name, app_module):
        super().__init__(app_name, app_module)
        # As early as an app can: Django imports every app's models after making the app
        # configs, and the handshakes cross the network meanwhile.
        preconnect_databases()

    def ready(self):
        from django.conf import settings as django_settings

        from .settings import normalize

        # Move API keys out of every URL now, not when each connection is first created: a
        # debug page rendered before that would show the URL (it hides TOKEN, not URL).
        prisma_databases = [
            entry
            for entry in getattr(django_settings, "DATABASES", {}).values()
            if str(entry.get("ENGINE", "")).startswith("django_prisma")
        ]
        for entry in prisma_databases:
            normalize(entry)

        # What a project does not use is not imported: the cache package when no database
        # configures it and nothing imported it yet (with_cache installs it on first use), the
        # schema drift check when no database names a schema.
        if "django_prisma.cache" in sys.modules or any(
            (entry.get("OPTIONS") or {}).get("cache") is not None for entry in prisma_databases
        ):
            from . import cache

            cache.install()
        else:
            install_cache_on_first_use()
        if any(entry.get("SCHEMA_PATH") for entry in prisma_databases):
            try:
                from .psl.checks import register_checks
            except ImportError:  # the schema drift check ships with the schema tooling
                return
            register_checks()


def preconnect_databases(databases: dict | None = None) -> None:
    """For each database with ``OPTIONS["preconnect"] = True``: open its connection's TCP and
    TLS handshakes in the background (dbapi/transport.py), for the first query to use — a new
    process (a serverless function's cold start) does not wait for their round trips. Nothing
    is sent before that query; a process that never queries leaves one idle connection for the
    server to close."""
    if databases is None:
        from django.conf import settings as django_settings

        databases = getattr(django_settings, "DATABASES", {})
    entries = [
        entry
        for entry in databases.values()
        if str(entry.get("ENGINE", "")).startswith("django_prisma")
        and (entry.get("OPTIONS") or {}).get("preconnect") is True
    ]
    if not entries:
        return
    from .dbapi.transport import preconnect
    from .dbapi.url import parse_url
    from .settings import connection_params

    for entry in entries:
        try:
            params = connection_params(dict(entry))  # a copy: ready() normalizes the entry
            endpoint = parse_url(params["url"], params["api_key"])
        except Exception:  # the first connection reports what is wrong
            continue
        preconnect(
            endpoint,
            connect_timeout=params.get("connect_timeout", 10.0),
            ca_bundle=params.get("ca_bundle"),
            ca_bundle_only=params.get("ca_bundle_only", False),
        )


def install_cache_on_first_use() -> None:
    """Give QuerySet and managers ``with_cache``, ``cache_info`` and ``cache_strategy`` that
    install the cache (which replaces them with its own) and then do what it does."""
    from django.db.models import QuerySet
    from django.db.models.manager import BaseManager

    def install():
        from . import cache

        cache.install()

    def with_cache(self, *args, **kwargs):
        install()
        return type(self).with_cache(self, *args, **kwargs)

    def installing_property(name):
        def get(self):
            install()
            return getattr(self, name)

        get.__name__ = name
        return property(get)

    for cls in (QuerySet, BaseManager):
        if "with_cache" not in cls.__dict__:
            cls.with_cache = with_cache
    for name in ("cache_info", "cache_strategy"):
        if name not in QuerySet.__dict__:
            setattr(QuerySet, name, installing_property(name))
