"""System check: warn when Django models and the Prisma schema at SCHEMA_PATH disagree."""

from __future__ import annotations

from django.core import checks

from .errors import PSLError
from .parser import parse_path
from .providers import provider_of
from .relations import SCALAR_TYPES, implicit_many_to_many, relations

CHECK_ID = "django_prisma.W001"

# Django internal types that can hold each Prisma scalar type.
COMPATIBLE = {
    "String": {
        "CharField",
        "TextField",
        "SlugField",
        "EmailField",
        "URLField",
        "UUIDField",
        "GenericIPAddressField",
        "FileField",
        "ImageField",
        "FilePathField",
        "IPAddressField",
    },
    "Int": {
        "IntegerField",
        "AutoField",
        "SmallIntegerField",
        "SmallAutoField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
    },
    "BigInt": {"BigIntegerField", "BigAutoField", "PositiveBigIntegerField"},
    "Float": {"FloatField"},
    "Decimal": {"DecimalField"},
    "Boolean": {"BooleanField", "NullBooleanField"},
    "DateTime": {"DateTimeField", "DateField", "TimeField"},
    "Json": {"JSONField"},
    "Bytes": {"BinaryField"},
}


def _warning(message: str, obj) -> checks.Warning:
    return checks.Warning(message, obj=obj, id=CHECK_ID)


def _schema_tables(schema):
    tables = {}
    for model in schema.models:
        if model.ignored:
            continue
        columns = {}
        for field in model.fields:
            if field.type not in SCALAR_TYPES and not schema.enum(field.type):
                continue
            mapped = field.attribute("map")
            columns[mapped.arg("name", 0) if mapped else field.name] = field
        fks = {}
        for side in relations(schema, model):
            for name in side.fields:
                scalar = model.field(name)
                if scalar is not None:
                    mapped = scalar.attribute("map")
                    fks[mapped.arg("name", 0) if mapped else name] = side.target.table_name
        tables[model.table_name] = (model, columns, fks)
    for m2m in implicit_many_to_many(schema, [m for m in schema.models if not m.ignored]):
        # Prisma's `_<relation>` table: A and B reference each side's @id.
        columns, fks = {}, {}
        for column, side in (("A", m2m.a), ("B", m2m.b)):
            key = next((f for f in side.model.fields if f.attribute("id") is not None), None)
            if key is not None:
                columns[column] = key
                fks[column] = side.model.table_name
        tables[m2m.table] = (m2m.a.model, columns, fks)
    return tables


def drift(django_models, schema) -> list[checks.Warning]:
    """Disagreements between Django models and a parsed schema, as check warnings."""
    tables = _schema_tables(schema)
    provider = provider_of(schema)
    # A schema that has none of an app's tables is not about that app (a Prisma-first schema
    # rarely lists django.contrib's tables): only the apps it covers are compared.
    covered_apps = {
        model._meta.app_label for model in django_models if model._meta.db_table in tables
    }
    out = []
    for model in django_models:
        opts = model._meta
        if opts.proxy or not opts.managed and opts.db_table not in tables:
            continue
        if opts.app_label not in covered_apps:
            continue
        entry = tables.get(opts.db_table)
        if entry is None:
            out.append(_warning(f"table {opts.db_table!r} is not in the Prisma schema", model))
            continue
        prisma_model, columns, fks = entry
        for field in opts.local_fields:
            if field.column is None:
                continue
            where = f"{opts.db_table}.{field.column}"
            prisma_field = columns.get(field.column)
            if prisma_field is None:
                out.append(
                    _warning(f"column {where} is not in Prisma model {prisma_model.name}", field)
                )
                continue
            source = field.target_field if field.is_relation else field
            internal = source.get_internal_type()
            allowed = COMPATIBLE.get(prisma_field.type)
            if allowed is not None and internal not in allowed and internal != "ArrayField":
                out.append(
                    _warning(
                        f"column {where}: Django {internal}, Prisma {prisma_field.type}", field
                    )
                )
            elif allowed is not None and internal == "CharField" and prisma_field.type == "String":
                expected = provider.django_type(prisma_field, False).kwargs.get("max_length")
                if expected not in (None, source.max_length):
                    out.append(
                        _warning(
                            f"column {where}: max_length {source.max_length} vs Prisma {expected}",
                            field,
                        )
                    )
            if field.null != prisma_field.optional and not field.primary_key:
                state = "nullable" if field.null else "NOT NULL"
                out.append(
                    _warning(f"column {where} is {state} in Django but not in Prisma", field)
                )
            if field.is_relation:
                target = field.related_model._meta.db_table
                if fks.get(field.column) != target:
                    out.append(
                        _warning(
                            f"column {where}: Django relates it to {target!r}, Prisma to {fks.get(field.column)!r}",
                            field,
                        )
                    )
            elif field.column in fks:
                out.append(
                    _warning(
                        f"column {where} is a foreign key to {fks[field.column]!r} in Prisma only",
                        field,
                    )
                )
        django_columns = {f.column for f in opts.local_fields}
        for column in columns:
            if column not in django_columns:
                out.append(
                    _warning(
                        f"column {opts.db_table}.{column} is in the Prisma schema but not in Django",
                        model,
                    )
                )
    return out


def check_prisma_schema(app_configs=None, databases=None, **kwargs):
    from django.apps import apps
    from django.conf import settings
    from django.db import router

    out = []
    for alias in databases or settings.DATABASES:
        config = settings.DATABASES.get(alias, {})
        if not str(config.get("ENGINE", "")).startswith("django_prisma") or not config.get(
            "SCHEMA_PATH"
        ):
            continue
        try:
            schema = parse_path(config["SCHEMA_PATH"])
        except (PSLError, OSError) as error:
            out.append(
                _warning(f"cannot read the Prisma schema for database {alias!r}: {error}", None)
            )
            continue
        configs = app_configs or apps.get_app_configs()
        models = [
            m
            for c in configs
            for m in c.get_models(include_auto_created=True)
            if router.allow_migrate_model(alias, m)
        ]
        out += drift(models, schema)
    return out


def register_checks() -> None:
    """Register the drift check; it reads only files, so it runs with every `manage.py check`."""
    checks.register(check_prisma_schema, checks.Tags.models)
