"""Which fields identify a model's rows: its @id, else a unique key; Django needs one."""

from __future__ import annotations

from dataclasses import dataclass

from .ast import Block, Call, Field
from .dmmf import _field_names
from .field_names import column


def primary_key_fields(model: Block) -> list[str]:
    ids = [f.name for f in model.fields if f.attribute("id") is not None]
    if ids:
        return ids[:1]
    attr = model.attribute("id")
    return _field_names(attr.arg("fields", 0)) if attr else []


def is_key(model: Block, f: Field) -> bool:
    keys = primary_key_fields(model) or fallback_key(model)
    return f.name in keys or (not keys and model.kind == "view")


def fallback_key(model: Block) -> list[str]:
    for f in model.fields:
        if f.attribute("unique") is not None and f.unsupported is None:
            return [f.name]
    for attr in model.attributes_named("unique"):
        return _field_names(attr.arg("fields", 0))
    return []


def single_unique(model: Block, name: str) -> bool:
    return any(_field_names(a.arg("fields", 0)) == [name] for a in model.attributes_named("unique"))


def unique_attribute(model: Block, name: str):
    """The `@unique` on the field, or the `@@unique([field])` of the model, if any."""
    f = model.field(name)
    if f is not None and f.attribute("unique") is not None:
        return f.attribute("unique")
    return next(
        (a for a in model.attributes_named("unique") if _field_names(a.arg("fields", 0)) == [name]),
        None,
    )


def has_autoincrement_default(f: Field) -> bool:
    default = f.attribute("default")
    value = default.arg("value", 0) if default else None
    return isinstance(value, Call) and value.name in ("autoincrement", "sequence")


def is_auto_key(model: Block, f: Field) -> bool:
    """Whether Django maps the field to an AutoField: the model's sole @id, autoincremented."""
    return has_autoincrement_default(f) and primary_key_fields(model) == [f.name] and not f.is_list


def indexed_alone(model: Block, name: str) -> bool:
    """Whether an `@@index` covers exactly this one field."""
    return any(_field_names(a.arg("fields", 0)) == [name] for a in model.attributes_named("index"))


def column_names(model: Block, attr) -> list[str]:
    out = []
    for name in _field_names(attr.arg("fields", 0)):
        f = model.field(name)
        out.append(column(f) if f else name)
    return out


@dataclass
class PrimaryKey:
    """Django's primary key for a model: one field (`single`) or a CompositePrimaryKey."""

    single: set[str]  # the Prisma field that becomes `primary_key=True` (empty or one)
    composite: list[str]  # the Prisma fields of a CompositePrimaryKey (empty or two and more)
    comment: str | None = None  # why the key is not the schema's @id, when it is not


def django_primary_key(model: Block, mapped: set[str]) -> PrimaryKey:
    """The @id or @@id; else the first unique key; else, for a view, `id` or its first mapped field
    (`mapped`: the Prisma fields that have a Django field)."""
    declared = primary_key_fields(model)
    if declared:
        return PrimaryKey(set(), declared) if len(declared) > 1 else PrimaryKey(set(declared), [])
    fallback = fallback_key(model)
    if fallback:
        comment = f"# {model.kind} has no @id: its unique key serves as Django's primary key"
        if len(fallback) > 1:
            return PrimaryKey(set(), fallback, comment)
        return PrimaryKey(set(fallback), [], comment)
    if model.kind == "view":
        candidates = [f for f in model.fields if f.name in mapped and not f.is_list]
        preferred = [f for f in candidates if f.name == "id"] or candidates
        if preferred:
            name = preferred[0].name
            return PrimaryKey(
                {name},
                [],
                f"# view has no unique key: Django needs a primary key, {name!r} stands in",
            )
    return PrimaryKey(set(), [])
