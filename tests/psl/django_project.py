"""Throwaway Django projects in a temporary folder, run in subprocesses so settings never leak."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SETTINGS = """
import django
from django.conf import settings

settings.configure(
    INSTALLED_APPS={apps!r},
    DATABASES={{"default": {database!r}}},
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    USE_TZ=True,
    SECRET_KEY="psl-tests",
    MIGRATION_MODULES={migration_modules!r},
    SILENCED_SYSTEM_CHECKS=["fields.W342", "models.W042"],
)
django.setup()
"""

NO_DATABASE = {
    "ENGINE": "django.db.backends.postgresql",
    "NAME": "psl_unused",
    "HOST": "127.0.0.1",
    "USER": "postgres",
}


def write_app(root: Path, label: str, models_source: str) -> Path:
    app = root / label
    (app / "migrations").mkdir(parents=True, exist_ok=True)
    (app / "__init__.py").write_text("")
    (app / "migrations" / "__init__.py").write_text("")
    (app / "models.py").write_text(models_source)
    return app


def run_django(
    root: Path,
    body: str,
    apps: list[str],
    database: dict | None = None,
    migration_modules: dict | None = None,
    extra_path: list[Path] | None = None,
    prelude: str = "",
) -> dict:
    """Run `body` after configuring Django (and `prelude` before); whatever `body` assigns to
    `result` comes back as JSON."""
    script = textwrap.dedent(prelude) + SETTINGS.format(
        apps=apps, database=database or NO_DATABASE, migration_modules=migration_modules or {}
    )
    script += "\nresult = None\n" + textwrap.dedent(body)
    script += "\nimport json, sys\nsys.stdout.write('\\n@@RESULT@@' + json.dumps(result))\n"
    paths = [str(root), *(str(p) for p in extra_path or []), str(REPO)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        timeout=840,
    )
    if proc.returncode != 0 or "@@RESULT@@" not in proc.stdout:
        raise AssertionError(
            f"Django subprocess failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
        )
    return json.loads(proc.stdout.rsplit("@@RESULT@@", 1)[1])


MIGRATION_TABLES = """
import io, importlib, pkgutil
from django.core.management import call_command
from django.db import migrations
out = io.StringIO()
call_command("makemigrations", {label!r}, stdout=out, stderr=out, verbosity=1)
call_command("check", {label!r}, stdout=out)
package = importlib.import_module({label!r} + ".migrations")
tables = {{}}
for info in pkgutil.iter_modules(package.__path__):
    module = importlib.import_module(f"{label}.migrations.{{info.name}}")
    for op in module.Migration.operations:
        if isinstance(op, migrations.CreateModel):
            from django.apps import apps
            model = apps.get_model({label!r}, op.name)
            if model._meta.managed:
                tables[model._meta.db_table] = [
                    f.column for f in model._meta.local_fields if f.column is not None
                ]
result = tables
"""


def migration_tables(root: Path, label: str) -> dict[str, list[str]]:
    """makemigrations + check for app `label`; the tables and columns its migration creates."""
    return run_django(
        root,
        MIGRATION_TABLES.format(label=label),
        ["django.contrib.contenttypes", "django.contrib.postgres", label],
    )
