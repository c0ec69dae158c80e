"""The parser agrees with Prisma's own parse (DMMF) on every corpus file, and rejects what Prisma rejects."""

from __future__ import annotations

import json
import re

import pytest

from django_prisma.psl import parse_path, validate
from django_prisma.psl.dmmf import datamodel

from .corpus import CORPUS, corpus_files, file_params, invalid_files, valid_files

FIELD_KEYS = [
    "name", "kind", "isList", "isRequired", "isUnique", "isId", "isReadOnly", "hasDefaultValue", "type",
    "nativeType", "default", "dbName", "relationName", "relationFromFields", "relationToFields",
    "relationOnDelete", "relationOnUpdate", "isUpdatedAt",
]  # fmt: skip
MODEL_KEYS = ["name", "dbName", "schema", "primaryKey", "uniqueFields", "uniqueIndexes"]


def _normalise_default(value):
    # Prisma 5.22 (calcom's oracle) spells `uuid()` as "uuid(4)" and leaves cuid's version implicit.
    if isinstance(value, dict):
        if value["name"] == "uuid(4)":
            return {"name": "uuid", "args": [4]}
        if value["name"] == "cuid" and not value["args"]:
            return {"name": "cuid", "args": [1]}
    return value


def _fields(model: dict, with_native_types: bool) -> dict:
    out = {}
    for field in model["fields"]:
        entry = {k: field.get(k) for k in FIELD_KEYS}
        entry["default"] = _normalise_default(entry["default"])
        if not with_native_types:
            entry.pop("nativeType")
        out[field["name"]] = entry
    return out


def _index_key(index: dict):
    return (
        index["model"],
        index["type"],
        index["isDefinedOnField"],
        tuple(f["name"] for f in index["fields"]),
    )


@pytest.mark.parametrize("path", file_params(corpus_files()))
def test_every_corpus_file_parses(path):
    schema = parse_path(path)
    assert schema.blocks, f"{path.name}: no models, enums or types found"
    declared = len(re.findall(r"^\s*(model|view|enum|type)\s+\w+\s*\{", path.read_text(), re.M))
    assert len(schema.blocks) == declared


@pytest.mark.parametrize("path", file_params(valid_files()))
def test_parse_matches_prisma_dmmf(path):
    expected = json.loads(path.with_suffix(".dmmf.json").read_text())
    got = datamodel(parse_path(path))
    # Prisma 5.22's DMMF (the fall-back oracle for calcom) carries no native types.
    with_native = any(f.get("nativeType") for m in expected["models"] for f in m["fields"])
    expected_models = {m["name"]: m for m in expected["models"]}
    got_models = {m["name"]: m for m in got["models"]}
    assert sorted(got_models) == sorted(expected_models)
    for name, model in expected_models.items():
        mine = got_models[name]
        assert {k: mine.get(k) for k in MODEL_KEYS} == {k: model.get(k) for k in MODEL_KEYS}, name
        assert _fields(mine, with_native) == _fields(model, with_native), name
    assert [(e["name"], e["dbName"], e["values"]) for e in got["enums"]] == [
        (e["name"], e["dbName"], e["values"]) for e in expected["enums"]
    ]
    assert [t["name"] for t in got["types"]] == [t["name"] for t in expected["types"]]
    for mine, theirs in zip(got["types"], expected["types"], strict=True):
        assert _fields(mine, with_native) == _fields(theirs, with_native)
    assert sorted(map(_index_key, got["indexes"])) == sorted(map(_index_key, expected["indexes"]))


def _manifest_errors(name: str) -> list[str]:
    """The Prisma 7 errors MANIFEST.md lists for a file, preferring those after datasource normalisation."""
    text = (CORPUS / "MANIFEST.md").read_text()
    section = text.split(f"### {name}\n", 1)[1].split("\n### ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("- errors with Prisma 7")]
    lines.sort(key=lambda line: "normalised" not in line)
    messages = lines[0].split("): ", 1)[1].split(" | ")
    return [m for m in messages if m != "..."]


@pytest.mark.parametrize("path", file_params(invalid_files()))
def test_files_prisma_rejects_are_rejected_with_prisma_message(path):
    problems = [d.message for d in validate(parse_path(path), prisma7_datasource=False)]
    assert problems, f"{path.name} is invalid for Prisma but passed validation"
    for expected in _manifest_errors(path.name):
        assert any(expected in p for p in problems), (expected, problems[:3])


@pytest.mark.parametrize("path", file_params([p for p in valid_files() if p.stem != "calcom"]))
def test_valid_files_pass_validation(path):
    assert validate(parse_path(path), prisma7_datasource=False) == []


def test_calcom_is_rejected_like_prisma_7():
    if not (CORPUS / "calcom.prisma").exists():
        pytest.skip(f"PSL corpus not found at {CORPUS}")
    messages = [d.message for d in validate(parse_path(CORPUS / "calcom.prisma"))]
    assert "The datasource property `url` is no longer supported in schema files." in messages
    assert "Error validating: Views cannot have primary keys." in messages
