"""schema.prisma -> Django models source code.

Django field names come from the columns (a relation over `content_type_id` is `content_type`), never
from the names `prisma db pull` gives relation fields, so introspected schemas keep Django's names.
"""

from __future__ import annotations

import hashlib
import json
import keyword
from dataclasses import dataclass, field

from .annotated_models import AnnotatedCode
from .annotations import ModelAnnotations, model_annotations, split_documentation
from .ast import Block, Call, Field, Ident, Schema
from .codeformat import LINE_LENGTH, wrap
from .dmmf import _field_names
from .field_names import FieldNamer
from .field_names import column as _column
from .field_types import django_type
from .naming import NameAllocator, class_name, field_name
from .relations import (
    SCALAR_TYPES,
    ImplicitManyToMany,
    RelationSide,
    implicit_many_to_many,
    relations,
)

ON_DELETE = {
    "Cascade": "models.CASCADE",
    "Restrict": "models.PROTECT",
    "NoAction": "models.DO_NOTHING",
    "SetNull": "models.SET_NULL",
    "SetDefault": "models.SET_DEFAULT",
}
MAX_INDEX_NAME = 30  # Django's limit (models.E034)


@dataclass
class ModelPlan:
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


def _r(value) -> str:
    """repr() with double-quoted strings, as ruff/black would write them."""
    if isinstance(value, str):
        text = repr(value)
        if text.startswith("'") and value.count('"') <= value.count("'"):
            return '"' + text[1:-1].replace("\\'", "'").replace('"', '\\"') + '"'
        return text
    if isinstance(value, list):
        return "[" + ", ".join(_r(v) for v in value) + "]"
    return repr(value)


