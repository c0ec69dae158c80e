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

from .corpus import oracle
from .django_project import run_django
from .regenerated_apps import CONTRIB, makemigrations_check, regenerate

APPS_DIR = Path(__file__).parent / "apps"
LABELS = [*CONTRIB, "psl_fieldtypes"]
ORIGINAL_APPS = [f"django.contrib.{label}" for label in CONTRIB] + [
    "django.contrib.postgres",
    "psl_fieldtypes",
]
FIELDTYPES_MIGRATIONS = {"psl_fieldtypes": "fieldtypes_migrations"}

WRITE_SCHEMA_AND_FIELDTYPES_MIGRATION = """
from django.core.management import call_command
call_command("prismaschema", *{labels!r}, output={output!r})
call_command("makemigrations", "psl_fieldtypes", verbosity=0)
result = True
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
        migration_modules=FIELDTYPES_MIGRATIONS,
        extra_path=[APPS_DIR],
    )
    assert list((root / "fieldtypes_migrations").glob("0001_*.py"))
    return root, schema_path.read_text()


def test_schema_records_what_prisma_cannot_express(project):
    _, text = project
    schema = parse_schema(text)
    user = schema.model("User")
    assert "@django model auth.User" in user.documentation
    assert "@django field groups = models.ManyToManyField(" in user.documentation
    assert user.field("email").documentation.startswith("@django models.EmailField(")
    log_user = schema.model("LogEntry").field("user_id").documentation
    assert log_user.startswith("@django user = models.ForeignKey(")
    assert schema.model("User_groups").documentation == "@django auto_created auth.User.groups"
    assert "@django field pk = models.CompositePrimaryKey(" in schema.model("Pair").documentation


def test_regenerated_models_need_no_migration(project):
    root, text = project
    installed = regenerate(root, text, LABELS)
    result = makemigrations_check(root, installed, LABELS, FIELDTYPES_MIGRATIONS)
    assert result["code"] == 0, result["output"]
    assert "No changes detected" in result["output"]


def test_a_missing_annotation_shows_up_as_a_change(project, tmp_path):
    _, text = project
    (tmp_path / "fieldtypes_migrations").mkdir()
    for migration in (project[0] / "fieldtypes_migrations").glob("*.py"):
        (tmp_path / "fieldtypes_migrations" / migration.name).write_text(migration.read_text())
    # Without its annotation the email field is inferred from `String @db.VarChar(254)`: a CharField.
    stripped = "\n".join(
        line
        for line in text.splitlines()
        if "/// @django models.EmailField(max_length=254)" not in line
    )
    assert stripped != text
    installed = regenerate(tmp_path, stripped, LABELS)
    result = makemigrations_check(tmp_path, installed, ["psl_fieldtypes"], FIELDTYPES_MIGRATIONS)
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
