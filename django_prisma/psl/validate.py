"""Semantic checks Prisma performs that a parser can see (unknown types, bad relations, ...)."""

from __future__ import annotations

from dataclasses import dataclass

from .ast import Block, Position, Schema
from .errors import PSLValidationError
from .native_types import native_types_for
from .relations import SCALAR_TYPES, relations

REMOVED_DATASOURCE_PROPERTIES = ("url", "directUrl", "shadowDatabaseUrl")


@dataclass(frozen=True)
class Diagnostic:
    message: str
    pos: Position

    def __str__(self) -> str:
        return f"{self.pos}: {self.message}"


def validate(schema: Schema, *, prisma7_datasource: bool = True) -> list[Diagnostic]:
    """Every problem found. `prisma7_datasource` flags connection URLs in the schema, as Prisma 7 does."""
    out: list[Diagnostic] = []
    out += _datasource_problems(schema, prisma7_datasource)
    out += _duplicate_names(schema)
    for block in schema.models + schema.composite_types:
        out += _field_type_problems(schema, block)
    for model in schema.models:
        if model.kind == "view":
            out += _view_problems(model)
        if not model.ignored:
            out += _relation_problems(schema, model)
    return out


def check(schema: Schema, **options) -> Schema:
    problems = validate(schema, **options)
    if problems:
        raise PSLValidationError(problems)
    return schema


def _datasource_problems(schema: Schema, prisma7: bool) -> list[Diagnostic]:
    out = []
    if len(schema.datasources) > 1:
        out.append(
            Diagnostic(
                "You defined more than one datasource. This is not allowed yet.",
                schema.datasources[1].pos,
            )
        )
    for source in schema.datasources:
        if "provider" not in source.properties:
            out.append(
                Diagnostic(
                    f'Argument "provider" is missing in data source block "{source.name}".',
                    source.pos,
                )
            )
        for prop in REMOVED_DATASOURCE_PROPERTIES if prisma7 else ():
            if prop in source.properties:
                out.append(
                    Diagnostic(
                        f"The datasource property `{prop}` is no longer supported in schema files.",
                        source.property_positions[prop],
                    )
                )
    return out


def _duplicate_names(schema: Schema) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    seen: dict[str, str] = {}  # block name -> the kind of the first block so named
    for block in schema.blocks:
        if block.name in seen:
            out.append(
                Diagnostic(
                    f'The {block.kind} "{block.name}" cannot be defined because a {seen[block.name]} with that name already exists.',
                    block.pos,
                )
            )
        seen.setdefault(block.name, block.kind)
        names: set[str] = set()
        for field in block.fields:
            if field.name in names:
                out.append(
                    Diagnostic(
                        f'Field "{field.name}" is already defined on {block.kind} "{block.name}".',
                        field.pos,
                    )
                )
            names.add(field.name)
    return out


def _field_type_problems(schema: Schema, block: Block) -> list[Diagnostic]:
    out = []
    known = {b.name for b in schema.blocks if b.kind != "view"} | {m.name for m in schema.models}
    provider = schema.provider
    allowed_native = native_types_for(provider)
    for field in block.fields:
        if field.type not in SCALAR_TYPES and field.type not in known:
            out.append(
                Diagnostic(
                    f'Type "{field.type}" is neither a built-in type, nor refers to another model, composite type, or enum.',
                    field.pos,
                )
            )
        native = field.native_type
        if native is not None and allowed_native is not None:
            type_name = native.name.split(".", 1)[1]
            if type_name not in allowed_native:
                out.append(
                    Diagnostic(
                        f"Native type {type_name} is not supported for {provider} connector.",
                        native.pos,
                    )
                )
    return out


def _view_problems(view: Block) -> list[Diagnostic]:
    if view.attribute("id") or any(f.attribute("id") for f in view.fields):
        return [Diagnostic("Error validating: Views cannot have primary keys.", view.pos)]
    return []


def _unique_field_sets(model: Block) -> list[set[str]]:
    from .dmmf import _field_names

    sets = [{f.name} for f in model.fields if f.attribute("unique") or f.attribute("id")]
    for attr in model.attributes_named("unique") + model.attributes_named("id"):
        sets.append(set(_field_names(attr.arg("fields", 0))))
    return sets


def _relation_problems(schema: Schema, model: Block) -> list[Diagnostic]:
    out = []
    for side in relations(schema, model):
        if side.target.ignored or side.field.attribute("ignore"):
            continue
        if side.back is None:
            out.append(
                Diagnostic(
                    f"Error validating field `{side.field.name}` in model `{model.name}`: The relation field "
                    f"`{side.field.name}` on model `{model.name}` is missing an opposite relation field on the "
                    f"model `{side.target.name}`. Either run `prisma format` or add it manually.",
                    side.field.pos,
                )
            )
            continue
        for name in side.fields:
            if model.field(name) is None:
                out.append(
                    Diagnostic(
                        f"The argument fields must refer only to existing fields. The following fields do not exist in this model: {name}",
                        side.field.pos,
                    )
                )
        if side.fields and not side.back.is_list and side.field.attribute("ignore") is None:
            if set(side.fields) not in _unique_field_sets(model):
                fields = ", ".join(f"`{f}`" for f in side.fields)
                out.append(
                    Diagnostic(
                        'Error parsing attribute "@relation": A one-to-one relation must use unique fields on the '
                        f"defining side. Either add an `@unique` attribute to the field {fields}, or change the "
                        "relation to one-to-many.",
                        side.field.pos,
                    )
                )
        if (
            not side.field.is_list
            and not side.back.is_list
            and not side.fields
            and not side.back.attribute("relation")
        ):
            out.append(
                Diagnostic(
                    f"The relation fields `{side.field.name}` on Model `{model.name}` and `{side.back.name}` on Model `{side.target.name}` do not provide the `fields` argument in the @relation attribute.",
                    side.field.pos,
                )
            )
    return out
