"""Pairs relation fields the way Prisma does: relation names, back-relations and relation kinds."""

from __future__ import annotations

from dataclasses import dataclass

from .ast import Block, Field, Ident, Schema

SCALAR_TYPES = frozenset(
    [
        "String",
        "Boolean",
        "Int",
        "BigInt",
        "Float",
        "Decimal",
        "DateTime",
        "Json",
        "Bytes",
        "Unsupported",
    ]
)


@dataclass
class RelationSide:
    model: Block
    field: Field
    name: str  # the relation name, explicit or Prisma's default
    target: Block
    back: Field | None
    fields: list[str]  # scalar fields holding the foreign key (empty on the referenced side)
    references: list[str]
    on_delete: str | None
    on_update: str | None
    constraint_name: str | None

    @property
    def owns_foreign_key(self) -> bool:
        return bool(self.fields)

    @property
    def is_many_to_many(self) -> bool:
        return self.field.is_list and self.back is not None and self.back.is_list

    @property
    def is_one_to_one(self) -> bool:
        return not self.field.is_list and (self.back is None or not self.back.is_list)


def _names(value) -> list[str]:
    if not isinstance(value, list):
        return []
    out = []
    for item in value:
        out.append(item.name if hasattr(item, "name") else str(item))
    return out


def explicit_relation_name(field: Field) -> str | None:
    attr = field.attribute("relation")
    if attr is None:
        return None
    name = attr.arg("name", 0)
    return name if isinstance(name, str) else None


def default_relation_name(a: str, b: str) -> str:
    first, second = sorted([a, b])
    return f"{first}To{second}"


def is_relation_field(schema: Schema, field: Field) -> bool:
    return schema.model(field.type) is not None


def _constant(value) -> str | None:
    return value.name if isinstance(value, Ident) else value if isinstance(value, str) else None


def resolve(schema: Schema, model: Block, field: Field) -> RelationSide:
    target = schema.model(field.type)
    assert target is not None, field.name
    explicit = explicit_relation_name(field)
    name = explicit or default_relation_name(model.name, target.name)
    candidates = [
        f
        for f in target.fields
        if f.type == model.name and f is not field and explicit_relation_name(f) == explicit
    ]
    back = candidates[0] if candidates else None
    attr = field.attribute("relation")

    def get(name):
        return attr.arg(name) if attr else None

    return RelationSide(
        model=model,
        field=field,
        name=name,
        target=target,
        back=back,
        fields=_names(get("fields")),
        references=_names(get("references")),
        on_delete=_constant(get("onDelete")),
        on_update=_constant(get("onUpdate")),
        constraint_name=get("map"),
    )


def relations(schema: Schema, model: Block) -> list[RelationSide]:
    return [resolve(schema, model, f) for f in model.fields if is_relation_field(schema, f)]


def m2m_table_name(side: RelationSide) -> str:
    return "_" + side.name


@dataclass
class ImplicitManyToMany:
    """A relation with a list field on both sides, kept by Prisma in table `_<relation name>`.

    Column `A` holds the records of side `a`'s model, `B` those of side `b`'s: `a` is the field on
    the model whose name sorts first, or, in a self-relation, the field whose name sorts first.
    (Checked with Prisma Client 7.10: `Pet.zFriends` connects `tom` to `rex` as A=rex, B=tom
    when the back field is `friendOf`.)
    """

    a: RelationSide
    b: RelationSide

    @property
    def table(self) -> str:
        return m2m_table_name(self.a)

    @property
    def is_self_relation(self) -> bool:
        return self.a.model is self.b.model


def implicit_many_to_many(schema: Schema, models: list[Block]) -> list[ImplicitManyToMany]:
    """The implicit many-to-many relations among `models`, in the order their first field appears."""
    out, seen = [], set()
    names = {m.name for m in models}
    for model in models:
        for side in relations(schema, model):
            if not side.is_many_to_many or side.name in seen or side.target.name not in names:
                continue
            seen.add(side.name)
            assert side.back is not None  # a many-to-many side has its back field
            back = resolve(schema, side.target, side.back)
            a, b = sorted([side, back], key=lambda s: (s.model.name, s.field.name))
            out.append(ImplicitManyToMany(a, b))
    return out


def m2m_column_for(side: RelationSide, model_name: str) -> str:
    """Implicit m2m join tables name their columns A and B after the alphabetical order of models."""
    first, second = sorted([side.model.name, side.target.name])
    if first == second:
        return "A"
    return "A" if model_name == first else "B"
