"""Converters for the columns the compiler casts because the executor cannot return them exactly."""

from datetime import timedelta
from decimal import Decimal


def decided_once(field, name: str, decide):
    """``decide()``, kept on ``field``: every column of every query asks how to cast and convert
    it, and the answer depends only on the field's class and database type (model fields live
    as long as their model)."""
    key = f"_django_prisma_{name}"
    try:
        return field.__dict__[key]
    except KeyError:
        value = field.__dict__[key] = decide()
        return value


def duration_from_epoch(value, expression, connection):
    if value is None or isinstance(value, timedelta):
        return value
    micros = int(Decimal(value) * 1_000_000)
    return timedelta(microseconds=micros)


def float_from_text(value, expression, connection):
    if isinstance(value, str):
        return float(value)
    return value


def returning_clause(ops, fields, cast_result):
    """``RETURNING`` the columns of ``fields``, each cast as the outermost SELECT's are
    (``cast_result(field, sql, connection, column=True)``, the dialect's): Django's clause for
    database defaults and, on Django 6, an UPDATE's returned columns."""
    if not fields:
        return "", ()
    columns = [
        cast_result(
            field,
            f"{ops.quote_name(field.model._meta.db_table)}.{ops.quote_name(field.column)}",
            ops.connection,
            column=True,
        )
        for field in fields
    ]
    return "RETURNING " + ", ".join(columns), ()
