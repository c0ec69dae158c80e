"""schema.prisma -> Django models source code.

Django field names come from the columns (a relation over `content_type_id` is `content_type`), never
from the names `prisma db pull` gives relation fields, so introspected schemas keep Django's names.
The work is split by concern: `field_names` chooses the names, `field_code` writes each field,
`meta_code` the Meta options, `model_keys` decides the primary key; `Generator` puts them together.
"""

from __future__ import annotations

import keyword

from .annotated_models import AnnotatedCode
from .annotations import ModelAnnotations, model_annotations, split_documentation
from .ast import Block, Field, Schema
from .codeformat import LINE_LENGTH
from .field_code import FieldCode
from .field_names import FieldNamer
from .meta_code import meta_lines
from .model_keys import django_primary_key, is_auto_key, is_key, primary_key_fields
from .naming import NameAllocator, class_name, field_name
from .providers import provider_of
from .pysource import ModelPlan, docstring, literal, render_model
from .relations import (
    SCALAR_TYPES,
    ImplicitManyToMany,
    RelationSide,
    implicit_many_to_many,
    relations,
)


class Generator:
    def __init__(
        self,
        schema: Schema,
        app_label: str | None = None,
        use_annotations: bool = True,
        keep_prisma_names: bool = False,
    ):
        self.schema = schema
        self.app_label = app_label
        self.imports: set[str] = set()
        self.annotated = AnnotatedCode(self.imports)
        self.annotations = {
            m.name: model_annotations(m.documentation) if use_annotations else ModelAnnotations()
            for m in schema.models
        }
        self.models = [m for m in schema.models if not m.ignored and self._generates(m)]
        allocator = NameAllocator()
        self.enum_classes = {e.name: allocator.take(class_name(e.name)) for e in schema.enums}
        self.enum_members = {e.name: _enum_members(e) for e in schema.enums}
        self.plans = {
            m.name: ModelPlan(
                m,
                allocator.take(self.annotations[m.name].class_name or class_name(m.name)),
                m.table_name,
                managed=m.kind == "model",
            )
            for m in self.models
        }
        self.relations = {m.name: relations(schema, m) for m in self.models}
        self.foreign_keys: dict[str, dict[str, RelationSide]] = {}
        self.many_to_many = implicit_many_to_many(schema, self.models)
        self.through_classes = {
            m2m.table: allocator.take(class_name(m2m.table).lstrip("_") + "Link")
            for m2m in self.many_to_many
        }
        self.namer = FieldNamer(self.plans, keep_prisma_names)
        self.fields = FieldCode(
            schema,
            self.plans,
            self.enum_classes,
            self.enum_members,
            self.through_classes,
            self.imports,
        )

    def _generates(self, model: Block) -> bool:
        annotations = self.annotations[model.name]
        if annotations.auto_created:
            return False  # Django creates this join table for a ManyToManyField
        return self.app_label is None or annotations.app_label == self.app_label

    def _annotated(self, model: Block) -> bool:
        return self.annotations[model.name].meta is not None

    # -- naming ---------------------------------------------------------------------------------
    def _fk_for_column(self, model: Block) -> dict[str, RelationSide]:
        """Single-column relations owned by `model`, keyed by their scalar Prisma field."""
        out: dict[str, RelationSide] = {}
        for side in self.relations[model.name]:
            if len(side.fields) != 1 or side.target.ignored or side.field.attribute("ignore"):
                continue
            scalar = model.field(side.fields[0])
            if scalar is None or scalar.name in out or side.target.name not in self.plans:
                continue
            out[scalar.name] = side
        return out

    def assign_names(self) -> None:
        for model in self.models:
            fks = self.foreign_keys[model.name] = self._fk_for_column(model)
            scalars = [
                f
                for f in model.fields
                if f.unsupported is None
                and f.attribute("ignore") is None
                and f.name not in fks
                and (
                    f.type in SCALAR_TYPES
                    or self.schema.enum(f.type)
                    or self.schema.composite_type(f.type)
                )
            ]
            keys = {f.name for f in model.fields if is_key(model, f)}
            self.namer.name_fields(model, scalars, fks, keys)
        for m2m in self.many_to_many:
            if m2m.a.field.attribute("ignore") is None:
                self.namer.name_many_to_many(m2m)
        for model in self.models:
            plan = self.plans[model.name]
            for side in self.foreign_keys[model.name].values():
                plan.related_names[side.field.name] = self.namer.related_name(
                    side.target, side.back
                )
        for m2m in self.many_to_many:
            if m2m.a.field.name in self.plans[m2m.a.model.name].many_to_many:
                self.plans[m2m.a.model.name].related_names[m2m.a.field.name] = (
                    self.namer.related_name(m2m.b.model, m2m.b.field)
                )

    # -- models ---------------------------------------------------------------------------------
    def build_model(self, model: Block) -> None:
        plan = self.plans[model.name]
        plan.docstring = split_documentation(model.documentation)[1]
        annotated = self._annotated(model)
        key = django_primary_key(model, set(plan.names))
        if key.comment:
            plan.lines.append(key.comment)
        if key.composite and not annotated:
            self.imports.add("composite")
            names = ", ".join(literal(plan.names.get(k, k)) for k in key.composite)
            plan.lines.append(f"pk = models.CompositePrimaryKey({names})")
        for f in model.fields:
            plan.lines += self.field_lines(model, f, key.single, annotated)
        if annotated:
            annotations = self.annotations[model.name]
            plan.lines += self.annotated.model_lines(annotations)
            plan.meta += self.annotated.meta_lines(
                model, annotations, plan.class_name, self.app_label
            )
        else:
            plan.meta += meta_lines(
                model, plan, self.foreign_keys[model.name], provider_of(self.schema)
            )

    def field_lines(self, model: Block, f: Field, pk_names: set[str], annotated: bool) -> list[str]:
        """The class-body lines for one Prisma field: a Django field, or a comment why there is none."""
        line = self.annotated.field_line(f) if annotated else None
        if line is not None:
            return [line]
        if f.unsupported is not None:
            return [f"# {f.name}: Unsupported({f.unsupported!r}) has no Django field; not mapped"]
        if f.attribute("ignore") is not None:
            return [f"# {f.name}: @ignore in the schema; not mapped"]
        plan = self.plans[model.name]
        lines = [f"# {note}" for note in plan.notes.get(f.name, [])]
        fks = self.foreign_keys[model.name]
        if f.name in fks:
            code = self.fields.foreign_key(model, fks[f.name], pk_names)
            note = self.fields.foreign_key_note(model, f, fks[f.name], pk_names)
            lines += [f"# {note}"] if note else []
            return [*lines, f"{plan.names[f.name]} = {code}"]
        if f.name in plan.names:
            code, comments = self.fields.scalar_field(model, f, pk_names)
            return [
                *lines,
                *(f"# {c}" for c in comments),
                f"{plan.names[f.name]} = {code}",
            ]
        if f.name in plan.many_to_many:
            m2m = next(m for m in self.many_to_many if m.a.field is f)
            code = self.fields.many_to_many_field(model, m2m)
            return [*lines, f"{plan.many_to_many[f.name]} = {code}"]
        side = next((s for s in self.relations[model.name] if s.field is f), None)
        if side is not None and len(side.fields) > 1:
            lines.append(
                f"# {f.name}: relation over ({', '.join(side.fields)}): Django has no multi-column foreign keys"
            )
        return lines

    def link_model(self, m2m: ImplicitManyToMany) -> str:
        """The model of Prisma's `_<relation>` table: columns A and B, their pair the primary key."""
        a, b = (
            self.plans[m2m.a.model.name].class_name,
            self.plans[m2m.b.model.name].class_name,
        )
        plan = ModelPlan(None, self.through_classes[m2m.table], m2m.table)
        plan.docstring = f"Prisma's implicit many-to-many table for relation {m2m.a.name!r}."
        provider = provider_of(self.schema)
        note = provider.link_table_note()
        if note:
            plan.lines.append(f"# {note}")
        # Without foreign keys in the database when Prisma keeps the relations itself.
        constraint = ", db_constraint=False" if self.schema.relation_mode == "prisma" else ""
        for column, side in (("A", m2m.a), ("B", m2m.b)):
            key = side.model.existing_field(primary_key_fields(side.model)[0])
            column_note = provider.foreign_key_note(key, key, is_auto_key(side.model, key))
            if column_note:
                plan.lines.append(f"# {column}: {column_note}")
        plan.lines += [
            'pk = models.CompositePrimaryKey("a", "b")',
            # The primary key (A, B) serves lookups by A: Prisma indexes only B besides.
            f'a = models.ForeignKey({literal(a)}, on_delete=models.CASCADE, db_column="A", db_index=False{constraint}, related_name="+")',
            f'b = models.ForeignKey({literal(b)}, on_delete=models.CASCADE, db_column="B"{constraint}, related_name="+")',
        ]
        plan.meta.append(f"db_table = {literal(m2m.table)}")
        if note:
            unique = literal(f"{m2m.table[: provider.max_identifier_length - 10]}_AB_unique")
            plan.meta.append(
                f'constraints = [models.UniqueConstraint(fields=["a", "b"], name={unique}),]'
            )
        self.imports.add("composite")
        return render_model(plan)

    # -- output ---------------------------------------------------------------------------------
    def render_enum(self, enum: Block) -> str:
        lines = [f"class {self.enum_classes[enum.name]}(models.TextChoices):"]
        if enum.documentation:
            lines += [f"    {docstring(enum.documentation)}", ""]
        for value in enum.values:
            member = self.enum_members[enum.name][value.name]
            text = f"    {member} = {literal(value.db_name or value.name)}, {literal(value.name)}"
            if len(text) > LINE_LENGTH:
                text = f"    {member} = (\n        {literal(value.db_name or value.name)},\n        {literal(value.name)},\n    )"
            lines.append(text)
        if not enum.values:
            lines.append("    pass")
        return "\n".join(lines)

    def generate(self) -> str:
        self.assign_names()
        for model in self.models:
            self.build_model(model)
        parts = [self.render_enum(e) for e in self.schema.enums]
        parts += [
            render_model(self.plans[m.name]) for m in _dependency_order(self.models, self.relations)
        ]
        parts += [self.link_model(m2m) for m2m in self.many_to_many]
        skipped = [m for m in self.schema.models if m.ignored]
        notes = [f"# {m.kind} {m.name}: @@ignore in the schema; not mapped" for m in skipped]
        notes += [
            f"# composite type {t.name}: stored as JSON in the fields that use it"
            for t in self.schema.composite_types
        ]
        header = [
            "# Generated by django_prisma.psl from a Prisma schema.",
            "from django.db import models",
        ]
        for imp in sorted(self.imports - {"composite", header[1]}, reverse=True):
            header.insert(1, imp)
        sections = ["\n".join(header)] + (["\n".join(notes)] if notes else []) + parts
        return "\n\n\n".join(sections) + "\n"


