"""Django models -> schema.prisma.

Django's field names become Prisma's (a foreign key `content_type` is the relation field over the scalar
`content_type_id`), so `prisma db pull` into this schema keeps Django's names. Tables and columns are
kept with `@@map`/`@map`; Django's auto-created many-to-many tables become explicit models.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models.functions import Now

from .annotate_models import ModelAnnotator, auto_created_line
from .providers import POSTGRESQL, Provider

ON_DELETE = {
    models.CASCADE: "Cascade",
    models.PROTECT: "Restrict",
    models.RESTRICT: "Restrict",
    models.SET_NULL: "SetNull",
    models.SET_DEFAULT: "SetDefault",
    models.DO_NOTHING: "NoAction",
}


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _default(field) -> str | None:
    if getattr(field, "auto_now_add", False):
        return "now()"
    if isinstance(field, (models.AutoField, models.BigAutoField, models.SmallAutoField)):
        return "autoincrement()"
    db_default = getattr(field, "db_default", models.NOT_PROVIDED)
    if db_default is not models.NOT_PROVIDED:
        if isinstance(db_default, Now):
            return "now()"
        value = getattr(db_default, "value", models.NOT_PROVIDED)
        return _literal(value) if value is not models.NOT_PROVIDED else None
    if not field.has_default():
        return None
    if field.default is uuid.uuid4:
        return "uuid()"
    if callable(field.default):
        if field.default in (list,) and field.get_internal_type() == "ArrayField":
            return "[]"
        return None
    return _literal(field.default)


def _literal(value) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return _q(value)
    return None


class SchemaWriter:
    def __init__(self, model_classes, annotate: bool = True, provider: Provider = POSTGRESQL):
        self.annotate = annotate
        self.provider = provider
        self.annotators: dict[type, ModelAnnotator] = {}
        self.models = [m for m in model_classes if not m._meta.proxy and not m._meta.abstract]
        for model in list(self.models):
            for m2m in model._meta.local_many_to_many:
                through = m2m.remote_field.through
                if through._meta.auto_created and through not in self.models:
                    self.models.append(through)
        self.names = self._model_names()
        self.back_relations: dict[type, list[str]] = {m: [] for m in self.models}
        self.used_names: dict[type, set[str]] = {
            m: {f.name for f in m._meta.local_fields} | {f.attname for f in m._meta.local_fields}
            for m in self.models
        }

    def _model_names(self) -> dict[type, str]:
        names, taken = {}, set()
        for model in self.models:
            name = model._meta.object_name
            if name in taken:
                name = model._meta.app_label.title().replace("_", "") + name
            taken.add(name)
            names[model] = name
        return names

    def relation_lines(self, model, field) -> list[str]:
        target = field.related_model
        relation = f"{self.names[model]}_{field.name}"
        to_field = field.target_field
        action = ON_DELETE.get(field.remote_field.on_delete, "NoAction")
        optional = "?" if field.null else ""
        line = (
            f"{field.name} {self.names[target]}{optional} @relation({_q(relation)}, fields: [{field.attname}], "
            f"references: [{to_field.attname}], onDelete: {action})"
        )
        if target in self.back_relations:
            accessor = None if field.remote_field.hidden else field.remote_field.get_accessor_name()
            wanted = accessor or f"{model._meta.model_name}_{field.name}_reverse"
            name, counter = wanted, 2
            while name in self.used_names[target]:
                name, counter = f"{wanted}_{counter}", counter + 1
            self.used_names[target].add(name)
            many = "?" if field.one_to_one else "[]"
            self.back_relations[target].append(
                f"{name} {self.names[model]}{many} @relation({_q(relation)})"
            )
        return [line]

    def field_docs(self, model, field) -> list[str]:
        if not self.annotate or model._meta.auto_created:
            return []
        prisma_name = field.attname if field.is_relation else field.name
        return [f"/// {self.annotator(model).field(field.name, prisma_name)}"]

    def annotator(self, model) -> ModelAnnotator:
        if model not in self.annotators:
            self.annotators[model] = ModelAnnotator(model)
        return self.annotators[model]

    def model_docs(self, model) -> list[str]:
        opts = model._meta
        lines = [opts.db_table_comment] if opts.db_table_comment else []
        if self.annotate and opts.auto_created:
            lines.append(auto_created_line(model))
        elif self.annotate:
            written = {f.name for f in opts.local_fields if f.column is not None}
            lines += self.annotator(model).model_lines(written)
        return [f"/// {line}" for line in lines]

    def scalar_line(self, model, field, is_fk: bool) -> str:
        name = field.attname if is_fk else field.name
        source = field.target_field if is_fk else field
        inner = source
        while inner.get_internal_type() == "ArrayField":
            inner = inner.base_field
        type_name, native = self.provider.prisma_type(inner)
        if is_fk and isinstance(
            source, (models.AutoField, models.BigAutoField, models.SmallAutoField)
        ):
            native = {"SmallAutoField": "SmallInt"}.get(source.get_internal_type())
        if type_name == "Unsupported":
            assert native is not None  # an Unsupported type always names the database's type
            type_text = f"Unsupported({_q(native)})"
            native = None
        else:
            type_text = type_name
        if source.get_internal_type() == "ArrayField" or field.get_internal_type() == "ArrayField":
            type_text += "[]"
        elif field.null:
            type_text += "?"
        attrs = []
        if field.primary_key and not model._meta.pk.__class__.__name__ == "CompositePrimaryKey":
            attrs.append("@id")
        elif field.unique and not field.primary_key:
            attrs.append("@unique")
        default = None if is_fk else _default(field)
        if default == "uuid()" and not self.provider.writes_uuid_default(field):
            default = None
        if default:
            attrs.append(f"@default({default})")
        if getattr(field, "auto_now", False):
            attrs.append("@updatedAt")
        if field.column != name:
            attrs.append(f"@map({_q(field.column)})")
        if native:
            attrs.append(f"@db.{native}")
        line = " ".join([name, type_text, *attrs])
        note = None if is_fk else self.provider.schema_note(field)
        return f"{line} // {note}" if note else line

    def model_block(self, model) -> list[str]:
        opts = model._meta
        lines = []
        for field in opts.local_fields:
            if field.column is None:
                continue
            if field.is_relation and field.many_to_one or field.one_to_one and field.is_relation:
                # On the column's scalar: `prisma db pull` rewrites relation fields and their comments.
                lines += self.field_docs(model, field)
                lines.append(self.scalar_line(model, field, is_fk=True))
                if field.related_model not in self.names:
                    continue
                lines += self.relation_lines(model, field)
            else:
                lines += self.field_docs(model, field)
                lines.append(self.scalar_line(model, field, is_fk=False))
        return lines

    def block_attributes(self, model) -> list[str]:
        opts = model._meta
        out = []
        pk = opts.pk
        if pk.__class__.__name__ == "CompositePrimaryKey":
            out.append(f"@@id([{', '.join(self._prisma_field(model, f) for f in pk.fields)}])")
        for fields in opts.unique_together:
            out.append(
                f"@@unique([{', '.join(self._prisma_field(model, opts.get_field(n)) for n in fields)}])"
            )
        for constraint in opts.constraints:
            if (
                isinstance(constraint, models.UniqueConstraint)
                and constraint.fields
                and not constraint.condition
                and not constraint.expressions
            ):
                names = ", ".join(
                    self._prisma_field(model, opts.get_field(n)) for n in constraint.fields
                )
                out.append(f"@@unique([{names}], map: {_q(constraint.name)})")
        for index in opts.indexes:
            if index.fields and not index.condition and not index.expressions:
                names = ", ".join(
                    self._prisma_field(model, opts.get_field(n.lstrip("-")))
                    + ("(sort: Desc)" if n.startswith("-") else "")
                    for n in index.fields
                )
                out.append(f"@@index([{names}], map: {_q(index.name)})")
        for field in opts.local_fields:
            if field.db_index and not field.unique and not field.is_relation:
                out.append(f"@@index([{field.name}])")
        out.append(f"@@map({_q(opts.db_table)})")
        return out

    def _prisma_field(self, model, field) -> str:
        return field.attname if field.is_relation else field.name

    def render(self) -> str:
        bodies = {m: self.model_block(m) for m in self.models}
        parts = [f'datasource db {{\n  provider = "{self.provider.name}"\n}}']
        for model in self.models:
            lines = bodies[model] + self.back_relations[model]
            body = _align(lines)
            attrs = self.block_attributes(model)
            doc = "".join(f"{line}\n" for line in self.model_docs(model))
            parts.append(
                f"{doc}model {self.names[model]} {{\n"
                + "".join(f"  {line}\n" for line in body)
                + "\n"
                + "".join(f"  {a}\n" for a in attrs)
                + "}"
            )
        return "\n\n".join(parts) + "\n"


def _align(lines: list[str]) -> list[str]:
    """Column-align name, type and attributes like `prisma format`; comments stay as they are."""
    fields = [line for line in lines if not line.startswith("//")]
    split = {line: line.split(" ", 2) + [""] * (3 - len(line.split(" ", 2))) for line in fields}
    width_name = max((len(s[0]) for s in split.values()), default=0)
    width_type = max((len(s[1]) for s in split.values()), default=0)
    return [
        line
        if line.startswith("//")
        else " ".join(
            [split[line][0].ljust(width_name), split[line][1].ljust(width_type), split[line][2]]
        ).rstrip()
        for line in lines
    ]


def schema_for_models(model_classes, annotate: bool = True, provider: Provider = POSTGRESQL) -> str:
    """schema.prisma text for the given Django model classes (plus their auto-created m2m tables),
    with the column types of `provider`'s database.

    With `annotate`, `/// @django` lines record what Prisma cannot express (see `annotations`).
    """
    return SchemaWriter(list(model_classes), annotate, provider).render()


def schema_for_apps(app_labels=None, annotate: bool = True, provider: Provider = POSTGRESQL) -> str:
    from django.apps import apps

    configs = (
        [apps.get_app_config(label) for label in app_labels]
        if app_labels
        else apps.get_app_configs()
    )
    models_ = (m for config in configs for m in config.get_models())
    return schema_for_models(models_, annotate, provider)
