"""The `/// @django …` lines (see `annotations`) that record a Django model as migrations see it.

Everything comes from `ModelState.from_model` and Django's migration serializer, so the regenerated
models deconstruct exactly like the originals and `makemigrations` finds nothing to do.
"""

from __future__ import annotations

from django.db.migrations.serializer import serializer_factory
from django.db.migrations.state import ModelState

from .annotations import PREFIX
from .codeformat import double_quoted


def serialize(value) -> str:
    source, _imports = serializer_factory(value).serialize()
    return double_quoted(source)


class ModelAnnotator:
    def __init__(self, model):
        self.model = model
        self.state = ModelState.from_model(model)

    def field(self, name: str, prisma_name: str) -> str:
        expression = serialize(self.state.fields[name])
        return PREFIX + (expression if name == prisma_name else f"{name} = {expression}")

    def model_lines(self, written_fields: set[str]) -> list[str]:
        """Model-level lines; `written_fields` are the Django fields that have a Prisma field."""
        opts = self.model._meta
        options = ", ".join(
            f"{k}={serialize(v)}"
            for k, v in sorted(self.state.options.items())
            if not (k in ("indexes", "constraints") and not v)  # ModelState's defaults
        )
        lines = [f"model {opts.app_label}.{opts.object_name}", f"Meta({options})"]
        lines += [f"manager {name} = {serialize(m)}" for name, m in self.state.managers]
        lines += [
            f"field {name} = {serialize(f)}"
            for name, f in self.state.fields.items()
            if name not in written_fields
        ]
        return [PREFIX + line for line in lines]


def auto_created_line(through) -> str:
    m2m = next(
        f
        for f in through._meta.auto_created._meta.local_many_to_many
        if f.remote_field.through is through
    )
    opts = m2m.model._meta
    return f"{PREFIX}auto_created {opts.app_label}.{opts.object_name}.{m2m.name}"
