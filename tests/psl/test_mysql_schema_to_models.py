"""provider = "mysql": the generated source (types, comments, keys, relationMode), every MySQL corpus
schema through `makemigrations`, the drift check, and what `prismaschema` writes for MySQL; no server.

That the columns are Prisma's is checked on MariaDB by test_mysql_tables.py.
"""

from __future__ import annotations

import pytest
from django.db import models

from django_prisma.psl import parse_path, parse_schema
from django_prisma.psl.providers import MYSQL, POSTGRESQL, MySQL, provider_of
from django_prisma.psl.schema_to_models import generate_models

from . import mysql_schemas
from .corpus import CORPUS, file_params
from .django_project import migration_tables, run_django, write_app
from .test_mysql_tables import MYSQL_CORPUS
from .test_schema_to_models import expected_tables


def test_provider_is_decided_by_the_datasource():
    assert provider_of(parse_schema(mysql_schemas.TYPES)) is MYSQL
    assert (
        provider_of(parse_schema('datasource db {\n  provider = "postgresql"\n}\n')) is POSTGRESQL
    )


def test_native_types_become_the_closest_django_fields():
    source = generate_models(parse_schema(mysql_schemas.TYPES))
    exact = [
        "plain = models.CharField(max_length=191)",  # Prisma's String is varchar(191)
        "varchar = models.CharField(max_length=40)",
        'long_text = models.TextField(null=True, blank=True, db_column="longText")',
        'unsigned_int = models.PositiveIntegerField(db_column="unsignedInt")',
        'unsigned_big = models.PositiveBigIntegerField(db_column="unsignedBig")',
        "decimal = models.DecimalField(max_digits=10, decimal_places=2)",
        "max_digits=65, decimal_places=30",  # Prisma's Decimal is decimal(65,30)
        "flag = models.BooleanField(default=False)",  # tinyint(1) on both sides
        "micro = models.DateTimeField()",
        "id = models.AutoField(primary_key=True)",
        "data = models.JSONField()",
    ]
    for line in exact:
        assert line in source, line
    noted = {
        "tiny_text = models.TextField(": "Prisma's column is tinytext; TextField makes longtext",
        "tiny_int = models.SmallIntegerField(": "Prisma's column is tinyint; SmallIntegerField",
        "year = models.PositiveSmallIntegerField(": "Prisma's column is year;",
        "created_at = models.DateTimeField(auto_now_add=True": "is datetime(3); DateTimeField makes datetime(6)",
        "stamp = models.DateTimeField(null=True)": "Prisma's column is timestamp;",
        "single = models.FloatField()": "Prisma's column is float; FloatField makes double",
        "varbinary = models.BinaryField(max_length=16": "is varbinary(16); BinaryField makes longblob",
        "bit = models.BooleanField()": "Prisma's column is bit(1)",
        "status = models.CharField(max_length=9": "is enum('DRAFT','published'); CharField makes varchar(9)",
    }
    lines = source.splitlines()
    for field, note in noted.items():
        index = next(i for i, line in enumerate(lines) if field in line)
        assert note in lines[index - 1], (field, lines[index - 1])
    # uuid() in a char(36) stays text with hyphens (a CharField), never Django's UUIDField.
    assert "char = models.CharField(max_length=36, default=uuid.uuid4)" in source
    assert "UUIDField" not in source
    assert 'models.Index(fields=["-created_at", "int"]' in source
    assert "# index with text(length: 20): Django has no prefix indexes; not created" in source
    assert "# full-text index on plain: Django has no full-text index; not created" in source
    # MySQL's implicit many-to-many table: a unique key (A, B), no primary key.
    assert 'models.UniqueConstraint(fields=["a", "b"], name="_EverythingToTag_AB_unique")' in source
    assert "# B: MySQL: Prisma's column is bigint unsigned; ForeignKey makes bigint" in source


def test_relation_mode_prisma_makes_no_database_foreign_keys():
    source = generate_models(parse_schema(mysql_schemas.RELATION_MODE_PRISMA))
    assert source.count("db_constraint=False") == 4  # author, editor, and the link table's two
    # An index only where the schema declares one (@@index([authorId])).
    author = source[source.index("    author = models.ForeignKey(") :].split(")\n")[0]
    editor = source[source.index("    editor = models.ForeignKey(") :].split(")\n")[0]
    assert "db_index=False" not in author and "db_index=False" in editor


def test_the_postgresql_path_is_unchanged_by_mysql():
    text = mysql_schemas.RELATION_MODE_PRISMA.replace('"mysql"', '"postgresql"')
    source = generate_models(parse_schema(text.replace('  relationMode = "prisma"\n', "")))
    assert "MySQL" not in source and "db_constraint" not in source
    assert "title = models.CharField(max_length=200)" in source
    assert "email = models.TextField(unique=True)" in source  # text on PostgreSQL


