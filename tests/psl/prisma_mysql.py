"""The tables Prisma's schema engine creates for a `provider = "mysql"` schema, as SQL.

Prisma's schema engine for MySQL is a native binary that cannot be installed offline (its WASM
build, in ../shared/prisma-oracle, has PostgreSQL only: "Unsupported adapter provider: Mysql"), so
this renders the DDL of `prisma migrate diff --from-empty --to-schema schema.prisma --script`
following prisma-engines' own rules, on purpose written apart from django_prisma's type mapping:
- column types: psl's MySQL connector (`SCALAR_TYPE_DEFAULTS`: String VARCHAR(191), DateTime
  DATETIME(3), Float DOUBLE, Decimal DECIMAL(65,30), Boolean BOOLEAN, Bytes LONGBLOB, Json JSON)
  and the MySQL renderer's `render_column_type` (an enum is an inline ENUM of its database values);
- defaults (`render_default`): none for JSON and binary columns nor for Prisma-level functions
  (uuid(), cuid(), ...); now() is CURRENT_TIMESTAMP(precision, else 3);
- keys: @id / @@id the primary key; @unique, @@unique (`_key`), @@index (`_idx`) and @@fulltext
  (`_idx`) inline, with prefix lengths and sort orders; foreign keys (`_fkey`, ON DELETE as written
  or RESTRICT / SET NULL for optional ones, ON UPDATE CASCADE) only with relationMode foreignKeys;
- implicit many-to-many tables `_Relation`: columns A and B typed as each side's @id, a UNIQUE
  index `_AB_unique` (no primary key on MySQL), an index `_B_index`, cascading foreign keys.
"""

from __future__ import annotations

from django_prisma.psl.ast import Block, Call, Field, Ident, Schema
from django_prisma.psl.dmmf import _field_names
from django_prisma.psl.relations import implicit_many_to_many, relations

DEFAULTS = {
    "String": "VARCHAR(191)",
    "Int": "INTEGER",
    "BigInt": "BIGINT",
    "Float": "DOUBLE",
    "Decimal": "DECIMAL(65, 30)",
    "Boolean": "BOOLEAN",
    "DateTime": "DATETIME(3)",
    "Bytes": "LONGBLOB",
    "Json": "JSON",
}
RENAMED = {"Int": "INTEGER"}
ACTIONS = {
    "Cascade": "CASCADE",
    "Restrict": "RESTRICT",
    "NoAction": "NO ACTION",
    "SetNull": "SET NULL",
    "SetDefault": "SET DEFAULT",
}
MAX_IDENTIFIER = 64


def q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def column(f: Field) -> str:
    mapped = f.attribute("map")
    return mapped.arg("name", 0) if mapped else f.name


def _native(f: Field) -> tuple[str | None, list]:
    attr = f.native_type
    if attr is None:
        return None, []
    return attr.name.split(".", 1)[1], [a.value for a in attr.args]


def column_type(schema: Schema, f: Field) -> str:
    enum = schema.enum(f.type)
    if enum is not None:
        return "ENUM(" + ", ".join(string(v.db_name or v.name) for v in enum.values) + ")"
    if f.unsupported is not None:
        return f.unsupported
    kind, args = _native(f)
    if kind is None:
        return DEFAULTS[f.type]
    if kind == "TinyInt" and f.type == "Boolean":
        return "BOOLEAN"
    if kind.startswith("Unsigned"):
        return RENAMED.get(kind[8:], kind[8:].upper()) + " UNSIGNED"
    rendered = RENAMED.get(kind, kind.upper())
    return rendered + (f"({', '.join(map(str, args))})" if args else "")


def _precision(f: Field) -> int:
    kind, args = _native(f)
    return args[0] if kind in ("DateTime", "Timestamp", "Time") and args else 3


def default_sql(schema: Schema, f: Field) -> str | None:
    attr = f.attribute("default")
    if attr is None:
        return None
    value = attr.arg("value", 0)
    if isinstance(value, Call):
        if value.name == "now":
            return f"CURRENT_TIMESTAMP({_precision(f)})"
        if value.name == "dbgenerated" and value.args:
            return str(value.args[0].value)
        return None  # autoincrement() is AUTO_INCREMENT; uuid(), cuid()... are Prisma Client's
    if f.type in ("Json", "Bytes"):
        return None
    enum = schema.enum(f.type)
    if enum is not None and isinstance(value, Ident):
        member = next(v for v in enum.values if v.name == value.name)
        return string(member.db_name or member.name)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return string(value)
    return str(value)


def _is_autoincrement(f: Field) -> bool:
    attr = f.attribute("default")
    value = attr.arg("value", 0) if attr else None
    return isinstance(value, Call) and value.name == "autoincrement"


def _column_sql(schema: Schema, f: Field) -> str:
    parts = [q(column(f)), column_type(schema, f), "NULL" if f.optional else "NOT NULL"]
    default = default_sql(schema, f)
    if default is not None:
        parts.append(f"DEFAULT {default}")
    if _is_autoincrement(f):
        parts.append("AUTO_INCREMENT")
    return " ".join(parts)


