"""Recursive-descent parser: PSL text -> `ast.Schema`."""

from __future__ import annotations

from pathlib import Path

from .ast import Arg, Attribute, Block, Call, ConfigBlock, EnumValue, Field, Ident, Position, Schema
from .errors import PSLSyntaxError
from .lexer import Token, tokenize

BLOCK_KINDS = ("model", "view", "type", "enum")
CONFIG_KINDS = ("datasource", "generator")


class _Parser:
    def __init__(self, text: str, filename: str):
        self.filename = filename
        self.tokens = tokenize(text, filename)
        self.index = 0
        self.last_line = 1

    # -- token helpers -------------------------------------------------------------------------
    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        self.last_line = token.line
        return token

    def at(self, kind: str, value: str | None = None) -> bool:
        token = self.current
        return token.kind == kind and (value is None or token.value == value)

    def pos(self, token: Token | None = None) -> Position:
        token = token or self.current
        return Position(self.filename, token.line, token.column)

    def error(self, message: str, token: Token | None = None) -> PSLSyntaxError:
        token = token or self.current
        return PSLSyntaxError(message, self.filename, token.line, token.column)

    def describe(self, token: Token) -> str:
        return "end of file" if token.kind == "eof" else repr(token.value)

    def expect(self, kind: str, value: str | None = None, what: str | None = None) -> Token:
        if not self.at(kind, value):
            wanted = what or repr(value) if value else what or kind
            raise self.error(f"expected {wanted}, found {self.describe(self.current)}")
        return self.advance()

    def take_docs(self) -> str | None:
        # Like Prisma, only a run of `///` lines directly above an element documents it.
        lines: list[str] = []
        previous_line = None
        while self.at("doc"):
            token = self.advance()
            if previous_line is not None and token.line != previous_line + 1:
                lines = []
            lines.append(token.value)
            previous_line = token.line
        if previous_line is not None and self.current.line != previous_line + 1:
            lines = []
        return "\n".join(lines) if lines else None

    def skip_trailing_doc(self, line: int) -> str | None:
        if self.at("doc") and self.current.line == line:
            return self.advance().value
        return None

    # -- top level -----------------------------------------------------------------------------
    def parse(self) -> Schema:
        schema = Schema(files=[self.filename])
        while True:
            docs = self.take_docs()
            if self.at("eof"):
                return schema
            token = self.current
            if token.kind == "ident" and token.value in CONFIG_KINDS:
                block = self.parse_config(docs)
                (schema.datasources if block.kind == "datasource" else schema.generators).append(
                    block
                )
            elif token.kind == "ident" and token.value in BLOCK_KINDS:
                schema.blocks.append(self.parse_block(docs))
            else:
                raise self.error(
                    f"expected a model, view, type, enum, datasource or generator block, "
                    f"found {self.describe(token)}"
                )

    def parse_config(self, docs: str | None) -> ConfigBlock:
        keyword = self.advance()
        name = self.expect("ident", what=f"a {keyword.value} name")
        block = ConfigBlock(keyword.value, name.value, self.pos(keyword), documentation=docs)
        self.expect("punct", "{")
        while True:
            self.take_docs()
            if self.at("punct", "}"):
                self.advance()
                return block
            key = self.expect(
                "ident", what=f"a property name or '}}' in {keyword.value} {name.value!r}"
            )
            self.expect("punct", "=", what=f"'=' after property {key.value!r}")
            block.properties[key.value] = self.parse_value()
            block.property_positions[key.value] = self.pos(key)

    def parse_block(self, docs: str | None) -> Block:
        keyword = self.advance()
        name = self.expect("ident", what=f"a {keyword.value} name")
        block = Block(keyword.value, name.value, self.pos(keyword), documentation=docs)
        self.expect("punct", "{", what=f"'{{' after {keyword.value} {name.value}")
        while True:
            member_docs = self.take_docs()
            if self.at("punct", "}"):
                self.advance()
                return block
            if self.at("atat"):
                block.attributes.append(self.parse_attribute(block_level=True))
            elif self.at("ident"):
                if block.kind == "enum":
                    block.values.append(self.parse_enum_value(member_docs))
                else:
                    block.fields.append(self.parse_field(member_docs, block))
            else:
                raise self.error(
                    f"expected a field, block attribute or '}}' in {keyword.value} {name.value}, "
                    f"found {self.describe(self.current)}"
                )

    # -- members -------------------------------------------------------------------------------
    def parse_enum_value(self, docs: str | None) -> EnumValue:
        name = self.advance()
        value = EnumValue(name.value, self.pos(name), documentation=docs)
        while self.at("at") and self.current.line == name.line:
            value.attributes.append(self.parse_attribute(block_level=False))
        trailing = self.skip_trailing_doc(self.last_line)
        if trailing and not value.documentation:
            value.documentation = trailing
        return value

    def parse_field(self, docs: str | None, block: Block) -> Field:
        name = self.advance()
        if self.current.line != name.line or not self.at("ident"):
            raise self.error(
                f"field {name.value!r} in {block.kind} {block.name} has no type",
                self.current if self.current.line == name.line else name,
            )
        type_token = self.advance()
        unsupported = None
        if type_token.value == "Unsupported" and self.at("punct", "("):
            self.advance()
            unsupported = self.expect(
                "string", what='a database type string in Unsupported("...")'
            ).value
            self.expect("punct", ")")
        is_list = optional = False
        if self.at("punct", "[") and self.peek().kind == "punct" and self.peek().value == "]":
            self.advance(), self.advance()
            is_list = True
        question = self.current
        if self.at("punct", "?"):
            self.advance()
            optional = True
        if self.at("punct", "!"):
            raise self.error(
                "the '!' type modifier is not supported; fields are required by default"
            )
        if is_list and optional:
            raise self.error(
                f"field {name.value!r}: optional lists ('[]?') are not supported", question
            )
        field = Field(
            name.value,
            type_token.value,
            optional,
            is_list,
            self.pos(name),
            documentation=docs,
            unsupported=unsupported,
        )
        while self.at("at") and self.current.line == self.last_line:
            field.attributes.append(self.parse_attribute(block_level=False))
        if self.current.line == self.last_line and not self.at("doc") and not self.at("eof"):
            if not self.at("punct", "}") and not self.at("atat"):
                raise self.error(
                    f"unexpected {self.describe(self.current)} after field {name.value!r}; "
                    "attributes start with '@'"
                )
        trailing = self.skip_trailing_doc(self.last_line)
        if trailing and not field.documentation:
            field.documentation = trailing
        return field

    def parse_attribute(self, block_level: bool) -> Attribute:
        start = self.advance()
        parts = [self.expect("ident", what="an attribute name").value]
        while self.at("punct", ".") and self.peek().kind == "ident":
            self.advance()
            parts.append(self.advance().value)
        args: tuple[Arg, ...] = ()
        if self.at("punct", "("):
            args = self.parse_arguments()
        return Attribute(".".join(parts), args, self.pos(start))

    # -- values --------------------------------------------------------------------------------
    def parse_arguments(self) -> tuple[Arg, ...]:
        self.expect("punct", "(")
        args: list[Arg] = []
        while not self.at("punct", ")"):
            name = None
            if self.at("ident") and self.peek().kind == "punct" and self.peek().value == ":":
                name = self.advance().value
                self.advance()
            if self.at("punct", ",") or self.at("punct", ")"):
                raise self.error(
                    f"missing value for argument {name!r}" if name else "empty argument"
                )
            args.append(Arg(name, self.parse_value()))
            if not self.at("punct", ")"):
                self.expect("punct", ",", what="',' or ')' in argument list")
        self.advance()
        return tuple(args)

    def parse_value(self):
        token = self.current
        if token.kind == "string":
            self.advance()
            return token.value
        if token.kind == "number":
            self.advance()
            return _number(token.value)
        if self.at("punct", "["):
            self.advance()
            items = []
            while not self.at("punct", "]"):
                items.append(self.parse_value())
                if not self.at("punct", "]"):
                    self.expect("punct", ",", what="',' or ']' in list")
            self.advance()
            return items
        if token.kind == "ident":
            self.advance()
            if token.value in ("true", "false"):
                return token.value == "true"
            name = token.value
            while self.at("punct", ".") and self.peek().kind == "ident":
                self.advance()
                name += "." + self.advance().value
            if self.at("punct", "("):
                return Call(name, self.parse_arguments())
            return Ident(name)
        raise self.error(f"expected a value, found {self.describe(token)}")


def _number(text: str):
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            raise ValueError(text) from None


def parse_schema(text: str, filename: str = "schema.prisma") -> Schema:
    """Parse PSL source text. Raises `PSLSyntaxError` naming file, line and column."""
    return _Parser(text, filename).parse()


def schema_files(path: str | Path) -> list[Path]:
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.prisma") if p.is_file())
        if not files:
            raise FileNotFoundError(f"no .prisma files in {path}")
        return files
    return [path]


def parse_path(path: str | Path) -> Schema:
    """Parse a schema file, or every `.prisma` file under a folder as one multi-file schema."""
    schema = Schema()
    for file in schema_files(path):
        schema.merge(parse_schema(file.read_text(encoding="utf-8"), str(file)))
    return schema
