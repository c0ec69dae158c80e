"""Introspection on django_prisma.mysql gives what Django's own MySQL backend gives on the same
database (constraints, columns, relations), and the schema editor's changes that depend on it
work: inspectdb, altering and removing unique and indexed fields."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.db import connections, models

from .conftest import database_url_of
from .models import mysql_apps
from .native import run_native

TABLES = ["pets", "users", "toys_pets", "everything", "measurements", "gauges"]
NATIVE_INTROSPECTION = """
from django.db import connection
with connection.cursor() as cursor:
    result = {
        table: {
            "constraints": connection.introspection.get_constraints(cursor, table),
            "relations": connection.introspection.get_relations(cursor, table),
            "columns": [
                (f.name, f.type_code, f.null_ok, f.is_unsigned, f.extra)
                for f in connection.introspection.get_table_description(cursor, table)
            ],
        }
        for table in payload
    }
"""


def test_introspection_agrees_with_djangos_own_mysql_backend(mydb):
    connection = connections["mysql"]
    with connection.cursor() as cursor:
        ours = {
            table: {
                "constraints": connection.introspection.get_constraints(cursor, table),
                "relations": connection.introspection.get_relations(cursor, table),
                "columns": [
                    (f.name, f.type_code, f.null_ok, f.is_unsigned, f.extra)
                    for f in connection.introspection.get_table_description(cursor, table)
                ],
            }
            for table in TABLES
        }
    assert ours == run_native(database_url_of(mydb), NATIVE_INTROSPECTION, TABLES)
    assert ours["pets"]["constraints"]["PRIMARY"]["columns"] == ["id"]


def test_inspectdb_writes_the_models(mydb):
    out = io.StringIO()
    call_command("inspectdb", "pets", "gauges", database="mysql", stdout=out)
    text = out.getvalue()
    assert "class Pets(models.Model):" in text
    assert "owner = models.ForeignKey('Users', models.DO_NOTHING)" in text
    assert "code = models.PositiveIntegerField(primary_key=True)" in text


def test_schema_changes_that_read_constraints(mydb):
    class Tag(models.Model):
        name = models.CharField(max_length=20, unique=True)
        rank = models.IntegerField(db_index=True)

        class Meta:
            apps = mysql_apps
            app_label = "mysqltests"
            db_table = "tags"

    connection = connections["mysql"]
    old_name, old_rank = Tag._meta.get_field("name"), Tag._meta.get_field("rank")
    new_name = models.CharField(max_length=40)
    new_name.set_attributes_from_name("name")
    new_name.model = Tag
    new_rank = models.PositiveIntegerField()
    new_rank.set_attributes_from_name("rank")
    new_rank.model = Tag
    with connection.schema_editor() as editor:
        editor.create_model(Tag)
    try:
        with connection.schema_editor() as editor:
            editor.alter_field(Tag, old_name, new_name)  # drops the unique constraint
            editor.alter_field(Tag, old_rank, new_rank)  # drops the index, makes it unsigned
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, "tags")
        indexes = [c["columns"] for c in constraints.values() if c["index"] or c["unique"]]
        assert indexes == [["id"]]
        checks = [c["columns"] for c in constraints.values() if c["check"]]
        assert checks == [["rank"]], "PositiveIntegerField's CHECK (rank >= 0) on MariaDB"
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO tags (name, rank) VALUES ('a', 1), ('a', 4294967295)")
            cursor.execute("SELECT CAST(`rank` AS CHAR) FROM tags ORDER BY `rank`")
            assert cursor.fetchall() == [("1",), ("4294967295",)]
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(Tag)
