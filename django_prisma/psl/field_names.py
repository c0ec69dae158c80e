"""Django attribute names for the fields of the models generated from a schema.

By default they follow Django's conventions the way `inspectdb` names them: from the column, in
snake_case (`fullName` over column `full_name` is `full_name`; a foreign key over `author_id` is
`author`); relation fields and `related_name`s are Prisma's relation field names in snake_case.
`keep_prisma_names` keeps Prisma's field names instead. A name that still has to change (a Python
keyword, an attribute every model has, a clash with another field) gets a comment saying why.
"""

from __future__ import annotations

from .ast import Block, Field
from .naming import NameAllocator, checked_field_name, snake_case
from .relations import ImplicitManyToMany, RelationSide


def column(f: Field) -> str:
    attr = f.attribute("map")
    return attr.arg("name", 0) if attr else f.name


class FieldNamer:
    """Fills each plan's `names`, `many_to_many`, `related_names` and `notes`."""

    def __init__(self, plans: dict, keep_prisma_names: bool = False):
        self.plans = plans
        self.keep_prisma_names = keep_prisma_names
        self.allocators: dict[str, NameAllocator] = {}

    # -- what each field would like to be called ------------------------------------------------
    def scalar_wish(self, f: Field) -> str:
        return f.name if self.keep_prisma_names else snake_case(column(f))

    def foreign_key_wish(self, scalar: Field, side: RelationSide) -> str:
        """The name without `_id`: from the scalar field (or its column), else the relation field."""
        if self.keep_prisma_names:
            if scalar.name.endswith("_id"):
                return scalar.name[:-3]
            mapped = column(scalar)
            return mapped[:-3] if mapped.endswith("_id") else side.field.name
        mapped = snake_case(column(scalar))
        if mapped.endswith("_id") and len(mapped) > 3:
            return mapped[:-3]
        return snake_case(side.field.name)

    def relation_wish(self, f: Field) -> str:
        return f.name if self.keep_prisma_names else snake_case(f.name)

    # -- allocation -------------------------------------------------------------------------------
    def _take(self, model: Block, prisma_name: str, wish: str, suffixes=("",)) -> str:
        plan = self.plans[model.name]
        cleaned, reason = checked_field_name(wish)
        name = self.allocators[model.name].take(cleaned, suffixes)
        if reason:
            plan.notes.setdefault(prisma_name, []).append(f"{wish!r} {reason}: named {name!r}")
        elif name != cleaned:
            plan.notes.setdefault(prisma_name, []).append(
                f"{cleaned!r} is taken by another field: named {name!r}"
            )
        return name

    def name_fields(
        self, model: Block, scalars: list[Field], foreign_keys: dict[str, RelationSide], keys
    ) -> None:
        """Scalars first, then foreign keys (whose `<name>_id` must be free as well)."""
        plan = self.plans[model.name]
        self.allocators[model.name] = NameAllocator()
        # A column already named the Django way keeps its name when another converts to it.
        for f in sorted(scalars, key=lambda f: self.scalar_wish(f) != column(f)):
            wish = self.scalar_wish(f)
            if checked_field_name(wish)[0] == "id" and f.name not in keys:
                # Django reserves `id` for primary keys (models.E004).
                plan.notes.setdefault(f.name, []).append(
                    "'id' is only allowed on a primary key: named 'id_field'"
                )
                wish = "id_field"
            plan.names[f.name] = self._take(model, f.name, wish)
        for scalar_name, side in foreign_keys.items():
            scalar = model.existing_field(scalar_name)
            wish = self.foreign_key_wish(scalar, side)
            plan.names[scalar_name] = self._take(model, scalar_name, wish, ("", "_id"))

    def name_many_to_many(self, relation: ImplicitManyToMany) -> None:
        a = relation.a
        self.plans[a.model.name].many_to_many[a.field.name] = self._take(
            a.model, a.field.name, self.relation_wish(a.field)
        )

    def related_name(self, target: Block, back: Field | None) -> str:
        """The reverse accessor on `target`: the back relation field's name, never a field's."""
        if back is None:
            return "+"
        wish, _ = checked_field_name(self.relation_wish(back))
        allocator = self.allocators[target.name]
        if not allocator.free(wish):
            wish += "_set"
        return allocator.take(wish)
