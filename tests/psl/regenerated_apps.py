"""Apps regenerated from a schema under their original labels, checked with `makemigrations --check`."""

from __future__ import annotations

from pathlib import Path

from django_prisma.psl import parse_schema
from django_prisma.psl.schema_to_models import generate_models

from .django_project import run_django

CONTRIB = ["contenttypes", "auth", "admin", "sessions"]

MAKEMIGRATIONS_CHECK = """
import io
from django.core.management import call_command
out = io.StringIO()
try:
    call_command("makemigrations", *{labels!r}, check=True, dry_run=True, stdout=out, verbosity=3)
    code = 0
except SystemExit as exit:
    code = exit.code
result = {{"code": code, "output": out.getvalue()}}
"""

# Django's contrib migrations import their models modules (for the managers), so the original
# modules stay importable under a relabelled config while the regenerated app takes the label.
ORIGINAL_UNDER_OTHER_LABEL = """
from django.apps import AppConfig


class Original{title}(AppConfig):
    name = "django.contrib.{label}"
    label = "original_{label}"
"""

REGENERATED_APP_CONFIG = """
from django.apps import AppConfig


class Regenerated(AppConfig):
    name = "regenerated_{label}"
    label = "{label}"
"""


def regenerate(
    root: Path, schema_text: str, labels: list[str], use_annotations: bool = True
) -> list[str]:
    """Packages `regenerated_<label>` from the schema, and the original contrib apps relabelled:
    INSTALLED_APPS for `makemigrations_check`."""
    schema = parse_schema(schema_text)
    installed = []
    for label in labels:
        package = root / f"regenerated_{label}"
        package.mkdir(exist_ok=True)
        (package / "__init__.py").write_text("")
        (package / "apps.py").write_text(REGENERATED_APP_CONFIG.format(label=label))
        (package / "models.py").write_text(generate_models(schema, label, use_annotations))
        installed.append(f"regenerated_{label}.apps.Regenerated")
    originals = "".join(
        ORIGINAL_UNDER_OTHER_LABEL.format(label=label, title=label.title()) for label in CONTRIB
    )
    (root / "original_contrib.py").write_text(originals)
    installed += [f"original_contrib.Original{label.title()}" for label in CONTRIB]
    return installed


def makemigrations_check(
    root: Path, installed: list[str], labels: list[str], migration_modules: dict | None = None
) -> dict:
    """`makemigrations --check --dry-run` for `labels` against the original contrib migrations."""
    migration_modules = {
        **{label: f"django.contrib.{label}.migrations" for label in CONTRIB},
        **{f"original_{label}": None for label in CONTRIB},
        **(migration_modules or {}),
    }
    return run_django(
        root,
        MAKEMIGRATIONS_CHECK.format(labels=labels),
        [*installed, "django.contrib.postgres"],
        migration_modules=migration_modules,
    )
