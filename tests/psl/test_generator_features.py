"""schema -> models details: enums, composite keys, implicit m2m, defaults, names from columns; CLIs."""

from __future__ import annotations

import subprocess
import sys

from django_prisma.psl import parse_schema
from django_prisma.psl.schema_to_models import generate_models

from .django_project import REPO, migration_tables, run_django, write_app

SCHEMA = """
datasource db {
  provider = "postgresql"
}

enum Role {
  ADMIN @map("admin")
  None
}

/// People.
model Person {
  id        String    @id @default(uuid()) @db.Uuid
  handle    String    @unique @db.VarChar(30)
  role      Role      @default(ADMIN)
  bio       String?   /// Free text.
  createdAt DateTime  @default(now()) @map("created_at")
  updatedAt DateTime  @updatedAt
  managerId String?   @map("manager_id") @db.Uuid
  manager   Person?   @relation("Reports", fields: [managerId], references: [id], onDelete: SetNull)
  reports   Person[]  @relation("Reports")
  tags      Tag[]
  pairs     Pair[]

  @@map("people")
}

model Tag {
  id     Int      @id @default(autoincrement())
  label  String   @default(dbgenerated("'x'::text"))
  people Person[]
}

model Pair {
  personId String @db.Uuid
  slot     Int
  person   Person @relation(fields: [personId], references: [id], onDelete: Cascade)

  @@id([personId, slot])
}
"""


def test_generated_source_features():
    source = generate_models(parse_schema(SCHEMA))
    assert "class Role(models.TextChoices):" in source and 'None_field = "None", "None"' in source
    assert (
        "role = models.CharField(max_length=5, choices=Role.choices, default=Role.ADMIN)" in source
    )
    assert (
        'manager = models.ForeignKey(\n        "self",' in source
        or 'manager = models.ForeignKey("self",' in source
    )
    assert 'related_name="reports"' in source and "on_delete=models.SET_NULL" in source
    assert 'pk = models.CompositePrimaryKey("person", "slot")' in source
    assert 'db_table = "_PersonToTag"' in source
    assert 'updated_at = models.DateTimeField(auto_now=True, db_column="updatedAt")' in source
    assert "created_at = models.DateTimeField(auto_now_add=True)" in source
    assert "db_default=RawSQL(\"'x'::text\", [])" in source
    assert 'help_text="Free text."' in source


def test_keep_prisma_names():
    source = generate_models(parse_schema(SCHEMA), keep_prisma_names=True)
    assert "updatedAt = models.DateTimeField(auto_now=True)" in source
    assert 'createdAt = models.DateTimeField(auto_now_add=True, db_column="created_at")' in source


def test_generated_models_migrate(tmp_path):
    write_app(tmp_path, "features", generate_models(parse_schema(SCHEMA)))
    tables = migration_tables(tmp_path, "features")
    assert set(tables["people"]) >= {"id", "handle", "created_at", "manager_id"}
    assert set(tables["_PersonToTag"]) == {"A", "B"}
    assert set(tables["Pair"]) == {"personId", "slot"}


def test_module_cli(tmp_path):
    (tmp_path / "schema.prisma").write_text(SCHEMA)
    proc = subprocess.run(
        [sys.executable, "-m", "django_prisma.psl", str(tmp_path / "schema.prisma")],
        capture_output=True, text=True, cwd=REPO,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "class Person(models.Model):" in proc.stdout
    assert "    updated_at = models.DateTimeField(" in proc.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "django_prisma.psl", "--keep-prisma-names", str(tmp_path / "schema.prisma")],
        capture_output=True, text=True, cwd=REPO,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "    updatedAt = models.DateTimeField(" in proc.stdout
    (tmp_path / "bad.prisma").write_text("model A {\n  id Int @id(\n}\n")
    proc = subprocess.run(
        [sys.executable, "-m", "django_prisma.psl", str(tmp_path / "bad.prisma")],
        capture_output=True, text=True, cwd=REPO,
    )  # fmt: skip
    assert proc.returncode == 1 and "bad.prisma:3:1" in proc.stderr


def test_inspectprisma_reads_schema_path(tmp_path):
    (tmp_path / "schema.prisma").write_text(SCHEMA)
    database = {
        "ENGINE": "django_prisma",
        "NAME": "unused",
        "SCHEMA_PATH": str(tmp_path / "schema.prisma"),
    }
    body = """
import io
from django.core.management import call_command
out = io.StringIO()
call_command("inspectprisma", stdout=out)
kept = io.StringIO()
call_command("inspectprisma", "--keep-prisma-names", stdout=kept)
result = [out.getvalue(), kept.getvalue()]
"""
    output, kept = run_django(
        tmp_path, body, ["django.contrib.contenttypes", "django_prisma"], database=database
    )
    assert "class Pair(models.Model):" in output and 'db_table = "people"' in output
    assert "    updated_at = models.DateTimeField(" in output
    assert "    updatedAt = models.DateTimeField(" in kept
