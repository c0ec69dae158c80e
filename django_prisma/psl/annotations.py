"""`/// @django …` documentation lines: the Django specifics a Prisma schema cannot express.

`prismaschema` writes them and the schema -> models generator honours them, so Django -> schema ->
Django is lossless for everything `makemigrations` compares. Expressions are Python, exactly as Django's
migration writer serializes them (`models.X` is `django.db.models.X`; other names are dotted paths).

On a model:
    /// @django model auth.User                      app label and class name
    /// @django Meta(verbose_name="user", ...)       the Meta options the model declares (may be empty)
    /// @django manager objects = <expression>       a manager migrations record, in order
    /// @django field groups = <expression>          a Django field with no Prisma field of its own
                                                     (ManyToManyField, CompositePrimaryKey)
    /// @django auto_created auth.User.groups        a join table Django creates for that
                                                     ManyToManyField: not generated as a model
On a field:
    /// @django <expression>                         the field, e.g. models.EmailField(max_length=254)
    /// @django user = <expression>                  a field with another Django name: a foreign key
                                                     sits on its column's scalar (`user_id`), whose
                                                     comment `prisma db pull` keeps
"""

from __future__ import annotations

import ast
import builtins
import importlib.util
from dataclasses import dataclass, field

PREFIX = "@django "


@dataclass
class ModelAnnotations:
    app_label: str | None = None
    class_name: str | None = None
    meta: dict[str, str] | None = None  # option -> Python source of its value
    managers: list[tuple[str, str]] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)
    auto_created: str | None = None


def split_documentation(documentation: str | None) -> tuple[list[str], str | None]:
    """The `@django` annotations (without the prefix) and the rest of the documentation."""
    annotations, rest = [], []
    for line in (documentation or "").splitlines():
        if line.startswith(PREFIX):
            annotations.append(line[len(PREFIX) :].strip())
        else:
            rest.append(line)
    return annotations, "\n".join(rest).strip() or None


def field_annotation(documentation: str | None, prisma_name: str) -> tuple[str, str] | None:
    """(Django field name, expression) from a field's documentation, if annotated."""
    annotations, _ = split_documentation(documentation)
    if not annotations:
        return None
    name, separator, expression = annotations[0].partition("=")
    if separator and name.strip().isidentifier() and not expression.startswith("="):
        return name.strip(), expression.strip()
    return prisma_name, annotations[0]


def model_annotations(documentation: str | None) -> ModelAnnotations:
    result = ModelAnnotations()
    for line in split_documentation(documentation)[0]:
        keyword, _, rest = line.partition(" ")
        if keyword == "model":
            result.app_label, _, result.class_name = rest.strip().rpartition(".")
        elif keyword.startswith("Meta("):
            result.meta = meta_options(line)
        elif keyword in ("manager", "field"):
            name, _, expression = rest.partition("=")
            target = result.managers if keyword == "manager" else result.fields
            target.append((name.strip(), expression.strip()))
        elif keyword == "auto_created":
            result.auto_created = rest.strip()
    return result


def meta_options(source: str) -> dict[str, str]:
    """`Meta(a=1, b="x")` -> {"a": "1", "b": '"x"'}, values as written."""
    call = ast.parse(source, mode="eval").body
    if not isinstance(call, ast.Call):
        raise ValueError(f"expected Meta(option=value, …), got {source!r}")
    options = {}
    for keyword in call.keywords:
        # A parsed node always has its position, so only **options has no written value.
        value = ast.get_source_segment(source, keyword.value)
        if keyword.arg is None or value is None:
            raise ValueError(f"expected Meta(option=value, …), got {source!r}")
        options[keyword.arg] = value
    return options


def imports_for(expression: str) -> set[str]:
    """The import statements the dotted names in a serialized expression need."""
    tree = ast.parse(expression, mode="eval")
    inner = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    imports = set()
    for node in ast.walk(tree):
        if id(node) in inner or not isinstance(node, (ast.Attribute, ast.Name)):
            continue
        dotted = _dotted(node)
        if dotted and not (dotted.isidentifier() and hasattr(builtins, dotted)):
            imports.add(_import_for(dotted))
    return imports


def _dotted(node) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def _import_for(dotted: str) -> str:
    root = dotted.split(".", 1)[0]
    if root == "models":
        return "from django.db import models"
    if root == "settings":
        return "from django.conf import settings"
    parts = dotted.split(".")
    module = root
    for end in range(len(parts) - 1, 1, -1):
        candidate = ".".join(parts[:end])
        if _is_module(candidate):
            module = candidate
            break
    return f"import {module}"


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False
