"""The `class Meta` lines of a generated model: table, view, unique constraints and indexes."""

from __future__ import annotations

import hashlib

from .ast import Block, Call
from .dmmf import _field_names
from .field_names import column
from .model_keys import column_names, django_primary_key, unique_attribute
from .providers import Provider
from .pysource import ModelPlan, literal

MAX_INDEX_NAME = 30  # Django's limit (models.E034)


def meta_lines(model: Block, plan: ModelPlan, foreign_keys: dict, provider: Provider) -> list[str]:
    """`foreign_keys`: the model's single-column relations by scalar field (Django indexes them)."""
    meta = [f"db_table = {literal(model.table_name)}"]
    max_identifier = provider.max_identifier_length
    schema_attr = model.attribute("schema")
    if schema_attr is not None:
        meta.append(
            f"# PostgreSQL schema {schema_attr.arg('name', 0)!r}: set search_path to reach it"
        )
    if not plan.managed:
        meta.append("managed = False  # a database view")
    constraints, indexes = [], []
    for attr in model.attributes_named("fulltext"):
        names = ", ".join(_field_names(attr.arg("fields", 0)))
        meta.append(f"# full-text index on {names}: Django has no full-text index; not created")
    for name in sorted(django_primary_key(model, set(plan.names)).single):
        # The primary key's own unique index (`@id @unique`, or a model without @id whose unique
        # field is Django's primary key): Prisma has it under its name, Django keeps it too.
        unique = unique_attribute(model, name)
        if unique is not None and name in plan.names:
            index = unique.arg("map") or prisma_default_name(
                model.table_name, [column(model.existing_field(name))], "_key", max_identifier
            )
            constraints.append(
                f"models.UniqueConstraint(fields={literal([plan.names[name]])}, name={literal(index)})"
            )
    for attr in model.attributes_named("unique"):
        fields = [plan.names.get(n, n) for n in _field_names(attr.arg("fields", 0))]
        if len(fields) < 2:
            continue
        prefixed = prefix_lengths(attr)
        if prefixed:
            meta.append(f"# unique key with {prefixed}: Django has no prefix keys; not created")
            continue
        name = attr.arg("map") or prisma_default_name(
            model.table_name, column_names(model, attr), "_key", max_identifier
        )
        constraints.append(
            f"models.UniqueConstraint(fields={literal(fields)}, name={literal(name)})"
        )
    for attr in model.attributes_named("index"):
        raw_fields = _field_names(attr.arg("fields", 0))
        if len(raw_fields) == 1 and raw_fields[0] in foreign_keys:
            continue  # Django indexes foreign keys itself
        if (attr.arg("map") or "").endswith("_like"):
            continue  # Django's own varchar_pattern_ops index for unique/indexed CharFields
        if any(n not in plan.names for n in raw_fields):
            meta.append(f"# index on {', '.join(raw_fields)}: involves unmapped fields")
            continue
        prefixed = prefix_lengths(attr)
        if prefixed:
            meta.append(f"# index with {prefixed}: Django has no prefix indexes; not created")
            continue
        descending = descending_fields(attr)
        fields = [("-" if n in descending else "") + plan.names[n] for n in raw_fields]
        name = attr.arg("map") or f"{model.table_name}_{'_'.join(column_names(model, attr))}_idx"
        if not name[0].isalpha():
            name = "ix" + name
        if len(name) > MAX_INDEX_NAME:
            digest = hashlib.sha1(name.encode()).hexdigest()[:8]
            name = f"{name[: MAX_INDEX_NAME - 9]}_{digest}"
        indexes.append(f"models.Index(fields={literal(fields)}, name={literal(name)})")
    if constraints:
        meta.append("constraints = [" + ", ".join(constraints) + ",]")
    if indexes:
        meta.append("indexes = [" + ", ".join(indexes) + ",]")
    return meta


def _field_calls(attr) -> list[Call]:
    value = attr.arg("fields", 0)
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, Call)]


def prefix_lengths(attr) -> str | None:
    """`url(length: 500)`: MySQL indexes only a prefix of such a column (always so for text)."""
    parts = [f"{c.name}(length: {c.arg('length')})" for c in _field_calls(attr) if c.arg("length")]
    return ", ".join(parts) or None


def descending_fields(attr) -> set[str]:
    return {c.name for c in _field_calls(attr) if getattr(c.arg("sort"), "name", None) == "Desc"}


def prisma_default_name(table: str, columns: list[str], suffix: str, limit: int) -> str:
    """Prisma's name for a constraint it is not given one for: `{table}_{columns}{suffix}`, the
    part before the suffix cut to fit the database's identifier length."""
    body = f"{table}_{'_'.join(columns)}"
    encoded = body.encode()
    if len(encoded) >= limit - len(suffix):
        body = encoded[: limit - len(suffix)].decode(errors="ignore")
    return body + suffix