def _enum_members(enum: Block) -> dict[str, str]:
    allocator = NameAllocator()
    out = {}
    for value in enum.values:
        usable = value.name.isidentifier() and not keyword.iskeyword(value.name)
        out[value.name] = allocator.take(value.name if usable else field_name(value.name))
    return out


def _dependency_order(models: list[Block], rels: dict[str, list[RelationSide]]) -> list[Block]:
    """Referenced models first (string references make this cosmetic, but it reads naturally)."""
    by_name = {m.name: m for m in models}
    done: dict[str, Block] = {}
    visiting: set[str] = set()

    def visit(model: Block) -> None:
        if model.name in done or model.name in visiting:
            return
        visiting.add(model.name)
        for side in rels[model.name]:
            if side.fields and side.target.name in by_name:
                visit(by_name[side.target.name])
        done[model.name] = model

    for model in models:
        visit(model)
    return list(done.values())


def generate_models(
    schema: Schema,
    app_label: str | None = None,
    use_annotations: bool = True,
    keep_prisma_names: bool = False,
) -> str:
    """Python source of a Django `models.py` for the schema.

    `/// @django` annotations (written by `prismaschema`) are honoured unless `use_annotations` is
    false; with `app_label`, only the models annotated as that app's are generated. Field names
    follow Django's conventions (snake_case, from the columns) unless `keep_prisma_names` is true.
    """
    return Generator(schema, app_label, use_annotations, keep_prisma_names).generate()


def add_annotation_arguments(parser) -> None:
    """The command-line options of both model generators (`inspectprisma`, `python -m`)."""
    parser.add_argument(
        "--app-label",
        help="generate only the models annotated (`/// @django model LABEL.Name`) as this app's",
    )
    parser.add_argument(
        "--no-django-annotations",
        action="store_true",
        help="ignore `/// @django` lines and infer everything from the schema",
    )
    parser.add_argument(
        "--keep-prisma-names",
        action="store_true",
        help="name fields as the schema does (`fullName`) instead of Django's snake_case (`full_name`)",
    )
