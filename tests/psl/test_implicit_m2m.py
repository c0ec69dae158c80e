"""Implicit many-to-many relations become a ManyToManyField through the model of Prisma's table.

Prisma itself creates the tables (`prisma db push`), the generated models then read and write them
through django_prisma on a local executor server, and the rows are checked with psycopg against
Prisma's layout: column A holds the records of the side whose model (or, in a self-relation, field)
sorts first.
"""

from __future__ import annotations

import psycopg
import pytest

from django_prisma.devserver import throwaway_executor
from django_prisma.psl import parse_schema
from django_prisma.psl.schema_to_models import generate_models

from ..conftest import POSTGRES_URL
from .corpus import prisma_cli
from .django_project import migration_tables, run_django, write_app

SCHEMA = """
datasource db {
  provider = "postgresql"
}

model Vaccine {
  id       Int      @id @default(autoincrement())
  name     String   @unique
  animals  Animal[]
}

model Animal {
  id       Int       @id @default(autoincrement())
  fullName String    @map("full_name")
  vaccines Vaccine[]
}

model Pet {
  id       Int    @id @default(autoincrement())
  name     String
  zFriends Pet[]  @relation("Friends")
  friendOf Pet[]  @relation("Friends")
}
"""

USE_THE_RELATIONS = """
from django.db import connection
from m2m.models import Animal, Pet, Vaccine

rabies, flu, tetanus = (Vaccine.objects.create(name=n) for n in ("rabies", "flu", "tetanus"))
rex = Animal.objects.create(full_name="Rex")
tom = Animal.objects.create(full_name="Tom")
rex.vaccines.add(rabies, flu)
tom.vaccines.add(flu)
tom.vaccines.create(name="created-through")
rabies.animals.add(tom)
tetanus.animals.set([rex])
rex.vaccines.remove(flu)

a, b = Pet.objects.create(name="a"), Pet.objects.create(name="b")
b.z_friends.add(a)  # the back side of the self-relation

result = {
    "ids": {"rex": rex.pk, "tom": tom.pk, "rabies": rabies.pk, "flu": flu.pk,
            "tetanus": tetanus.pk, "a": a.pk, "b": b.pk},
    "rex": sorted(rex.vaccines.values_list("name", flat=True)),
    "tom": sorted(v.name for v in tom.vaccines.all()),
    "rabies": sorted(rabies.animals.values_list("full_name", flat=True)),
    "with_flu": sorted(Animal.objects.filter(vaccines__name="flu").values_list("full_name", flat=True)),
    "given_to_rex": sorted(Vaccine.objects.filter(animals__full_name="Rex").values_list("name", flat=True)),
    "prefetched": {x.full_name: sorted(v.name for v in x.vaccines.all())
                   for x in Animal.objects.prefetch_related("vaccines")},
    "friend_of_a": [p.name for p in a.friend_of.all()],
    "z_friends_of_b": [p.name for p in b.z_friends.all()],
}
tom.vaccines.clear()
result["tom_after_clear"] = tom.vaccines.count()
"""


def test_generated_m2m_field():
    source = generate_models(parse_schema(SCHEMA))
    assert (
        "    vaccines = models.ManyToManyField(\n"
        '        "Vaccine", through="AnimalToVaccineLink", through_fields=("a", "b"), related_name="animals"\n'
        "    )"
    ) in source
    assert 'pk = models.CompositePrimaryKey("a", "b")' in source
    assert 'db_table = "_AnimalToVaccine"' in source
    # Only the side Prisma calls A declares the field: no second ManyToManyField on Vaccine.
    assert source.count("ManyToManyField(") == 2
    assert "friend_of = models.ManyToManyField(" in source
    assert 'symmetrical=False,\n        related_name="z_friends"' in source


def test_makemigrations_creates_exactly_the_schema_tables(tmp_path):
    write_app(tmp_path, "m2m", generate_models(parse_schema(SCHEMA)))
    tables = migration_tables(tmp_path, "m2m")
    assert {t: set(c) for t, c in tables.items()} == {
        "Vaccine": {"id", "name"},
        "Animal": {"id", "full_name"},
        "Pet": {"id", "name"},
        "_AnimalToVaccine": {"A", "B"},
        "_Friends": {"A", "B"},
    }


@pytest.fixture
def prisma_tables():
    """An executor on a database of its own (`prisma db push` would drop other tests' tables),
    with the tables exactly as `prisma db push` makes them."""
    with throwaway_executor(POSTGRES_URL, "dp_m2m") as server:
        proc = prisma_cli(SCHEMA, server.database_url, "db", "push")
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
        yield server


@pytest.fixture
def pg(prisma_tables):
    """psycopg to the pushed database."""
    with psycopg.connect(prisma_tables.database_url, autocommit=True) as conn:
        yield conn


def test_m2m_reads_and_writes_prismas_table(prisma_tables, pg, tmp_path):
    write_app(tmp_path, "m2m", generate_models(parse_schema(SCHEMA)))
    database = {"ENGINE": "django_prisma", "URL": prisma_tables.url}
    result = run_django(tmp_path, USE_THE_RELATIONS, ["m2m"], database=database)
    ids = result["ids"]
    assert result["rex"] == ["rabies", "tetanus"]
    assert result["tom"] == ["created-through", "flu", "rabies"]
    assert result["rabies"] == ["Rex", "Tom"]
    assert result["with_flu"] == ["Tom"]
    assert result["given_to_rex"] == ["rabies", "tetanus"]
    assert result["prefetched"] == {
        "Rex": ["rabies", "tetanus"],
        "Tom": ["created-through", "flu", "rabies"],
    }
    assert result["tom_after_clear"] == 0
    # Prisma's layout: A is Animal (sorts before Vaccine), B is Vaccine.
    rows = set(pg.execute('SELECT "A", "B" FROM "_AnimalToVaccine"').fetchall())
    assert rows == {(ids["rex"], ids["rabies"]), (ids["rex"], ids["tetanus"])}
    # Self-relation: A belongs to the field sorting first (friendOf), so b.zFriends = [a] is
    # stored as A=a, B=b, as Prisma Client writes it.
    assert result["friend_of_a"] == ["b"] and result["z_friends_of_b"] == ["a"]
    assert pg.execute('SELECT "A", "B" FROM "_Friends"').fetchall() == [(ids["a"], ids["b"])]
