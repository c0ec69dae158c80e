"""PostgreSQL: Prisma scalar and native types <-> Django fields (MySQL's are in `mysql_types`)."""

from __future__ import annotations

from .ast import Field

# Prisma's PostgreSQL default for a Decimal without @db.Decimal is decimal(65, 30).
DEFAULT_DECIMAL = (65, 30)


def native(field: Field) -> tuple[str | None, list]:
    attr = field.native_type
    if attr is None:
        return None, []
    return attr.name.split(".", 1)[1], [a.value for a in attr.args]


def django_type(field: Field, autoincrement: bool) -> tuple[str, dict]:
    """The Django field class (as `models.X`) and keyword arguments for a scalar Prisma field."""
    kind, args = native(field)
    type_name = field.type
    if type_name == "String":
        if kind in ("VarChar", "Char", "NVarChar", "NChar") and args and isinstance(args[0], int):
            return "models.CharField", {"max_length": args[0]}
        if kind == "Uuid" or kind == "UniqueIdentifier":
            return "models.UUIDField", {}
        if kind == "Inet":
            return "models.GenericIPAddressField", {}
        return "models.TextField", {}
    if type_name == "Int":
        if autoincrement:
            return ("models.SmallAutoField" if kind == "SmallInt" else "models.AutoField"), {}
        if kind in ("SmallInt", "Int2"):
            return "models.SmallIntegerField", {}
        return "models.IntegerField", {}
    if type_name == "BigInt":
        return ("models.BigAutoField" if autoincrement else "models.BigIntegerField"), {}
    if type_name == "Float":
        return "models.FloatField", {}
    if type_name == "Decimal":
        digits, places = (args + [None, None])[:2] if args else DEFAULT_DECIMAL
        return "models.DecimalField", {"max_digits": digits or 65, "decimal_places": places or 0}
    if type_name == "DateTime":
        if kind == "Date":
            return "models.DateField", {}
        if kind in ("Time", "Timetz"):
            return "models.TimeField", {}
        return "models.DateTimeField", {}
    if type_name == "Boolean":
        return "models.BooleanField", {}
    if type_name == "Json":
        return "models.JSONField", {}
    if type_name == "Bytes":
        return "models.BinaryField", {}
    raise KeyError(type_name)


# Django fields -> Prisma (scalar type, native type) for a project on PostgreSQL.
SCALARS = {
    "AutoField": ("Int", None),
    "BigAutoField": ("BigInt", None),
    "SmallAutoField": ("Int", "SmallInt"),
    "IntegerField": ("Int", None),
    "PositiveIntegerField": ("Int", None),
    "BigIntegerField": ("BigInt", None),
    "PositiveBigIntegerField": ("BigInt", None),
    "SmallIntegerField": ("Int", "SmallInt"),
    "PositiveSmallIntegerField": ("Int", "SmallInt"),
    "FloatField": ("Float", "DoublePrecision"),
    "BooleanField": ("Boolean", None),
    "NullBooleanField": ("Boolean", None),
    "TextField": ("String", None),
    "UUIDField": ("String", "Uuid"),
    "DateTimeField": ("DateTime", "Timestamptz(6)"),
    "DateField": ("DateTime", "Date"),
    "TimeField": ("DateTime", "Time(6)"),
    "BinaryField": ("Bytes", None),
    "JSONField": ("Json", "JsonB"),
    "GenericIPAddressField": ("String", "Inet"),
    "IPAddressField": ("String", "Inet"),
}


def prisma_type(field, varchar_types: frozenset[str]) -> tuple[str, str | None]:
    """Prisma scalar type and native type (without `@db.`) for a concrete Django field on PostgreSQL."""
    internal = field.get_internal_type()
    if internal in varchar_types:
        return "String", f"VarChar({field.max_length})" if field.max_length else None
    if internal == "DecimalField":
        return "Decimal", f"Decimal({field.max_digits}, {field.decimal_places})"
    if internal == "DurationField":
        return "Unsupported", "interval"
    if internal in SCALARS:
        return SCALARS[internal]
    return "Unsupported", internal
