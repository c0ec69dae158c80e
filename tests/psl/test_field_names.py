"""Generated attribute names follow Django's conventions: snake_case from the columns, like inspectdb."""

from __future__ import annotations

import keyword

import pytest

from django_prisma.psl import parse_schema
from django_prisma.psl.naming import MODEL_ATTRIBUTES, snake_case
from django_prisma.psl.schema_to_models import generate_models

from .django_project import migration_tables, run_django, write_app


@pytest.mark.parametrize(
    "name, expected",
    [
        ("fullName", "full_name"),
        ("full_name", "full_name"),
        ("userID", "user_id"),
        ("HTMLBody", "html_body"),
        ("oauth2Token", "oauth2_token"),
        ("A", "a"),
        ("id", "id"),
        ("EMAIL_ADDR", "email_addr"),
    ],
)
def test_snake_case(name, expected):
    assert snake_case(name) == expected


MODEL_ATTRIBUTE_NAMES = """
from django.db import models
result = sorted(n for n in dir(models.Model) if not n.startswith("_"))
"""


def test_every_public_model_attribute_is_reserved(tmp_path):
    names = run_django(tmp_path, MODEL_ATTRIBUTE_NAMES, [])
    assert set(names) <= MODEL_ATTRIBUTES, set(names) - MODEL_ATTRIBUTES


SCHEMA = """
datasource db {
  provider = "postgresql"
}

model Author {
  id            Int     @id @default(autoincrement())
  fullName      String  @map("full_name")
  nickName      String?
  full_name_alt String  @map("fullNameAlt")
  email         String  @map("EMAIL_ADDR")
  authored_posts Int    @default(0)
  posts         Post[]  @relation("written")
  authoredPosts Post[]  @relation("edited")
  objects       Post[]  @relation("reviewed")
}

model Post {
  postId     Int     @id @default(autoincrement()) @map("post_id")
  class      String
  save       Int     @default(0)
  pk         Int     @default(0)
  id_        String? @map("id")
  legacyId   Int?    @map("ID")
  writerId   Int     @map("writer_id")
  writer     Author  @relation("written", fields: [writerId], references: [id])
  editorId   Int
  editor     Author  @relation("edited", fields: [editorId], references: [id])
  reviewer   String
  reviewerId Int     @map("reviewer_id")
  reviewedBy Author  @relation("reviewed", fields: [reviewerId], references: [id])

  @@map("posts")
}
"""


def test_names_from_columns_in_snake_case():
    source = generate_models(parse_schema(SCHEMA))
    assert "    full_name = models.TextField()\n" in source
    assert '    nick_name = models.TextField(null=True, blank=True, db_column="nickName")' in source
    assert '    full_name_alt = models.TextField(db_column="fullNameAlt")' in source
    assert '    email_addr = models.TextField(db_column="EMAIL_ADDR")' in source
    # Foreign keys are named from their column without `_id`, with the related_name in snake_case.
    assert (
        'writer = models.ForeignKey("Author", on_delete=models.PROTECT, related_name="posts")'
        in source
    )
    assert 'related_name="authored_posts_set", db_column="editorId"' in source


def test_renames_are_explained():
    source = generate_models(parse_schema(SCHEMA))
    assert "    # 'class' is a Python keyword: named 'class_field'\n" in source
    assert '    class_field = models.TextField(db_column="class")' in source
    assert "    # 'save' is an attribute every Django model has: named 'save_field'\n" in source
    assert "    # 'pk' is an attribute every Django model has: named 'pk_field'\n" in source
    assert "    # 'id' is only allowed on a primary key: named 'id_field'\n" in source
    assert '    id_field = models.TextField(null=True, blank=True, db_column="id")' in source
    # Column "ID" converts to `id` as well: the next free name, with the reason.
    assert "    # 'id_field' is taken by another field: named 'id_field_2'\n" in source
    # `reviewer` is a column of its own, so the foreign key over reviewer_id gets the next name,
    # whose `_id` attname is free too.
    assert "    # 'reviewer' is taken by another field: named 'reviewer_2'\n" in source
    assert 'reviewer_2 = models.ForeignKey(\n        "Author",' in source
    assert 'related_name="objects_field", db_column="reviewer_id"' in source


def test_renamed_models_migrate_to_the_schema_columns(tmp_path):
    """`check` passes (no field or reverse-accessor clash) and every column is there exactly once."""
    write_app(tmp_path, "names", generate_models(parse_schema(SCHEMA)))
    tables = migration_tables(tmp_path, "names")
    assert sorted(tables["Author"]) == sorted(
        ["id", "full_name", "nickName", "fullNameAlt", "EMAIL_ADDR", "authored_posts"]
    )
    assert sorted(tables["posts"]) == sorted(
        [
            "post_id",
            "id",
            "class",
            "save",
            "pk",
            "ID",
            "writer_id",
            "editorId",
            "reviewer",
            "reviewer_id",
        ]
    )


def test_keep_prisma_names_still_renames_what_python_or_django_refuse():
    source = generate_models(parse_schema(SCHEMA), keep_prisma_names=True)
    assert '    fullName = models.TextField(db_column="full_name")' in source
    assert "    nickName = models.TextField(null=True, blank=True)" in source
    assert '    class_field = models.TextField(db_column="class")' in source
    assert not any(keyword.iskeyword(line.split(" = ")[0].strip()) for line in source.splitlines())
