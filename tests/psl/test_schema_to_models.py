"""schema.prisma -> Django models: every valid PostgreSQL corpus schema imports and migrates."""

from __future__ import annotations

import pytest

from django_prisma.psl import parse_path
from django_prisma.psl.schema_to_models import generate_models

from .corpus import file_params, valid_files
from .django_project import migration_tables, write_app


def _postgres_files():
    out = []
    for path in valid_files():
        schema = parse_path(path)
        if schema.provider in ("postgresql", "postgres") and path.stem != "calcom":
            out.append(path)
    return out


def expected_tables(schema) -> dict[str, set[str]]:
    """Tables and columns the schema names, minus what Django cannot map (Unsupported, @ignore)."""
    out = {}
    for model in schema.models:
        if model.ignored or model.kind != "model":
            continue
        columns = set()
        for field in model.fields:
            if schema.model(field.type) or field.unsupported or field.attribute("ignore"):
                continue
            mapped = field.attribute("map")
            columns.add(mapped.arg("name", 0) if mapped else field.name)
        out[model.table_name] = columns
    return out


# The largest corpus schemas take minutes of makemigrations on a loaded 2-core machine.
@pytest.mark.timeout(900)
@pytest.mark.parametrize("path", file_params(_postgres_files()))
def test_generated_models_migrate_to_the_schema_tables(path, tmp_path):
    schema = parse_path(path)
    write_app(tmp_path, "generated", generate_models(schema))
    tables = migration_tables(tmp_path, "generated")
    expected = expected_tables(schema)
    for table, columns in expected.items():
        assert table in tables, f"no CreateModel for {table}"
        # Columns of multi-column relations that Django cannot express are still plain fields.
        assert set(tables[table]) >= columns, (table, columns - set(tables[table]))
        assert set(tables[table]) <= columns, (table, set(tables[table]) - columns)
    extra = set(tables) - set(expected)
    assert all(t.startswith("_") for t in extra), f"tables the schema does not name: {extra}"
