"""Prisma's MySQL column types <-> Django fields for Django's MySQL backend.

Prisma's side (its MySQL connector): a field without `@db.*` gets its scalar type's default column
type (`String` varchar(191), `DateTime` datetime(3), `Float` double, `Decimal` decimal(65,30),
`Boolean` tinyint(1), `Bytes` longblob, `Json` json), an enum an inline ENUM(...) column.
Django's side is its MySQL backend's `data_types` (CharField varchar(n), TextField longtext,
DateTimeField datetime(6), PositiveIntegerField integer UNSIGNED, ...). Where Django has no field
whose column is Prisma's, the closest one is chosen and `mismatch` says what differs; the
generated models carry that as a comment.
"""

from __future__ import annotations

from .ast import Field
from .field_types import native

# Prisma's MySQL column type for each scalar type when the field has no `@db.*` attribute.
DEFAULT_NATIVE = {
    "String": ("VarChar", [191]),
    "Int": ("Int", []),
    "BigInt": ("BigInt", []),
    "Float": ("Double", []),
    "Decimal": ("Decimal", [65, 30]),
    "Boolean": ("TinyInt", []),
    "DateTime": ("DateTime", [3]),
    "Bytes": ("LongBlob", []),
    "Json": ("Json", []),
}

# Integer native types: (Django field, its MySQL column, the auto field closest to it).
INTEGERS = {
    "Int": ("models.IntegerField", "int", "models.AutoField"),
    "UnsignedInt": ("models.PositiveIntegerField", "int unsigned", "models.AutoField"),
    "SmallInt": ("models.SmallIntegerField", "smallint", "models.SmallAutoField"),
    "UnsignedSmallInt": (
        "models.PositiveSmallIntegerField",
        "smallint unsigned",
        "models.SmallAutoField",
    ),
    "TinyInt": ("models.SmallIntegerField", "smallint", "models.SmallAutoField"),
    "UnsignedTinyInt": (
        "models.PositiveSmallIntegerField",
        "smallint unsigned",
        "models.SmallAutoField",
    ),
    "MediumInt": ("models.IntegerField", "int", "models.AutoField"),
    "UnsignedMediumInt": ("models.PositiveIntegerField", "int unsigned", "models.AutoField"),
    "BigInt": ("models.BigIntegerField", "bigint", "models.BigAutoField"),
    "UnsignedBigInt": ("models.PositiveBigIntegerField", "bigint unsigned", "models.BigAutoField"),
    "Year": ("models.PositiveSmallIntegerField", "smallint unsigned", "models.SmallAutoField"),
}
# The column each auto field makes (always signed; AUTO_INCREMENT aside).
AUTO_COLUMNS = {
    "models.AutoField": "int",
    "models.SmallAutoField": "smallint",
    "models.BigAutoField": "bigint",
}
TEXTS = {"TinyText": "tinytext", "Text": "text", "MediumText": "mediumtext", "LongText": "longtext"}


def prisma_column(kind: str, args: list) -> str:
    """Prisma's column type for a MySQL native type, as MariaDB/MySQL spell it (lower case)."""
    if kind.startswith("Unsigned"):
        return prisma_column(kind[len("Unsigned") :], []) + " unsigned"
    if kind == "Decimal":
        return f"decimal({args[0]},{args[1]})" if args else "decimal(65,30)"
    name = {"Int": "int"}.get(kind, kind.lower())
    if not args or (kind in ("DateTime", "Timestamp", "Time") and args == [0]):
        return name  # a fractional-seconds precision of 0 is the type's own
    return f"{name}({','.join(map(str, args))})"


def native_or_default(field: Field) -> tuple[str, list]:
    kind, args = native(field)
    if kind is None:
        return DEFAULT_NATIVE[field.type]
    return kind, args


def django_type(field: Field, autoincrement: bool) -> tuple[str, dict, str | None]:
    """The Django field class, its keyword arguments, and what its column lacks, if anything."""
    kind, args = native_or_default(field)
    column = prisma_column(kind, args)
    dj_class, kwargs, django_column = _closest(field.type, kind, args, autoincrement)
    if django_column == column or (field.type == "Boolean" and kind == "TinyInt"):
        return dj_class, kwargs, None
    return (
        dj_class,
        kwargs,
        f"MySQL: Prisma's column is {column}; {dj_class[7:]} makes {django_column}",
    )