@pytest.mark.timeout(900)
@pytest.mark.parametrize(
    "path",
    file_params([CORPUS / f"{name}.prisma" for name in MYSQL_CORPUS] if CORPUS.is_dir() else []),
)
def test_corpus_models_migrate_to_the_schema_tables(path, tmp_path):
    schema = parse_path(path)
    write_app(tmp_path, "generated", generate_models(schema))
    tables = migration_tables(tmp_path, "generated")
    for table, columns in expected_tables(schema).items():
        assert set(tables[table]) == columns, table
    assert all(t.startswith("_") for t in set(tables) - set(expected_tables(schema)))


RUN_CHECK = """
from django_prisma.psl.checks import check_prisma_schema
result = [w.msg for w in check_prisma_schema()]
"""


def test_drift_check_on_a_mysql_schema(tmp_path):
    schema = tmp_path / "schema.prisma"
    schema.write_text(mysql_schemas.TYPES)
    write_app(tmp_path, "generated", generate_models(parse_schema(mysql_schemas.TYPES)))
    database = {"ENGINE": "django_prisma", "NAME": "unused", "SCHEMA_PATH": str(schema)}
    assert run_django(tmp_path, RUN_CHECK, ["generated"], database=database) == []
    # Prisma's String is varchar(191) on MySQL: a model with another length has drifted.
    schema.write_text(
        mysql_schemas.TYPES.replace(
            "  plain          String\n", "  plain String @db.VarChar(100)\n"
        )
    )
    warnings = run_django(tmp_path, RUN_CHECK, ["generated"], database=database)
    assert warnings == ["column everything.plain: max_length 191 vs Prisma 100"]


def test_prisma_types_for_django_fields_on_mysql():
    plain = MySQL()
    cases = {
        models.CharField(max_length=191): ("String", None),
        models.CharField(max_length=20): ("String", "VarChar(20)"),
        models.TextField(): ("String", "LongText"),
        models.PositiveIntegerField(): ("Int", "UnsignedInt"),
        models.PositiveSmallIntegerField(): ("Int", "UnsignedSmallInt"),
        models.PositiveBigIntegerField(): ("BigInt", "UnsignedBigInt"),
        models.SmallAutoField(primary_key=True): ("Int", "SmallInt"),
        models.FloatField(): ("Float", None),
        models.DateTimeField(): ("DateTime", "DateTime(6)"),
        models.TimeField(): ("DateTime", "Time(6)"),
        models.JSONField(): ("Json", None),
        models.BinaryField(): ("Bytes", None),
        models.DurationField(): ("BigInt", None),
        models.GenericIPAddressField(): ("String", "Char(39)"),
    }
    for field, expected in cases.items():
        assert plain.prisma_type(field) == expected, field
    # MySQL (and MariaDB before 10.7) keep a UUIDField as char(32) of hex digits: Prisma
    # Client's uuid() would not fit, so no @default(uuid()).
    uuid_field = models.UUIDField()
    assert plain.prisma_type(uuid_field) == ("String", "Char(32)")
    assert not plain.writes_uuid_default(uuid_field) and plain.schema_note(uuid_field) is None
    mariadb = MySQL(native_uuid=True)
    assert mariadb.prisma_type(uuid_field) == ("String", "Char(36)")
    assert mariadb.writes_uuid_default(uuid_field) and "uuid" in mariadb.schema_note(uuid_field)


WRITE_SCHEMA = """
import io
from django.core.management import call_command
out = io.StringIO()
call_command("prismaschema", "contenttypes", "--provider", "mysql", stdout=out)
default = io.StringIO()
call_command("prismaschema", "contenttypes", stdout=default)
result = [out.getvalue(), default.getvalue()]
"""


def test_prismaschema_provider_option(tmp_path):
    mysql_text, default_text = run_django(
        tmp_path, WRITE_SCHEMA, ["django.contrib.contenttypes", "django_prisma"]
    )
    assert 'provider = "mysql"' in mysql_text and "@db.VarChar(100)" in mysql_text
    # The default database here is PostgreSQL's backend: PostgreSQL's schema.
    assert 'provider = "postgresql"' in default_text


INSPECT = """
import io
from django.core.management import call_command
out = io.StringIO()
call_command("inspectprisma", stdout=out)
result = out.getvalue()
"""


def test_inspectprisma_on_a_mysql_schema(tmp_path):
    (tmp_path / "schema.prisma").write_text(mysql_schemas.TYPES)
    database = {
        "ENGINE": "django_prisma",
        "NAME": "unused",
        "SCHEMA_PATH": str(tmp_path / "schema.prisma"),
    }
    output = run_django(tmp_path, INSPECT, ["django_prisma"], database=database)
    assert output == generate_models(parse_schema(mysql_schemas.TYPES))
    assert "# MySQL: Prisma's column is mediumint; IntegerField makes int" in output
