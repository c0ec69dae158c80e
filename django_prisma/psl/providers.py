"""The one place where the datasource's provider decides what the schema tooling does.

PostgreSQL and MySQL (MariaDB too: Prisma's `mysql` provider covers both) differ in the column
types behind each Prisma type and so in the Django field that reproduces a column, in how enums
and implicit many-to-many tables are stored, and in what `prismaschema` writes for a Django field.
Everything else asks `provider_of(schema)` or `provider_for_connection(connection)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import DatabaseError

from . import field_types, mysql_types
from .ast import Block, Field, Schema

# Django fields stored as varchar(max_length) on both databases.
VARCHAR_TYPES = frozenset(
    {"CharField", "SlugField", "EmailField", "URLField", "FileField", "ImageField", "FilePathField"}
)


@dataclass(frozen=True)
class DjangoType:
    """The Django field for a Prisma scalar field, and what its column lacks, if anything."""

    cls: str  # "models.CharField"
    kwargs: dict = field(default_factory=dict)
    mismatch: str | None = None


class Provider:
    name = ""
    max_identifier_length = 63

    def django_type(self, f: Field, autoincrement: bool) -> DjangoType:
        raise NotImplementedError

    def enum_note(self, enum: Block, max_length: int) -> str:
        raise NotImplementedError

    def link_table_note(self) -> str | None:
        """A comment on the model of an implicit many-to-many table, where Django's differs;
        then Prisma's table has a unique key `<table>_AB_unique` instead of a primary key."""
        return None

    def foreign_key_note(
        self, scalar: Field, referenced: Field, referenced_is_auto: bool, kind: str = "ForeignKey"
    ) -> str | None:
        """What a foreign key's column lacks (Django types it as the referenced column), if anything."""
        return None

    def prisma_type(self, django_field) -> tuple[str, str | None]:
        raise NotImplementedError

    def writes_uuid_default(self, django_field) -> bool:
        """Whether `@default(uuid())` (a 36-character string) fits the field's column."""
        return True

    def schema_note(self, django_field) -> str | None:
        """A `//` comment after the field in schema.prisma, where its type is not Django's column's."""
        return None


class PostgreSQL(Provider):
    name = "postgresql"

    def django_type(self, f: Field, autoincrement: bool) -> DjangoType:
        return DjangoType(*field_types.django_type(f, autoincrement))

    def enum_note(self, enum: Block, max_length: int) -> str:
        return f"PostgreSQL enum {enum.db_name or enum.name!r} in the database"

    def prisma_type(self, django_field) -> tuple[str, str | None]:
        return field_types.prisma_type(django_field, VARCHAR_TYPES)


class MySQL(Provider):
    """`native_uuid`: the server has a uuid column type (MariaDB 10.7+), which Django's UUIDField
    then uses; elsewhere a UUIDField is char(32) of hex digits."""

    name = "mysql"
    max_identifier_length = 64

    def __init__(self, native_uuid: bool = False):
        self.native_uuid = native_uuid

    def django_type(self, f: Field, autoincrement: bool) -> DjangoType:
        return DjangoType(*mysql_types.django_type(f, autoincrement))

    def enum_note(self, enum: Block, max_length: int) -> str:
        return mysql_types.enum_note([v.db_name or v.name for v in enum.values], max_length)

    def link_table_note(self) -> str | None:
        return "MySQL: Prisma's table has a unique key on (A, B) (see Meta) instead of this primary key"

    def foreign_key_note(
        self, scalar: Field, referenced: Field, referenced_is_auto: bool, kind: str = "ForeignKey"
    ) -> str | None:
        return mysql_types.foreign_key_mismatch(scalar, referenced, referenced_is_auto, kind)

    def prisma_type(self, django_field) -> tuple[str, str | None]:
        if django_field.get_internal_type() == "UUIDField" and self.native_uuid:
            # Prisma has no uuid type for MySQL: the same 36-character text in a char(36).
            return "String", "Char(36)"
        return mysql_types.prisma_type(django_field, VARCHAR_TYPES)

    def writes_uuid_default(self, django_field) -> bool:
        # A UUIDField in char(32) holds hex digits: Prisma Client's uuid() would not fit.
        return self.native_uuid or django_field.get_internal_type() != "UUIDField"

    def schema_note(self, django_field) -> str | None:
        if django_field.get_internal_type() == "UUIDField" and self.native_uuid:
            return "MariaDB: Django's column is uuid, which Prisma's MySQL types lack; the text is the same"
        return None


POSTGRESQL = PostgreSQL()
MYSQL = MySQL()
BY_NAME = {"postgresql": POSTGRESQL, "postgres": POSTGRESQL, "mysql": MYSQL}


def provider_named(name: str | None) -> Provider:
    """PostgreSQL's rules for every provider but MySQL (as before MySQL was known here)."""
    return BY_NAME.get(name or "", POSTGRESQL)


def provider_of(schema: Schema) -> Provider:
    return provider_named(schema.provider)


def provider_for_connection(connection) -> tuple[Provider | None, str | None]:
    """The provider for a Django connection (None for databases other than PostgreSQL and MySQL)
    and, when the server could not be asked about its column types, why."""
    if connection.vendor != "mysql":
        return BY_NAME.get(connection.vendor), None
    try:
        return MySQL(native_uuid=bool(connection.features.has_native_uuid_field)), None
    except (DatabaseError, OSError) as error:
        reason = f"could not ask the MySQL server whether it has a uuid type ({error})"
        return MYSQL, reason
