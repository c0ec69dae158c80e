"""DATABASES entries for the integration scenarios that run the same project on django_prisma
and on Django's PostgreSQL backend (the specification)."""

from __future__ import annotations

from urllib.parse import urlsplit


def database(engine: str, url: str, **options) -> dict:
    """``engine`` "prisma": a Prisma URL (prisma+postgres://…?api_key=…); "native": a
    postgres:// URL of the same kind of database."""
    if engine == "prisma":
        return {"ENGINE": "django_prisma", "URL": url, "OPTIONS": options}
    parts = urlsplit(url)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parts.path.lstrip("/"),
        "USER": parts.username,
        "HOST": parts.hostname,
        "PORT": parts.port,
        "OPTIONS": options,
    }


def installed_apps(engine: str, *apps: str) -> list[str]:
    base = ["django.contrib.contenttypes", "django.contrib.auth", *apps]
    return base + (["django_prisma"] if engine == "prisma" else [])
