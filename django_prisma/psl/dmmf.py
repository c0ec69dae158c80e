"""The `datamodel` part of Prisma's DMMF, computed from a parsed schema (for comparison with Prisma)."""

from __future__ import annotations

from typing import Any

from .ast import Block, Call, Field, Ident, Schema
from .relations import SCALAR_TYPES, relations


def _dmmf_value(value):
    if isinstance(value, Ident):
        return value.name
    if isinstance(value, list):
        return [_dmmf_value(v) for v in value]
    return value


# Prisma 7 spells out the default version of these generators.
IMPLICIT_GENERATOR_ARGS = {"cuid": [1], "uuid": [4]}


def default_value(value, type_name: str = ""):
    if isinstance(value, Call):
        args = [_dmmf_value(a.value) for a in value.args]
        return {
            "name": value.name,
            "args": args or list(IMPLICIT_GENERATOR_ARGS.get(value.name, [])),
        }
    if type_name == "BigInt" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if type_name == "Decimal" and isinstance(value, str):
        number = float(value)
        return int(number) if number.is_integer() else number
    return _dmmf_value(value)


def single_field_ids(block: Block) -> set[str]:
    names = {f.name for f in block.fields if f.attribute("id") is not None}
    pk = block.attribute("id")
    if pk is not None and len(_field_names(pk.arg("fields", 0))) == 1:
        names.update(_field_names(pk.arg("fields", 0)))
    return names


def single_field_uniques(block: Block) -> set[str]:
    names = {f.name for f in block.fields if f.attribute("unique") is not None}
    for attr in block.attributes_named("unique"):
        fields = _field_names(attr.arg("fields", 0))
        if len(fields) == 1:
            names.update(fields)
    return names


def _field_names(value) -> list[str]:
    if isinstance(value, (Ident, Call)):
        value = [value]
    if not isinstance(value, list):
        return []
    return [item.name for item in value if isinstance(item, (Ident, Call))]


def _kind(schema: Schema, field: Field) -> str:
    if field.type in SCALAR_TYPES:
        return "scalar"
    if schema.enum(field.type):
        return "enum"
    return "object"


def _visible(field: Field) -> bool:
    return field.unsupported is None and field.attribute("ignore") is None


def _field(
    schema: Schema, model: Block, field: Field, relation, read_only: set[str], with_flags: bool
):
    ids, uniques = single_field_ids(model), single_field_uniques(model)
    out = {
        "name": field.name,
        "kind": _kind(schema, field),
        "isList": field.is_list,
        "isRequired": not field.optional,
        "isUnique": field.name in uniques and field.name not in ids,
        "isId": field.name in ids,
        "isReadOnly": field.name in read_only,
        "hasDefaultValue": field.attribute("default") is not None,
        "type": field.type,
    }
    map_attr = field.attribute("map")
    if map_attr is not None:
        out["dbName"] = map_attr.arg("name", 0)
    native = field.native_type
    out["nativeType"] = (
        [native.name.split(".", 1)[1], [_native_arg(a.value) for a in native.args]]
        if native
        else None
    )
    default = field.attribute("default")
    if default is not None:
        out["default"] = default_value(default.arg("value", 0), field.type)
    if relation is not None:
        out["relationName"] = relation.name
        out["relationFromFields"] = relation.fields
        out["relationToFields"] = relation.references
        if relation.on_delete:
            out["relationOnDelete"] = relation.on_delete
        if relation.on_update:
            out["relationOnUpdate"] = relation.on_update
    if with_flags:
        out["isGenerated"] = False
        out["isUpdatedAt"] = field.attribute("updatedAt") is not None
    if field.documentation:
        out["documentation"] = field.documentation
    return out


def _native_arg(value) -> str:
    if isinstance(value, Ident):
        return value.name
    return str(value)


def _block(schema: Schema, block: Block, is_model: bool) -> dict:
    related = {r.field.name: r for r in relations(schema, block)} if is_model else {}
    read_only = {name for r in related.values() for name in r.fields}
    fields = [
        _field(schema, block, f, related.get(f.name), read_only, is_model)
        for f in block.fields
        if _visible(f)
    ]
    out: dict[str, Any] = {
        "name": block.name,
        "dbName": block.db_name,
        "schema": None,
        "fields": fields,
    }
    schema_attr = block.attribute("schema")
    if schema_attr is not None:
        out["schema"] = schema_attr.arg("name", 0)
    pk = block.attribute("id")
    out["primaryKey"] = (
        {"name": pk.arg("name"), "fields": _field_names(pk.arg("fields", 0))}
        if pk is not None
        else None
    )
    uniques = block.attributes_named("unique")
    out["uniqueFields"] = [_field_names(u.arg("fields", 0)) for u in uniques]
    out["uniqueIndexes"] = [
        {"name": u.arg("name"), "fields": _field_names(u.arg("fields", 0))} for u in uniques
    ]
    if is_model:
        out["isGenerated"] = False
    if block.documentation:
        out["documentation"] = block.documentation
    return out


def _enum(block: Block) -> dict:
    values = []
    for value in block.values:
        values.append({"name": value.name, "dbName": value.db_name})
        if value.documentation:
            values[-1]["documentation"] = value.documentation
    out = {"name": block.name, "values": values, "dbName": block.db_name}
    if block.documentation:
        out["documentation"] = block.documentation
    return out


# The DMMF's index type of each block attribute that declares an index.
INDEX_TYPES = {"id": "id", "unique": "unique", "index": "normal", "fulltext": "fulltext"}


def _indexes(block: Block) -> list[dict]:
    out = []
    for field in block.fields:
        if not _visible(field):
            continue
        for kind in ("id", "unique"):
            if field.attribute(kind) is not None:
                out.append(
                    {
                        "model": block.name,
                        "type": kind,
                        "isDefinedOnField": True,
                        "fields": [{"name": field.name}],
                    }
                )
    for attr in block.attributes:
        index_type = INDEX_TYPES.get(attr.name)
        if index_type:
            names = _field_names(attr.arg("fields", 0))
            out.append(
                {
                    "model": block.name,
                    "type": index_type,
                    "isDefinedOnField": False,
                    "fields": [{"name": n} for n in names],
                }
            )
    return out


def datamodel(schema: Schema) -> dict:
    models = [m for m in schema.models if not m.ignored]
    return {
        "enums": [_enum(e) for e in schema.enums],
        "models": [_block(schema, m, True) for m in models],
        "types": [_block(schema, t, False) for t in schema.composite_types],
        "indexes": [i for m in models for i in _indexes(m)],
    }
