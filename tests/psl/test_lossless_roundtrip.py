"""Django -> `prismaschema` -> schema -> models -> `makemigrations --check`: no changes.

Each app is regenerated into a fresh package with the original app label and checked against the
ORIGINAL app's migrations (Django's own for contrib, a migration made from the original models for
psl_fieldtypes), so `makemigrations` compares every field's deconstruction, Meta option and manager.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from django_prisma.psl import parse_schema
from django_prisma.psl.schema_to_models import generate_models

from .corpus import oracle
from .django_project import run_django

APPS_DIR = Path(__file__).parent / "apps"
CONTRIB = ["contenttypes", "auth", "admin", "sessions"]
LABELS = [*CONTRIB, "psl_fieldtypes"]
ORIGINAL_APPS = [f"django.contrib.{label}" for label in CONTRIB] + [
    "django.contrib.postgres",
    "psl_fieldtypes",
]

WRITE_SCHEMA_AND_FIELDTYPES_MIGRATION = """
from django.core.management import call_command
call_command("prismaschema", *{labels!r}, output={output!r})
call_command("makemigrations", "psl_fieldtypes", verbosity=0)
result = True
"""

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


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("lossless")
    (root / "fieldtypes_migrations").mkdir()
    (root / "fieldtypes_migrations" / "__init__.py").write_text("")
    schema_path = root / "schema.prisma"
    run_django(
        root,
        WRITE_SCHEMA_AND_FIELDTYPES_MIGRATION.format(labels=LABELS, output=str(schema_path)),
        [*ORIGINAL_APPS, "django_prisma"],
        migration_modules={"psl_fieldtypes": "fieldtypes_migrations"},
        extra_path=[APPS_DIR],
    )
    assert list((root / "fieldtypes_migrations").glob("0001_*.py"))
    return root, schema_path.read_text()


def regenerate(root: Path, schema_text: str, use_annotations: bool = True) -> list[str]:
    """Packages `regenerated_<label>` from the schema; the settings' INSTALLED_APPS for them."""
    schema = parse_schema(schema_text)
    installed = []
    for label in LABELS:
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


def makemigrations_check(root: Path, installed: list[str], labels: list[str]) -> dict:
    migration_modules = {
        **{label: f"django.contrib.{label}.migrations" for label in CONTRIB},
        **{f"original_{label}": None for label in CONTRIB},
        "psl_fieldtypes": "fieldtypes_migrations",
    }
    return run_django(
        root,
        MAKEMIGRATIONS_CHECK.format(labels=labels),
        [*installed, "django.contrib.postgres"],
        migration_modules=migration_modules,
    )


def test_schema_records_what_prisma_cannot_express(project):
    _, text = project
    schema = parse_schema(text)
    user = schema.model("User")
    assert "@django model auth.User" in user.documentation
    assert "@django field groups = models.ManyToManyField(" in user.documentation
    assert user.field("email").documentation.startswith("@django models.EmailField(")
    assert schema.model("User_groups").documentation == "@django auto_created auth.User.groups"
    assert "@django field pk = models.CompositePrimaryKey(" in schema.model("Pair").documentation


def test_regenerated_models_need_no_migration(project):
    root, text = project
    installed = regenerate(root, text)
    result = makemigrations_check(root, installed, LABELS)
    assert result["code"] == 0, result["output"]
    assert "No changes detected" in result["output"]


def test_without_annotations_the_check_would_see_changes(project, tmp_path):
    _, text = project
    (tmp_path / "fieldtypes_migrations").mkdir()
    for migration in (project[0] / "fieldtypes_migrations").glob("*.py"):
        (tmp_path / "fieldtypes_migrations" / migration.name).write_text(migration.read_text())
    installed = regenerate(tmp_path, text, use_annotations=False)
    result = makemigrations_check(tmp_path, installed, ["psl_fieldtypes"])
    assert result["code"] == 1, result["output"]
    assert "Alter field email on everything" in result["output"]


def test_prisma_accepts_the_annotated_schema_and_keeps_them_as_documentation(project, tmp_path):
    _, text = project
    path = tmp_path / "schema.prisma"
    path.write_text(text)
    result = oracle("validate", str(path))
    assert result.returncode == 0 and "valid" in result.stdout, result.stdout + result.stderr
    dmmf = json.loads(oracle("dmmf", str(path)).stdout)
    user = next(m for m in dmmf["models"] if m["name"] == "User")
    email = next(f for f in user["fields"] if f["name"] == "email")
    assert email["documentation"] == parse_schema(text).model("User").field("email").documentation
    assert "@django model auth.User" in user["documentation"]
