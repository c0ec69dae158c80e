"""MySQL schema -> Django models -> `makemigrations` + `migrate` with Django's MySQL backend on the
local MariaDB: the tables are Prisma's, except where the generated models say they cannot be.

Prisma's tables are made on a second database from the DDL Prisma's schema engine writes for the
schema (see `prisma_mysql`); both databases are then read back from information_schema, so
MariaDB itself normalises the two DDLs. Compared: every table and column, column types,
nullability, AUTO_INCREMENT, primary keys, unique keys, indexes (with their sort order) and
foreign keys. Not compared: names of indexes and constraints, column DEFAULTs (Django applies
defaults in Python, as Prisma Client does for uuid() and cuid()), referential actions (Django
emulates on_delete), and the CHECK (`col` >= 0) Django adds to its unsigned Positive*Field columns.
"""

from __future__ import annotations

import re

import pytest

from django_prisma.psl import parse_path, parse_schema
from django_prisma.psl.ast import Schema
from django_prisma.psl.field_names import column
from django_prisma.psl.model_keys import is_auto_key
from django_prisma.psl.providers import MYSQL
from django_prisma.psl.relations import implicit_many_to_many, relations
from django_prisma.psl.schema_to_models import generate_models

from . import mysql_schemas
from .corpus import CORPUS, file_params
from .django_project import run_django, write_app
from .mariadb import PYMYSQL_AS_MYSQLDB, describe, django_database, mysql, throwaway_databases
from .prisma_mysql import migration_sql, primary_key

MYSQL_CORPUS = ["dub", "umami-mysql", "typebot-mysql", "taxonomy", "t3-auth-planetscale"]

MIGRATE = """
from django.core.management import call_command
call_command("makemigrations", "generated", verbosity=0)
call_command("migrate", verbosity=0)
result = True
"""
NOTE = re.compile(r"MySQL: Prisma's column is (.+); (\w+) makes (.+)$")


def expected_notes(schema: Schema) -> dict[tuple[str, str], tuple[str, str]]:
    """(table, column) -> (Prisma's column type, Django's) for the columns the generator says differ."""
    notes: dict[tuple[str, str], str | None] = {}
    models = [m for m in schema.models if m.kind == "model" and not m.ignored]
    for model in models:
        foreign_keys = {
            side.fields[0]: side
            for side in relations(schema, model)
            if len(side.fields) == 1 and side.target.kind == "model"
        }
        for f in model.fields:
            if schema.model(f.type) is not None:
                continue
            enum = schema.enum(f.type)
            if f.name in foreign_keys:
                target = foreign_keys[f.name].target
                referenced = target.field(foreign_keys[f.name].references[0])
                note = MYSQL.foreign_key_note(f, referenced, is_auto_key(target, referenced))
            elif enum is not None:
                longest = max(len(v.db_name or v.name) for v in enum.values)
                note = MYSQL.enum_note(enum, longest)
            else:
                note = MYSQL.django_type(f, is_auto_key(model, f)).mismatch
            notes[(model.table_name, column(f))] = note
    for m2m in implicit_many_to_many(schema, models):
        for name, side in (("A", m2m.a), ("B", m2m.b)):
            key = side.model.field(primary_key(side.model)[0])
            notes[(m2m.table, name)] = MYSQL.foreign_key_note(
                key, key, is_auto_key(side.model, key)
            )
    return {
        where: NOTE.search(note).group(1, 3) for where, note in notes.items() if note is not None
    }


def compare(schema_text: str, tmp_path, use_annotations: bool = True) -> dict:
    """Both databases' tables for the schema; returns the facts the tests assert on."""
    schema = parse_schema(schema_text)
    source = generate_models(schema, use_annotations=use_annotations)
    with throwaway_databases("prisma", "django") as names:
        mysql(migration_sql(schema), names["prisma"])
        write_app(tmp_path, "generated", source)
        run_django(
            tmp_path,
            MIGRATE,
            ["generated"],
            database=django_database(names["django"]),
            prelude=PYMYSQL_AS_MYSQLDB,
        )
        prisma, django = describe(names["prisma"]), describe(names["django"])
    return {"schema": schema, "source": source, "prisma": prisma, "django": django}


def assert_same_tables(facts: dict) -> None:
    schema, source, prisma, django = (
        facts["schema"],
        facts["source"],
        facts["prisma"],
        facts["django"],
    )
    assert set(django.columns) == set(prisma.columns)
    notes = expected_notes(schema)
    for table, columns in prisma.columns.items():
        assert set(django.columns[table]) == set(columns), table
        for name, (prisma_type, nullable, autoincrement) in columns.items():
            django_type, django_nullable, django_auto = django.columns[table][name]
            where = f"{table}.{name}"
            assert (django_nullable, django_auto) == (nullable, autoincrement), where
            if (table, name) in notes:
                # The generated comment is true: it names both columns as MariaDB reports them.
                assert notes[(table, name)] == (prisma_type, django_type), where
                assert prisma_type != django_type, f"{where}: noted but the same"
            else:
                assert django_type == prisma_type, where
    for note in {n for n in notes.values()}:
        assert f"Prisma's column is {note[0]};" in source
    for table in prisma.columns:
        if table in prisma.primary:
            assert django.primary.get(table) == prisma.primary[table], table
            assert django.unique[table] == prisma.unique[table], table
        else:
            # A table without a primary key (an implicit many-to-many table, a model without
            # @id): one of its unique keys is Django's primary key, as the models say.
            # Django keeps that unique key as well, named as Prisma names it.
            assert django.primary[table] in prisma.unique[table], table
            assert django.unique[table] == prisma.unique[table], table
        assert django.indexes[table] == prisma.indexes[table], table
        assert django.foreign_keys[table] == prisma.foreign_keys[table], table
        # Prefix and full-text indexes have no Django equivalent: the models say so instead.
        assert django.partial[table] == set(), table
    partial = sum(len(v) for v in prisma.partial.values())
    assert source.count("Django has no prefix") + source.count("Django has no full-text") == partial


@pytest.mark.timeout(900)
def test_every_native_type(tmp_path):
    facts = compare(mysql_schemas.TYPES, tmp_path)
    assert_same_tables(facts)
    columns = facts["django"].columns["everything"]
    # Spot checks of the mapping itself, as MariaDB reports Django's columns.
    assert columns["plain"][0] == "varchar(191)" and columns["varchar"][0] == "varchar(40)"
    assert columns["unsignedInt"][0] == "int unsigned"
    assert columns["unsignedBig"][0] == "bigint unsigned"
    assert columns["flag"][0] == "tinyint(1)" and columns["micro"][0] == "datetime(6)"
    assert columns["id"][2] is True
    assert facts["django"].indexes["everything"] >= {("-createdAt", "int")}
    assert facts["prisma"].foreign_keys["everything"] == {(("ownerId",), "Owner", ("id",))}


@pytest.mark.timeout(900)
def test_relation_mode_prisma_has_no_foreign_keys(tmp_path):
    facts = compare(mysql_schemas.RELATION_MODE_PRISMA, tmp_path)
    assert_same_tables(facts)
    assert not any(facts["django"].foreign_keys.values())
    # Only the index the schema declares: none on Post.editorId.
    assert facts["django"].indexes["Post"] == {("authorId",)}


def _mysql_corpus():
    return [CORPUS / f"{name}.prisma" for name in MYSQL_CORPUS] if CORPUS.is_dir() else []


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("path", file_params(_mysql_corpus()))
def test_corpus_tables(path, tmp_path):
    assert parse_path(path).provider == "mysql"
    assert_same_tables(compare(path.read_text(), tmp_path))
