import sys

from django.apps import AppConfig

from . import django_support  # noqa: F401  (refuses an unsupported Django first)


class DjangoPrismaConfig(AppConfig):
    name = "django_prisma"
    verbose_name = "Prisma Postgres"
    default_auto_field = "django.db.models.BigAutoField"

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
