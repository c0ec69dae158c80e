"""Syntax tree of a Prisma schema (PSL) as written, before any semantic resolution."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Position:
    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Ident:
    """A bare name used as a value: a constant (`Cascade`, `Desc`) or a field reference (`a.b`)."""

    name: str


@dataclass(frozen=True)
class Call:
    """A function call (`now()`, `env("URL")`) or a field reference with arguments (`id(sort: Desc)`)."""

    name: str
    args: tuple[Arg, ...] = ()

    def arg(self, name: str, index: int | None = None, default=None):
        return find_arg(self.args, name, index, default)


@dataclass(frozen=True)
class Arg:
    name: str | None
    value: object


def find_arg(args, name, index=None, default=None):
    for arg in args:
        if arg.name == name:
            return arg.value
    if index is not None:
        positional = [a.value for a in args if a.name is None]
        if index < len(positional):
            return positional[index]
    return default


@dataclass
class Attribute:
    name: str  # without the leading "@" / "@@", e.g. "id", "db.VarChar", "relation"
    args: tuple[Arg, ...]
    pos: Position

    def arg(self, name: str, index: int | None = None, default=None):
        return find_arg(self.args, name, index, default)


@dataclass
class Field:
    name: str
    type: str
    optional: bool
    is_list: bool
    pos: Position
    attributes: list[Attribute] = field(default_factory=list)
    documentation: str | None = None
    unsupported: str | None = None  # the database type named in Unsupported("...")

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)

    @property
    def native_type(self) -> Attribute | None:
        # Native type attributes are prefixed with the datasource's name (`@db.Text`, `@pg.Text`).
        return next((a for a in self.attributes if "." in a.name), None)


@dataclass
class EnumValue:
    name: str
    pos: Position
    attributes: list[Attribute] = field(default_factory=list)
    documentation: str | None = None

    @property
    def db_name(self) -> str | None:
        attr = next((a for a in self.attributes if a.name == "map"), None)
        return attr.arg("name", 0) if attr else None


@dataclass
class Block:
    """A `model`, `view`, composite `type` or `enum` declaration."""

    kind: str
    name: str
    pos: Position
    fields: list[Field] = field(default_factory=list)
    values: list[EnumValue] = field(default_factory=list)
    attributes: list[Attribute] = field(default_factory=list)
    documentation: str | None = None

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)

    def attributes_named(self, name: str) -> list[Attribute]:
        return [a for a in self.attributes if a.name == name]

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def existing_field(self, name: str) -> Field:
        """The field ``name``, which the schema declares (validation has checked the name)."""
        found = self.field(name)
        if found is None:
            raise KeyError(f"{self.kind} {self.name} has no field {name!r}")
        return found

    @property
    def db_name(self) -> str | None:
        attr = self.attribute("map")
        return attr.arg("name", 0) if attr else None

    @property
    def table_name(self) -> str:
        return self.db_name or self.name

    @property
    def ignored(self) -> bool:
        return self.attribute("ignore") is not None


@dataclass
class ConfigBlock:
    """A `datasource` or `generator` block: `key = value` properties."""

    kind: str
    name: str
    pos: Position
    properties: dict[str, object] = field(default_factory=dict)
    property_positions: dict[str, Position] = field(default_factory=dict)
    documentation: str | None = None


@dataclass
class Schema:
    datasources: list[ConfigBlock] = field(default_factory=list)
    generators: list[ConfigBlock] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def _of_kind(self, *kinds: str) -> list[Block]:
        return [b for b in self.blocks if b.kind in kinds]

    @property
    def models(self) -> list[Block]:
        """Models and views, in declaration order."""
        return self._of_kind("model", "view")

    @property
    def enums(self) -> list[Block]:
        return self._of_kind("enum")

    @property
    def composite_types(self) -> list[Block]:
        return self._of_kind("type")

    def model(self, name: str) -> Block | None:
        return next((b for b in self.models if b.name == name), None)

    def enum(self, name: str) -> Block | None:
        return next((b for b in self.enums if b.name == name), None)

    def composite_type(self, name: str) -> Block | None:
        return next((b for b in self.composite_types if b.name == name), None)

    @property
    def provider(self) -> str | None:
        for source in self.datasources:
            value = source.properties.get("provider")
            if isinstance(value, str):
                return value
        return None

    @property
    def relation_mode(self) -> str:
        """`prisma`: relations are kept by Prisma Client alone, with no foreign keys in the database."""
        for source in self.datasources:
            value = source.properties.get("relationMode")
            if isinstance(value, str):
                return value
        return "foreignKeys"

    def merge(self, other: Schema) -> None:
        self.datasources += other.datasources
        self.generators += other.generators
        self.blocks += other.blocks
        self.files += other.files
