"""django-prisma: the Django database backend for Prisma Postgres and Prisma Accelerate."""

__version__ = "0.1.0"

_CACHE_API = {
    "CacheStrategy",
    "CacheInfo",
    "PrismaManager",
    "PrismaQuerySet",
    "cache_strategy",
    "invalidate",
    "invalidate_all",
}


def __getattr__(name):
    # The cache API needs Django; importing django_prisma alone (the driver, the CLI) must not.
    if name == "config":
        from .settings import config

        return config
    if name in _CACHE_API:
        from . import cache

        return getattr(cache, name)
    raise AttributeError(f"module 'django_prisma' has no attribute {name!r}")
