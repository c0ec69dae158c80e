"""`prismaschema` for a project on MySQL/MariaDB: Django's tables (migrated by Django's MySQL backend
on the local MariaDB) -> schema.prisma with `provider = "mysql"` and MySQL native types.

Checked: Prisma's parser accepts the schema; the tables Prisma would create from it (see
`prisma_mysql`) are Django's, column for column and key for key; the models inferred back from it
make Prisma's tables again (where they cannot, they say so); and with the `/// @django` annotations
the round trip is lossless (`makemigrations --check`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from django_prisma.psl import parse_schema, validate

from .corpus import oracle
from .django_project import run_django
from .mariadb import PYMYSQL_AS_MYSQLDB, describe, django_database, mysql, throwaway_databases
from .prisma_mysql import migration_sql
from .regenerated_apps import CONTRIB, makemigrations_check, regenerate
from .test_mysql_tables import assert_same_tables, compare

APPS_DIR = Path(__file__).parent / "apps"
LABELS = [*CONTRIB, "psl_mysqltypes"]
ORIGINAL_APPS = [f"django.contrib.{label}" for label in CONTRIB] + ["psl_mysqltypes"]
MIGRATIONS = {"psl_mysqltypes": "mysqltypes_migrations"}

MIGRATE_AND_WRITE_SCHEMA = """
from django.core.management import call_command
call_command("makemigrations", "psl_mysqltypes", verbosity=0)
call_command("migrate", verbosity=0)
call_command("prismaschema", *{labels!r}, output={output!r})
result = True
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The apps migrated on MariaDB, their schema, and Prisma's tables for that schema."""
    root = tmp_path_factory.mktemp("mysql_models_to_schema")
    (root / "mysqltypes_migrations").mkdir()
    (root / "mysqltypes_migrations" / "__init__.py").write_text("")
    schema_path = root / "schema.prisma"
    with throwaway_databases("django", "prisma") as names:
        run_django(
            root,
            MIGRATE_AND_WRITE_SCHEMA.format(labels=LABELS, output=str(schema_path)),
            [*ORIGINAL_APPS, "django_prisma"],
            database=django_database(names["django"]),
            migration_modules=MIGRATIONS,
            extra_path=[APPS_DIR],
            prelude=PYMYSQL_AS_MYSQLDB,
        )
        text = schema_path.read_text()
        mysql(migration_sql(parse_schema(text)), names["prisma"])
        yield root, text, describe(names["django"]), describe(names["prisma"])


def test_schema_has_mysql_types(project):
    _, text, _, _ = project
    schema = parse_schema(text)
    assert schema.provider == "mysql" and validate(schema) == []
    everything = schema.model("Everything")

    def native(name):
        attr = everything.field(name).native_type
        return attr and (attr.name, [a.value for a in attr.args])

    assert native("prisma_string") is None  # Prisma's default String is varchar(191)
    assert native("char") == ("db.VarChar", [40])
    assert native("text") == ("db.LongText", [])
    assert native("positive_big") == ("db.UnsignedBigInt", [])
    assert native("when") == ("db.DateTime", [6])
    # MariaDB 10.7+ gives Django's UUIDField a uuid column, which Prisma's MySQL types lack:
    # the same text in a char(36), said in a comment (MySQL's char(32) of hex digits is below).
    assert native("uid") == ("db.Char", [36])
    assert everything.field("uid").attribute("default").arg("value", 0).name == "uuid"
    assert "// MariaDB: Django's column is uuid" in text
    assert everything.field("lasts").type == "BigInt"


def test_prisma_accepts_the_schema(project, tmp_path):
    _, text, _, _ = project
    path = tmp_path / "schema.prisma"
    path.write_text(text)
    result = oracle("validate", str(path))
    assert result.returncode == 0 and "valid" in result.stdout, result.stdout + result.stderr


def test_prismas_tables_for_the_schema_are_djangos(project):
    _, _, django, prisma = project
    assert set(prisma.columns) == set(django.columns)
    assert prisma.primary == django.primary
    for table in django.columns:
        differing = {
            name: (prisma.columns[table].get(name), column)
            for name, column in django.columns[table].items()
            if prisma.columns[table].get(name) != column
        }
        if table == "psl_mysqltypes_everything":
            # The one column the schema's comment names (MariaDB's uuid type).
            assert differing.pop("uid") == (("char(36)", False, False), ("uuid", False, False))
        assert differing == {}, table
        assert prisma.unique[table] == django.unique[table], table
        assert prisma.indexes[table] == django.indexes[table], table
        assert prisma.foreign_keys[table] == django.foreign_keys[table], table


@pytest.mark.timeout(900)
def test_models_inferred_from_the_schema_make_prismas_tables(project, tmp_path):
    _, text, _, _ = project
    assert_same_tables(compare(text, tmp_path, use_annotations=False))


def test_annotated_round_trip_needs_no_migration(project):
    root, text, _, _ = project
    installed = regenerate(root, text, LABELS)
    result = makemigrations_check(root, installed, LABELS, MIGRATIONS)
    assert result["code"] == 0, result["output"]
    assert "No changes detected" in result["output"]
