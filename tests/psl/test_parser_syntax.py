"""Parser details: values, comments, multi-file schemas and error positions."""

from __future__ import annotations

import pytest

from django_prisma.psl import Call, Ident, PSLSyntaxError, parse_path, parse_schema

SCHEMA = r"""
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

/// A person.
/// Two lines.
model User {
  id    Int     @id @default(autoincrement())
  name  String? @db.VarChar(200) /// trailing doc
  tags  String[] @default(["a", "b\"c\\d\n"])
  geom  Unsupported("geometry(Point, 4326)")?
  uid   String  @default(dbgenerated("gen_random_uuid()")) @db.Uuid
  score Decimal @default(1.50) @db.Decimal(10, 2)
  neg   Int     @default(-3)

  @@index([name(sort: Desc, ops: raw("gin_trgm_ops"))], type: Gin, map: "idx")
  @@map("users")
}

enum Role {
  ADMIN @map("adm")
  USER
  @@map("roles")
}

view Report {
  userId Int @unique
}

type Address {
  street String
}
"""


def test_values_and_modifiers():
    schema = parse_schema(SCHEMA)
    user = schema.model("User")
    assert user.documentation == "A person.\nTwo lines."
    assert user.db_name == "users"
    name = user.field("name")
    assert (name.optional, name.is_list, name.documentation) == (True, False, "trailing doc")
    assert name.native_type.name == "db.VarChar" and name.native_type.arg("x", 0) == 200
    tags = user.field("tags")
    assert tags.is_list and tags.attribute("default").arg("value", 0) == ["a", 'b"c\\d\n']
    geom = user.field("geom")
    assert geom.unsupported == "geometry(Point, 4326)" and geom.optional
    default = user.field("uid").attribute("default").arg("value", 0)
    assert (
        default == Call("dbgenerated", default.args)
        and default.args[0].value == "gen_random_uuid()"
    )
    assert user.field("score").attribute("default").arg("v", 0) == 1.5
    assert user.field("neg").attribute("default").arg("v", 0) == -3
    index = user.attribute("index")
    column = index.arg("fields", 0)[0]
    assert column.name == "name" and column.arg("sort") == Ident("Desc")
    assert column.arg("ops") == Call("raw", column.arg("ops").args)
    assert index.arg("type") == Ident("Gin") and index.arg("map") == "idx"
    assert schema.datasources[0].properties["url"] == Call(
        "env", schema.datasources[0].properties["url"].args
    )
    role = schema.enum("Role")
    assert [(v.name, v.db_name) for v in role.values] == [("ADMIN", "adm"), ("USER", None)]
    assert role.db_name == "roles"
    assert schema.model("Report").kind == "view"
    assert schema.composite_type("Address").field("street").type == "String"


@pytest.mark.parametrize(
    "text, line, column, fragment",
    [
        ("model A {\n  id Int @id\n  name\n}\n", 3, 3, "has no type"),
        ("model A {\n  id Int @id\n", 3, 1, "end of file"),
        ('model A {\n  id String @default("abc)\n}\n', 2, 22, "unterminated string"),
        ("model A {\n  id Int @id(\n}\n", 3, 1, "expected a value"),
        ("modle A {\n}\n", 1, 1, "expected a model"),
        ("model A {\n  id Int @id junk\n}\n", 2, 14, "attributes start with '@'"),
        ("model A {\n  id Int[]?\n}\n", 2, 11, "optional lists"),
        ('datasource db {\n  provider "x"\n}\n', 2, 12, "'=' after property"),
    ],
)
def test_syntax_errors_name_file_line_and_column(text, line, column, fragment):
    with pytest.raises(PSLSyntaxError) as info:
        parse_schema(text, "bad.prisma")
    error = info.value
    assert (error.file, error.line, error.column) == ("bad.prisma", line, column), str(error)
    assert fragment in error.message
    assert str(error).startswith(f"bad.prisma:{line}:{column}: ")


def test_block_comments_and_doc_comment_gaps():
    schema = parse_schema(
        "/** block\n comment */\n///\n/// dropped\n\n/// kept\nmodel A {\n  id Int @id\n}\n"
    )
    assert schema.model("A").documentation == "kept"


def test_multi_file_schema_folder(tmp_path):
    (tmp_path / "schema.prisma").write_text('datasource db {\n  provider = "postgresql"\n}\n')
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "user.prisma").write_text(
        "model User {\n  id Int @id\n  posts Post[]\n}\n"
    )
    (tmp_path / "models" / "post.prisma").write_text(
        "model Post {\n  id Int @id\n  userId Int\n  user User @relation(fields: [userId], references: [id])\n}\n"
    )
    schema = parse_path(tmp_path)
    assert sorted(m.name for m in schema.models) == ["Post", "User"]
    assert schema.provider == "postgresql"
    assert schema.model("Post").pos.file.endswith("post.prisma")
    (tmp_path / "models" / "broken.prisma").write_text("model {\n}\n")
    with pytest.raises(PSLSyntaxError, match=r"broken\.prisma:1:7"):
        parse_path(tmp_path)


def test_existing_field_names_a_missing_field():
    model = parse_schema("model User {\n  id Int @id\n}\n").model("User")
    assert model is not None
    assert model.existing_field("id").name == "id"
    with pytest.raises(KeyError, match="model User has no field 'email'"):
        model.existing_field("email")