def _key_columns(model: Block, attr) -> list[str]:
    """`col`, `col(20)`, `col DESC` for each field of an index attribute."""
    value = attr.arg("fields", 0)
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        f = model.field(item.name)
        text = q(column(f))
        if isinstance(item, Call):
            if item.arg("length"):
                text += f"({item.arg('length')})"
            sort = item.arg("sort")
            if isinstance(sort, Ident):
                text += f" {sort.name.upper()}"
        out.append(text)
    return out


def _name(model: Block, fields: list[str], suffix: str) -> str:
    """psl's ConstraintNames: `{table}_{columns}`, cut to leave room for `_{suffix}` in 64 bytes."""
    body = f"{model.table_name}_{'_'.join(column(model.field(n)) for n in fields)}"
    if len(body) >= MAX_IDENTIFIER - len(suffix) - 1:
        body = body[: MAX_IDENTIFIER - len(suffix) - 1]
    return f"{body}_{suffix}"


def scalar_fields(schema: Schema, model: Block) -> list[Field]:
    return [f for f in model.fields if schema.model(f.type) is None]


def primary_key(model: Block) -> list[str]:
    ids = [f.name for f in model.fields if f.attribute("id") is not None]
    attr = model.attribute("id")
    return ids or (_field_names(attr.arg("fields", 0)) if attr else [])


def create_table(schema: Schema, model: Block) -> str:
    lines = [_column_sql(schema, f) for f in scalar_fields(schema, model)]
    for f in scalar_fields(schema, model):
        if f.attribute("unique") is not None:
            name = f.attribute("unique").arg("map") or _name(model, [f.name], "key")
            lines.append(f"UNIQUE INDEX {q(name)}({q(column(f))})")
    for kind, sql, suffix in (
        ("unique", "UNIQUE INDEX", "key"),
        ("index", "INDEX", "idx"),
        ("fulltext", "FULLTEXT INDEX", "idx"),
    ):
        for attr in model.attributes_named(kind):
            name = attr.arg("map") or _name(model, _field_names(attr.arg("fields", 0)), suffix)
            lines.append(f"{sql} {q(name)}({', '.join(_key_columns(model, attr))})")
    keys = primary_key(model)
    if keys:
        lines.append(f"PRIMARY KEY ({', '.join(q(column(model.field(k))) for k in keys)})")
    body = ",\n    ".join(lines)
    return (
        f"CREATE TABLE {q(model.table_name)} (\n    {body}\n) "
        "DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
    )


def foreign_keys(schema: Schema, model: Block) -> list[str]:
    out = []
    for side in relations(schema, model):
        if not side.fields or side.target.kind != "model":
            continue
        optional = any(model.field(n).optional for n in side.fields)
        on_delete = side.on_delete or ("SetNull" if optional else "Restrict")
        name = side.constraint_name or _name(model, side.fields, "fkey")
        columns = ", ".join(q(column(model.field(n))) for n in side.fields)
        referenced = ", ".join(q(column(side.target.field(n))) for n in side.references)
        out.append(
            f"ALTER TABLE {q(model.table_name)} ADD CONSTRAINT {q(name)} FOREIGN KEY ({columns}) "
            f"REFERENCES {q(side.target.table_name)}({referenced}) "
            f"ON DELETE {ACTIONS[on_delete]} ON UPDATE {ACTIONS[side.on_update or 'Cascade']};"
        )
    return out


def link_tables(schema: Schema, models: list[Block], with_foreign_keys: bool) -> list[str]:
    out = []
    for m2m in implicit_many_to_many(schema, models):
        table = m2m.table
        a_key = m2m.a.model.field(primary_key(m2m.a.model)[0])
        b_key = m2m.b.model.field(primary_key(m2m.b.model)[0])
        out.append(
            f"CREATE TABLE {q(table)} (\n"
            f"    `A` {column_type(schema, a_key)} NOT NULL,\n"
            f"    `B` {column_type(schema, b_key)} NOT NULL,\n"
            f"    UNIQUE INDEX {q(table + '_AB_unique')}(`A`, `B`),\n"
            f"    INDEX {q(table + '_B_index')}(`B`)\n"
            ") DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
        )
        if with_foreign_keys:
            for name, side in (("A", m2m.a), ("B", m2m.b)):
                key = column(side.model.field(primary_key(side.model)[0]))
                out.append(
                    f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(f'{table}_{name}_fkey')} "
                    f"FOREIGN KEY (`{name}`) REFERENCES {q(side.model.table_name)}({q(key)}) "
                    "ON DELETE CASCADE ON UPDATE CASCADE;"
                )
    return out


def migration_sql(schema: Schema) -> str:
    """The whole migration from an empty database, tables first, foreign keys after."""
    models = [m for m in schema.models if m.kind == "model" and not m.ignored]
    with_foreign_keys = schema.relation_mode != "prisma"
    statements = [create_table(schema, m) for m in models]
    statements += link_tables(schema, models, with_foreign_keys)
    if with_foreign_keys:
        statements += [sql for m in models for sql in foreign_keys(schema, m)]
    return "\n\n".join(statements) + "\n"
