from django.apps import AppConfig


class DjangoPrismaConfig(AppConfig):
    name = "django_prisma"
    verbose_name = "Prisma Postgres"
    default_auto_field = "django.db.models.BigAutoField"
