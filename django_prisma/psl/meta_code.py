"""The `class Meta` lines of a generated model: table, view, unique constraints and indexes."""

from __future__ import annotations

import hashlib

from .ast import Block
from .dmmf import _field_names
from .model_keys import column_names
from .pysource import ModelPlan, literal

MAX_INDEX_NAME = 30  # Django's limit (models.E034)


def meta_lines(model: Block, plan: ModelPlan, foreign_keys: dict) -> list[str]:
    """`foreign_keys`: the model's single-column relations by scalar field (Django indexes them)."""
    meta = [f"db_table = {literal(model.table_name)}"]
    schema_attr = model.attribute("schema")
    if schema_attr is not None:
        meta.append(
            f"# PostgreSQL schema {schema_attr.arg('name', 0)!r}: set search_path to reach it"
        )
    if not plan.managed:
        meta.append("managed = False  # a database view")
    constraints, indexes = [], []
    for attr in model.attributes_named("unique"):
        fields = [plan.names.get(n, n) for n in _field_names(attr.arg("fields", 0))]
        if len(fields) < 2:
            continue
        name = attr.arg("map") or f"{model.table_name}_{'_'.join(column_names(model, attr))}_key"
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
        fields = [plan.names[n] for n in raw_fields]
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
