"""DATABASES entries for the integration scenarios that run the same project on django_prisma
and on Django's PostgreSQL backend (the specification)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]


def run_scenario(name: str, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """``python -m tests.integrations.NAME_scenario ARGS`` in a process of its own (a project's
    settings are process-wide), which must succeed: what it printed is its answer."""
    result = subprocess.run(
        [sys.executable, "-m", f"tests.integrations.{name}_scenario", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    return result


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


def schema_of(database_url: str, table_prefix: str) -> dict:
    """The columns, indexes and constraints of the tables named ``table_prefix…``, as
    PostgreSQL has them (an app's migrations compared across backends)."""
    import psycopg

    like = table_prefix.replace("_", r"\_") + "%"
    with psycopg.connect(database_url) as conn:
        columns = conn.execute(
            "SELECT table_name, column_name, data_type, is_nullable, column_default, "
            "character_maximum_length FROM information_schema.columns "
            "WHERE table_name LIKE %s ORDER BY 1, 2",
            [like],
        ).fetchall()
        indexes = conn.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE tablename LIKE %s ORDER BY 1, 2",
            [like],
        ).fetchall()
        constraints = conn.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE conrelid::regclass::text LIKE %s ORDER BY 1, 2",
            [like],
        ).fetchall()
    return {"columns": columns, "indexes": indexes, "constraints": constraints}
