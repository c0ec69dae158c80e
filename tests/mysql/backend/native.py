"""Django's own MySQL backend on the same MariaDB database, in a subprocess: PyMySQL installed as
MySQLdb there (``pymysql.install_as_MySQLdb()``) never reaches the process that tests
django_prisma.mysql, whose stand-in for MySQLdb is used only when no MySQLdb is importable."""

from __future__ import annotations

import base64
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import urlsplit

from django_prisma.devserver import mysql as devserver_mysql

REPO = Path(__file__).resolve().parents[3]

PRELUDE = """
import base64, pickle, sys
import pymysql
pymysql.install_as_MySQLdb()
import django
from django.conf import settings

settings.configure(
    DATABASES={{"default": {database!r}}},
    USE_TZ={use_tz!r},
    TIME_ZONE="UTC",
    SECRET_KEY="native-mysql",
    INSTALLED_APPS=[],
)
django.setup()
payload = pickle.loads(base64.b64decode(sys.stdin.read()))
result = None
"""
EPILOGUE = """
sys.stdout.write("\\n@@RESULT@@" + base64.b64encode(pickle.dumps(result)).decode())
"""


def native_settings(database_url: str) -> dict:
    parts = urlsplit(database_url)
    return {
        "ENGINE": "django.db.backends.mysql",
        "NAME": devserver_mysql.database_name(database_url),
        "HOST": parts.hostname,
        "PORT": str(parts.port or 3306),
        "USER": parts.username,
        "PASSWORD": parts.password or "",
        "OPTIONS": {"charset": "utf8mb4"},
    }


def run_native(database_url: str, body: str, payload=None, *, use_tz: bool = True):
    """Run ``body`` with Django's MySQL backend on ``database_url``'s database; ``payload`` is
    there as ``payload``, and what ``body`` assigns to ``result`` comes back (pickled)."""
    script = PRELUDE.format(database=native_settings(database_url), use_tz=use_tz)
    script += textwrap.dedent(body) + EPILOGUE
    proc = subprocess.run(
        [sys.executable, "-c", script],
        input=base64.b64encode(pickle.dumps(payload)).decode(),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    if proc.returncode != 0 or "@@RESULT@@" not in proc.stdout:
        raise AssertionError(f"Django's MySQL backend failed:\n{proc.stderr[-4000:]}")
    return pickle.loads(base64.b64decode(proc.stdout.rsplit("@@RESULT@@", 1)[1]))
