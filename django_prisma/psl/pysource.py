"""Pieces of generated Python source: literals, call arguments, docstrings, model classes."""

from __future__ import annotations

from dataclasses import dataclass, field

from .ast import Block
from .codeformat import wrap


@dataclass
class ModelPlan:
    """One generated model class: its fields' source lines, Meta lines and the names chosen."""

    block: Block | None
    class_name: str
    table: str
    managed: bool = True
    docstring: str | None = None
    lines: list[str] = field(default_factory=list)
    meta: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # Prisma field -> Django field
    many_to_many: dict[str, str] = field(default_factory=dict)  # Prisma list field -> Django field
    related_names: dict[str, str] = field(default_factory=dict)  # Prisma relation field -> reverse
    notes: dict[str, list[str]] = field(default_factory=dict)  # Prisma field -> why it was renamed


def literal(value) -> str:
    """repr() with double-quoted strings, as ruff/black would write them."""
    if isinstance(value, str):
        text = repr(value)
        if text.startswith("'") and value.count('"') <= value.count("'"):
            return '"' + text[1:-1].replace("\\'", "'").replace('"', '\\"') + '"'
        return text
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    return repr(value)


def call_arguments(kwargs: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in kwargs.items())


def docstring(text: str) -> str:
    body = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').replace("\n", "\n    ")
    if "\n" in body:
        body += "\n    "
    body = "\n".join(line.rstrip() if line.strip() else "" for line in body.split("\n"))
    if body.endswith("\n"):
        body += "    "
    return f'"""{body}"""'


def render_model(plan: ModelPlan) -> str:
    lines = [f"class {plan.class_name}(models.Model):"]
    if plan.docstring:
        lines += [f"    {docstring(plan.docstring)}", ""]
    for line in plan.lines:
        lines += wrap(line, 4)
    if plan.meta:
        lines.append("")
        lines.append("    class Meta:")
    for line in plan.meta:
        lines += wrap(line, 8)
    return "\n".join(lines)