def _kwargs(kwargs: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in kwargs.items())


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
        self.allocator = allocator

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
            keys = {f.name for f in model.fields if _is_key(model, f)}
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

    # -- fields ---------------------------------------------------------------------------------
    def default_kwargs(self, f: Field, dj_class: str) -> tuple[dict, str | None]:
        attr = f.attribute("default")
        if attr is None:
            return {}, None
        value = attr.arg("value", 0)
        if isinstance(value, Call):
            name = value.name
            if name == "autoincrement" or name == "sequence":
                return {}, None
            if name == "now":
                return {"auto_now_add": "True"}, None
            if name == "uuid":
                self.imports.add("import uuid")
                return (
                    {"default": "uuid.uuid4"}
                    if dj_class == "models.UUIDField"
                    else {"default": "uuid_str"}
                ), None
            if name == "cuid":
                self.imports.add("from django_prisma.psl.ids import cuid")
                return {"default": "cuid"}, None
            if name == "dbgenerated":
                if value.args:
                    self.imports.add("from django.db.models.expressions import RawSQL")
                    return {"db_default": f"RawSQL({_r(value.args[0].value)}, [])"}, None
                return {}, "value generated by the database"
            return {}, f"@default({name}(...)) has no Django equivalent"
        if isinstance(value, Ident):
            enum = self.schema.enum(f.type)
            if enum is not None:
                member = self.enum_members[enum.name].get(value.name, value.name)
                return {"default": f"{self.enum_classes[enum.name]}.{member}"}, None
            return {}, f"@default({value.name}) not translated"
        if isinstance(value, list):
            if not value:
                return {"default": "list"}, None
            return {}, f"list default {value!r} not translated"
        if f.type == "Json" and isinstance(value, str):
            parsed = json.loads(value)
            if parsed == {}:
                return {"default": "dict"}, None
            if parsed == []:
                return {"default": "list"}, None
            return {}, f"JSON default {value} not translated"
        if f.type == "Decimal":
            self.imports.add("import decimal")
            return {"default": f"decimal.Decimal({_r(str(value))})"}, None
        if f.type == "BigInt" and isinstance(value, str):
            return {"default": _r(int(value))}, None
        return {"default": _r(value)}, None

    def scalar_field(self, model: Block, f: Field, pk_names: set[str]) -> tuple[str, list[str]]:
        comments: list[str] = []
        enum = self.schema.enum(f.type)
        composite = self.schema.composite_type(f.type)
        default = f.attribute("default")
        autoincrement = (
            default is not None
            and isinstance(default.arg("value", 0), Call)
            and default.arg("value", 0).name in ("autoincrement", "sequence")
            and f.name in pk_names
            and not f.is_list
        )
        if enum is not None:
            longest = max((len(v.db_name or v.name) for v in enum.values), default=1)
            dj_class, kwargs = "models.CharField", {"max_length": _r(max(longest, 1))}
            kwargs["choices"] = f"{self.enum_classes[enum.name]}.choices"
            comments.append(f"PostgreSQL enum {enum.db_name or enum.name!r} in the database")
        elif composite is not None:
            dj_class, kwargs = "models.JSONField", {}
            comments.append(f"composite type {composite.name}")
        else:
            dj_class, raw = django_type(f, autoincrement)
            kwargs = {k: _r(v) for k, v in raw.items()}
        if f.name in pk_names:
            kwargs["primary_key"] = "True"
        elif f.attribute("unique") is not None:
            kwargs["unique"] = "True"
        if f.optional and f.name not in pk_names:
            kwargs["null"] = "True"
            if dj_class in ("models.CharField", "models.TextField"):
                kwargs["blank"] = "True"
        defaults, note = self.default_kwargs(f, dj_class)
        if defaults.get("default") == "uuid_str":
            defaults["default"] = "uuid.uuid4"
        kwargs.update(defaults)
        if note:
            comments.append(note)
        if f.attribute("updatedAt") is not None:
            kwargs.pop("auto_now_add", None)
            kwargs["auto_now"] = "True"
        self._common(f, kwargs, self.plans[model.name].names[f.name])
        if f.is_list:
            self.imports.add("from django.contrib.postgres.fields import ArrayField")
            inner = _kwargs(
                {
                    k: v
                    for k, v in kwargs.items()
                    if k in ("max_length", "max_digits", "decimal_places", "choices")
                }
            )
            outer = {
                k: v
                for k, v in kwargs.items()
                if k not in ("max_length", "max_digits", "decimal_places", "choices")
            }
            return f"ArrayField({dj_class}({inner}), {_kwargs(outer)})".replace(
                ", )", ")"
            ), comments
        return f"{dj_class}({_kwargs(kwargs)})", comments

    def _common(self, f: Field, kwargs: dict, django_name: str, attname: str | None = None) -> None:
        column = _column(f)
        if column != (attname or django_name):
            kwargs["db_column"] = _r(column)
        text = split_documentation(f.documentation)[1]
        if text:
            kwargs["help_text"] = _r(text)

    def foreign_key(self, model: Block, side: RelationSide, pk_names: set[str]) -> str:
        scalar = model.field(side.fields[0])
        plan = self.plans[model.name]
        name = plan.names[scalar.name]
        target_plan = self.plans[side.target.name]
        target = '"self"' if side.target is model else _r(target_plan.class_name)
        unique = scalar.attribute("unique") is not None or _single_unique(model, scalar.name)
        is_pk = scalar.name in pk_names
        cls = "models.OneToOneField" if unique or is_pk else "models.ForeignKey"
        action = side.on_delete or ("SetNull" if scalar.optional else "Restrict")
        kwargs = {"on_delete": ON_DELETE.get(action, "models.DO_NOTHING")}
        referenced = side.target.field(side.references[0]) if side.references else None
        target_pk = _primary_key_fields(side.target)
        if referenced is not None and [referenced.name] != target_pk:
            kwargs["to_field"] = _r(target_plan.names.get(referenced.name, referenced.name))
        if is_pk:
            kwargs["primary_key"] = "True"
        if scalar.optional:
            kwargs["null"] = "True"
            kwargs["blank"] = "True"
        kwargs["related_name"] = _r(plan.related_names[side.field.name])
        self._common(scalar, kwargs, name, attname=name + "_id")
        return f"{cls}({target}, {_kwargs(kwargs)})"

    def many_to_many_field(self, model: Block, m2m: ImplicitManyToMany) -> str:
        """A ManyToManyField through the link model that maps Prisma's `_<relation>` table."""
        plan = self.plans[model.name]
        target = m2m.b.model
        kwargs = {
            "through": _r(self.through_classes[m2m.table]),
            "through_fields": '("a", "b")',
        }
        if m2m.is_self_relation:
            kwargs["symmetrical"] = "False"  # Prisma stores each direction of a pair on its own
        kwargs["related_name"] = _r(plan.related_names[m2m.a.field.name])
        text = split_documentation(m2m.a.field.documentation)[1]
        if text:
            kwargs["help_text"] = _r(text)
        to = '"self"' if m2m.is_self_relation else _r(self.plans[target.name].class_name)
        return f"models.ManyToManyField({to}, {_kwargs(kwargs)})"

    # -- models ---------------------------------------------------------------------------------
    def build_model(self, model: Block) -> None:
        plan = self.plans[model.name]
        plan.docstring = split_documentation(model.documentation)[1]
        annotated = self._annotated(model)
        pk_names = set(_primary_key_fields(model))
        composite_pk = len(pk_names) > 1
        if composite_pk:
            pk_names = set()
        if not pk_names and not composite_pk:
            pk_names = set(_fallback_key(model))
            if pk_names:
                plan.lines.append(
                    f"# {model.kind} has no @id: its unique key serves as Django's primary key"
                )
            if len(pk_names) > 1:
                composite_pk, pk_names = True, set()
            if not pk_names and not composite_pk and model.kind == "view":
                mapped = [f for f in model.fields if f.name in plan.names and not f.is_list]
                preferred = [f for f in mapped if f.name == "id"] or mapped
                if preferred:
                    pk_names = {preferred[0].name}
                    plan.lines.append(
                        f"# view has no unique key: Django needs a primary key, {preferred[0].name!r} stands in"
                    )
        fks = self.foreign_keys[model.name]
        if composite_pk and not annotated:
            self.imports.add("composite")
            keys = _primary_key_fields(model) or _fallback_key(model)
            names = ", ".join(_r(plan.names.get(k, k)) for k in keys)
            plan.lines.append(f"pk = models.CompositePrimaryKey({names})")
        for f in model.fields:
            line = self.annotated.field_line(f) if annotated else None
            if line is not None:
                plan.lines.append(line)
                continue
            if f.unsupported is not None:
                plan.lines.append(
                    f"# {f.name}: Unsupported({f.unsupported!r}) has no Django field; not mapped"
                )
                continue
            if f.attribute("ignore") is not None:
                plan.lines.append(f"# {f.name}: @ignore in the schema; not mapped")
                continue
            plan.lines += [f"# {note}" for note in plan.notes.get(f.name, [])]
            if f.name in fks:
                plan.lines.append(
                    f"{plan.names[f.name]} = {self.foreign_key(model, fks[f.name], pk_names)}"
                )
                continue
            if f.name in plan.names:
                code, comments = self.scalar_field(model, f, pk_names)
                plan.lines += [f"# {comment}" for comment in comments]
                plan.lines.append(f"{plan.names[f.name]} = {code}")
                continue
            if f.name in plan.many_to_many:
                m2m = next(m for m in self.many_to_many if m.a.field is f)
                plan.lines.append(
                    f"{plan.many_to_many[f.name]} = {self.many_to_many_field(model, m2m)}"
                )
                continue
            side = next((s for s in self.relations[model.name] if s.field is f), None)
            if side is not None and len(side.fields) > 1:
                plan.lines.append(
                    f"# {f.name}: relation over ({', '.join(side.fields)}): Django has no multi-column foreign keys"
                )
        if annotated:
            annotations = self.annotations[model.name]
            plan.lines += self.annotated.model_lines(annotations)
            plan.meta += self.annotated.meta_lines(
                model, annotations, plan.class_name, self.app_label
            )
        else:
            self.build_meta(model, plan)

    def build_meta(self, model: Block, plan: ModelPlan) -> None:
        plan.meta.append(f"db_table = {_r(model.table_name)}")
        schema_attr = model.attribute("schema")
        if schema_attr is not None:
            plan.meta.append(
                f"# PostgreSQL schema {schema_attr.arg('name', 0)!r}: set search_path to reach it"
            )
        if not plan.managed:
            plan.meta.append("managed = False  # a database view")
        constraints, indexes = [], []
        for attr in model.attributes_named("unique"):
            fields = [plan.names.get(n, n) for n in _field_names(attr.arg("fields", 0))]
            if len(fields) < 2:
                continue
            name = (
                attr.arg("map") or f"{model.table_name}_{'_'.join(_column_names(model, attr))}_key"
            )
            constraints.append(f"models.UniqueConstraint(fields={_r(fields)}, name={_r(name)})")
        for attr in model.attributes_named("index"):
            raw_fields = _field_names(attr.arg("fields", 0))
            if len(raw_fields) == 1 and raw_fields[0] in self.foreign_keys[model.name]:
                continue  # Django indexes foreign keys itself
            if (attr.arg("map") or "").endswith("_like"):
                continue  # Django's own varchar_pattern_ops index for unique/indexed CharFields
            if any(n not in plan.names for n in raw_fields):
                plan.meta.append(f"# index on {', '.join(raw_fields)}: involves unmapped fields")
                continue
            fields = [plan.names[n] for n in raw_fields]
            name = (
                attr.arg("map") or f"{model.table_name}_{'_'.join(_column_names(model, attr))}_idx"
            )
            if not name[0].isalpha():
                name = "ix" + name
            if len(name) > MAX_INDEX_NAME:
                digest = hashlib.sha1(name.encode()).hexdigest()[:8]
                name = f"{name[: MAX_INDEX_NAME - 9]}_{digest}"
            indexes.append(f"models.Index(fields={_r(fields)}, name={_r(name)})")
        if constraints:
            plan.meta.append("constraints = [" + ", ".join(constraints) + ",]")
        if indexes:
            plan.meta.append("indexes = [" + ", ".join(indexes) + ",]")

    def link_model(self, m2m: ImplicitManyToMany) -> str:
        """The model of Prisma's `_<relation>` table: columns A and B, their pair the primary key."""
        a, b = self.plans[m2m.a.model.name].class_name, self.plans[m2m.b.model.name].class_name
        plan = ModelPlan(None, self.through_classes[m2m.table], m2m.table)
        plan.docstring = f"Prisma's implicit many-to-many table for relation {m2m.a.name!r}."
        plan.lines += [
            'pk = models.CompositePrimaryKey("a", "b")',
            # The primary key (A, B) serves lookups by A: Prisma indexes only B besides.
            f'a = models.ForeignKey({_r(a)}, on_delete=models.CASCADE, db_column="A", db_index=False, related_name="+")',
            f'b = models.ForeignKey({_r(b)}, on_delete=models.CASCADE, db_column="B", related_name="+")',
        ]
        plan.meta.append(f"db_table = {_r(m2m.table)}")
        self.imports.add("composite")
        return self.render_model(plan)

    # -- output ---------------------------------------------------------------------------------
    def render_enum(self, enum: Block) -> str:
        lines = [f"class {self.enum_classes[enum.name]}(models.TextChoices):"]
        if enum.documentation:
            lines += [f"    {_docstring(enum.documentation)}", ""]
        for value in enum.values:
            member = self.enum_members[enum.name][value.name]
            text = f"    {member} = {_r(value.db_name or value.name)}, {_r(value.name)}"
            if len(text) > LINE_LENGTH:
                text = f"    {member} = (\n        {_r(value.db_name or value.name)},\n        {_r(value.name)},\n    )"
            lines.append(text)
        if not enum.values:
            lines.append("    pass")
        return "\n".join(lines)

    def render_model(self, plan: ModelPlan) -> str:
        lines = [f"class {plan.class_name}(models.Model):"]
        if plan.docstring:
            lines += [f"    {_docstring(plan.docstring)}", ""]
        for line in plan.lines:
            lines += wrap(line, 4)
        if plan.meta:
            lines.append("")
            lines.append("    class Meta:")
        for line in plan.meta:
            lines += wrap(line, 8)
        return "\n".join(lines)

    def generate(self) -> str:
        self.assign_names()
        for model in self.models:
            self.build_model(model)
        parts = [self.render_enum(e) for e in self.schema.enums]
        parts += [
            self.render_model(self.plans[m.name])
            for m in _dependency_order(self.models, self.relations)
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


def _docstring(text: str) -> str:
    body = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').replace("\n", "\n    ")
    if "\n" in body:
        body += "\n    "
    body = "\n".join(line.rstrip() if line.strip() else "" for line in body.split("\n"))
    if body.endswith("\n"):
        body += "    "
    return f'"""{body}"""'


def _primary_key_fields(model: Block) -> list[str]:
    ids = [f.name for f in model.fields if f.attribute("id") is not None]
    if ids:
        return ids[:1]
    attr = model.attribute("id")
    return _field_names(attr.arg("fields", 0)) if attr else []


def _is_key(model: Block, f: Field) -> bool:
    keys = _primary_key_fields(model) or _fallback_key(model)
    return f.name in keys or (not keys and model.kind == "view")


def _fallback_key(model: Block) -> list[str]:
    for f in model.fields:
        if f.attribute("unique") is not None and f.unsupported is None:
            return [f.name]
    for attr in model.attributes_named("unique"):
        return _field_names(attr.arg("fields", 0))
    return []


def _single_unique(model: Block, name: str) -> bool:
    return any(_field_names(a.arg("fields", 0)) == [name] for a in model.attributes_named("unique"))


def _column_names(model: Block, attr) -> list[str]:
    out = []
    for name in _field_names(attr.arg("fields", 0)):
        f = model.field(name)
        out.append(_column(f) if f else name)
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
