"""Django models -> schema.prisma -> Django models: Prisma accepts the schema, the database shape survives."""

from __future__ import annotations

from pathlib import Path

import pytest

from django_prisma.psl import parse_schema, validate
from django_prisma.psl.dmmf import datamodel

from .corpus import oracle
from .django_project import run_django, write_app

APPS_DIR = Path(__file__).parent / "apps"
CONTRIB = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.admin",
    "django.contrib.sessions",
]
SOURCE_APPS = [*CONTRIB, "django.contrib.messages", "django.contrib.postgres", "psl_fieldtypes"]
LABELS = ["contenttypes", "auth", "admin", "sessions", "psl_fieldtypes"]

WRITE_SCHEMA = """
from django.core.management import call_command
call_command("prismaschema", *{labels!r}, output={output!r})
result = True
"""

# Columns, database types, nullability, uniqueness and foreign-key targets of every table, keyed by table.
DESCRIBE = """
from django.apps import apps
from django.db import connection
tables = {{}}
for model in apps.get_models(include_auto_created=True):
    if model._meta.app_label not in {labels!r}:
        continue
    columns = {{}}
    for f in model._meta.local_fields:
        if f.column is None:
            continue
        target = f.related_model._meta.db_table if f.is_relation else None
        columns[f.column] = [f.db_type(connection), f.null, f.unique or f.primary_key, target]
    tables[model._meta.db_table] = columns
result = tables
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("models_to_schema")
    schema_path = root / "schema.prisma"
    run_django(
        root,
        WRITE_SCHEMA.format(labels=LABELS, output=str(schema_path)),
        [*SOURCE_APPS, "django_prisma"],
        extra_path=[APPS_DIR],
    )
    return root, schema_path.read_text()


def test_schema_uses_django_names_and_maps_tables(project):
    _, text = project
    schema = parse_schema(text)
    assert validate(schema) == []
    permission = schema.model("Permission")
    assert permission.db_name == "auth_permission"
    relation = permission.field("content_type")
    assert (
        relation.type == "ContentType" and relation.attribute("relation").arg("fields") is not None
    )
    assert permission.field("content_type_id").type == "Int"
    through = schema.model("User_groups")
    assert through is not None and through.db_name == "auth_user_groups"
    assert {f.name for f in through.fields} >= {"user", "user_id", "group", "group_id"}
    everything = schema.model("Everything")
    assert everything.field("text").attribute("map").arg("name", 0) == "body"
    assert everything.field("tags").is_list
    assert everything.field("dec").native_type.name == "db.Decimal"
    model_names = [m["name"] for m in datamodel(schema)["models"]]
    assert "Pair" in model_names and schema.model("Pair").attribute("id") is not None


def test_prisma_accepts_the_schema(project, tmp_path):
    _, text = project
    path = tmp_path / "schema.prisma"
    path.write_text(text)
    result = oracle("validate", str(path))
    assert result.returncode == 0 and "valid" in result.stdout, result.stdout + result.stderr


def test_models_from_the_schema_have_the_same_tables_columns_and_types(project):
    root, text = project
    from django_prisma.psl.schema_to_models import generate_models

    schema = parse_schema(text)
    # All apps in one package: the inference path (annotations name the original apps' labels).
    write_app(root, "roundtrip", generate_models(schema, use_annotations=False))
    original = run_django(root, DESCRIBE.format(labels=LABELS), SOURCE_APPS, extra_path=[APPS_DIR])
    regenerated = run_django(
        root,
        DESCRIBE.format(labels=["roundtrip"]),
        [*CONTRIB[:1], "django.contrib.postgres", "roundtrip"],
    )
    assert set(regenerated) == set(original)
    unmapped = _unsupported_columns(schema)
    assert unmapped == {("psl_fieldtypes_tag", "lasts")}
    for table, columns in original.items():
        expected = {c: v for c, v in columns.items() if (table, c) not in unmapped}
        assert regenerated[table] == expected, table


def _unsupported_columns(schema) -> set[tuple[str, str]]:
    """Columns of types Prisma calls Unsupported (an interval): inference leaves them out."""
    return {
        (model.table_name, f.attribute("map").arg("name", 0) if f.attribute("map") else f.name)
        for model in schema.models
        for f in model.fields
        if f.unsupported
    }