def foreign_key_mismatch(
    scalar: Field, referenced: Field, referenced_is_auto: bool, kind: str = "ForeignKey"
) -> str | None:
    """A foreign key's column is the referenced field's type in Django (an AutoField's is its
    integer), the scalar's own in Prisma: they differ where the referenced one had no exact field."""
    if referenced.type not in DEFAULT_NATIVE or scalar.type != referenced.type:
        return None  # an enum or Unsupported key: typed alike on both sides
    column = prisma_column(*native_or_default(scalar))
    target_kind, target_args = native_or_default(referenced)
    _, _, django_column = _closest(referenced.type, target_kind, target_args, referenced_is_auto)
    if django_column == column or referenced.type == "Boolean":
        return None
    return f"MySQL: Prisma's column is {column}; {kind} makes {django_column}"


def _closest(type_name: str, kind: str, args: list, autoincrement: bool) -> tuple[str, dict, str]:
    """The Django field nearest to the native type, and the column Django's MySQL backend makes."""
    if type_name == "String":
        if kind in ("VarChar", "Char") and args:
            return "models.CharField", {"max_length": args[0]}, f"varchar({args[0]})"
        return "models.TextField", {}, "longtext"
    if type_name in ("Int", "BigInt") and kind in INTEGERS:
        dj_class, django_column, auto = INTEGERS[kind]
        if autoincrement:
            return auto, {}, AUTO_COLUMNS[auto]
        return dj_class, {}, django_column
    if type_name == "Float":
        return "models.FloatField", {}, "double"
    if type_name == "Decimal":
        digits, places = args if args else DEFAULT_NATIVE["Decimal"][1]
        return (
            "models.DecimalField",
            {"max_digits": digits, "decimal_places": places},
            f"decimal({digits},{places})",
        )
    if type_name == "Boolean":
        return "models.BooleanField", {}, "tinyint(1)"
    if type_name == "DateTime":
        if kind == "Date":
            return "models.DateField", {}, "date"
        if kind == "Time":
            return "models.TimeField", {}, "time(6)"
        return "models.DateTimeField", {}, "datetime(6)"
    if type_name == "Json":
        return "models.JSONField", {}, "json"
    if type_name == "Bytes":
        kwargs = {"max_length": args[0]} if kind in ("VarBinary", "Binary") and args else {}
        return "models.BinaryField", kwargs, "longblob"
    raise KeyError(type_name)


def enum_note(values: list[str], max_length: int) -> str:
    quoted = ",".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"MySQL: Prisma's column is enum({quoted}); CharField makes varchar({max_length})"


# Django fields -> Prisma (scalar type, native type) for a project on MySQL: the native type is
# left out where it is Prisma's default for the scalar, so `prisma db pull` writes the same.
SCALARS = {
    "AutoField": ("Int", None),
    "BigAutoField": ("BigInt", None),
    "SmallAutoField": ("Int", "SmallInt"),
    "IntegerField": ("Int", None),
    "PositiveIntegerField": ("Int", "UnsignedInt"),
    "BigIntegerField": ("BigInt", None),
    "PositiveBigIntegerField": ("BigInt", "UnsignedBigInt"),
    "SmallIntegerField": ("Int", "SmallInt"),
    "PositiveSmallIntegerField": ("Int", "UnsignedSmallInt"),
    "FloatField": ("Float", None),
    "BooleanField": ("Boolean", None),
    "NullBooleanField": ("Boolean", None),
    "TextField": ("String", "LongText"),
    "UUIDField": ("String", "Char(32)"),  # Django stores the 32 hex digits
    "DateTimeField": ("DateTime", "DateTime(6)"),
    "DateField": ("DateTime", "Date"),
    "TimeField": ("DateTime", "Time(6)"),
    "BinaryField": ("Bytes", None),
    "JSONField": ("Json", None),
    "GenericIPAddressField": ("String", "Char(39)"),
    "IPAddressField": ("String", "Char(15)"),
    "DurationField": ("BigInt", None),  # microseconds
}


def prisma_type(field, varchar_types: frozenset[str]) -> tuple[str, str | None]:
    """Prisma scalar type and native type (without `@db.`) for a concrete Django field on MySQL."""
    internal = field.get_internal_type()
    if internal in varchar_types:
        if field.max_length == 191:
            return "String", None  # Prisma's default String column
        return "String", f"VarChar({field.max_length})" if field.max_length else "LongText"
    if internal == "DecimalField":
        return "Decimal", f"Decimal({field.max_digits}, {field.decimal_places})"
    if internal in SCALARS:
        return SCALARS[internal]
    return "Unsupported", internal
