from django.apps import AppConfig


class DjangoPrismaConfig(AppConfig):
    name = "django_prisma"
    verbose_name = "Prisma Postgres"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import cache

        cache.install()
        try:
            from .psl.checks import register_checks
        except ImportError:  # the schema drift check ships with the schema tooling
            return
        register_checks()
