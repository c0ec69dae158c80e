"""Converters for the columns the compiler casts because the executor cannot return them exactly."""

from datetime import timedelta
from decimal import Decimal


def duration_from_epoch(value, expression, connection):
    if value is None or isinstance(value, timedelta):
        return value
    micros = int(Decimal(value) * 1_000_000)
    return timedelta(microseconds=micros)


def float_from_text(value, expression, connection):
    if isinstance(value, str):
        return float(value)
    return value
