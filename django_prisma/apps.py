from django.apps import AppConfig

from . import django_support  # noqa: F401  (refuses an unsupported Django first)


class DjangoPrismaConfig(AppConfig):
    name = "django_prisma"
    verbose_name = "Prisma Postgres"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.conf import settings as django_settings

        from . import cache
        from .settings import normalize

        # Move API keys out of every URL now, not when each connection is first created: a
        # debug page rendered before that would show the URL (it hides TOKEN, not URL).
        for entry in getattr(django_settings, "DATABASES", {}).values():
            if str(entry.get("ENGINE", "")).startswith("django_prisma"):
                normalize(entry)

        cache.install()
        try:
            from .psl.checks import register_checks
        except ImportError:  # the schema drift check ships with the schema tooling
            return
        register_checks()
