"""Model code from `/// @django` annotations (see `annotations`), for schemas written by `prismaschema`."""

from __future__ import annotations

from .annotations import ModelAnnotations, field_annotation, imports_for
from .ast import Block, Field


class AnnotatedCode:
    """Collects the imports the annotation expressions need while turning them into class-body lines."""

    def __init__(self, imports: set[str]):
        self.imports = imports

    def assignment(self, name: str, expression: str) -> str:
        self.imports.update(imports_for(expression))
        return f"{name} = {expression}"

    def field_line(self, f: Field) -> str | None:
        annotation = field_annotation(f.documentation, f.name)
        return self.assignment(*annotation) if annotation else None

    def model_lines(self, annotations: ModelAnnotations) -> list[str]:
        """Fields without a Prisma field of their own, then managers in their original order."""
        return [self.assignment(n, e) for n, e in annotations.fields + annotations.managers]

    def meta_lines(
        self, model: Block, annotations: ModelAnnotations, class_name: str, app_label: str | None
    ) -> list[str]:
        meta = annotations.meta
        assert meta is not None  # a model is annotated by its `@django Meta(…)` line
        lines = [self.assignment(k, v) for k, v in meta.items()]
        label = app_label or annotations.app_label
        if "db_table" not in meta and f"{label}_{class_name.lower()}" != model.table_name:
            # Django's default table name would not be the schema's (another app label, a new name).
            lines.insert(0, self.assignment("db_table", _quoted(model.table_name)))
        return lines


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
