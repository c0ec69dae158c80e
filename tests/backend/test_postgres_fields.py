"""contrib.postgres values the executor cannot return: selected as text, loaded as psycopg would."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.postgres.fields import (
    ArrayField,
    DateTimeRangeField,
    HStoreField,
    IntegerRangeField,
)
from django.contrib.postgres.search import SearchVectorField
from django.db import connection, models
from psycopg.types.range import Range

from django_prisma.postgres_fields import TextResultLoader, text_result_type

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "field, expected",
    [
        (IntegerRangeField(), "int4range"),
        (DateTimeRangeField(), "tstzrange"),
        (SearchVectorField(), "tsvector"),
        (HStoreField(), "hstore"),
        (ArrayField(models.IntegerField()), None),
        (ArrayField(models.CharField(max_length=10)), None),
        (ArrayField(ArrayField(models.IntegerField())), "integer[]"),
        (ArrayField(models.JSONField()), "jsonb[]"),
        (ArrayField(IntegerRangeField()), "int4range[]"),
        (ArrayField(models.DecimalField(max_digits=5, decimal_places=2)), None),
        (models.TextField(), None),
        (
            models.GeneratedField(
                expression=models.F("x"), output_field=IntegerRangeField(), db_persist=True
            ),
            "int4range",
        ),
    ],
)
def test_which_fields_are_selected_as_text(field, expected):
    assert text_result_type(field, connection) == expected


def select_text(sql):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ({sql})::text")
        return cursor.fetchone()[0]


def test_ranges_and_nested_arrays_load_as_psycopg_values():
    connection.ensure_connection()
    load = TextResultLoader("int4range")
    assert load(select_text("int4range(1, 10)"), None, connection) == Range(1, 10, "[)")
    assert load(select_text("'empty'::int4range"), None, connection) == Range(empty=True)
    numeric = TextResultLoader("numrange")(select_text("numrange(1.5, NULL)"), None, connection)
    assert numeric == Range(Decimal("1.5"), None, "[)")
    nested = TextResultLoader("integer[]")(
        select_text("ARRAY[[1, 2], [3, NULL]]"), None, connection
    )
    assert nested == [[1, 2], [3, None]]
    assert TextResultLoader("integer[]")(None, None, connection) is None


def test_tstzrange_in_the_connection_zone(settings):
    settings.USE_TZ = True
    connection.ensure_connection()
    value = TextResultLoader("tstzrange")(
        select_text("tstzrange('2020-01-01 00:00+02', NULL)"), None, connection
    )
    assert value.lower == datetime.datetime(2019, 12, 31, 22, tzinfo=datetime.UTC)
    assert value.upper is None


def test_unknown_element_type_arrays_parse_as_lists_of_text():
    connection.ensure_connection()
    assert TextResultLoader("no_such_type[]")('{a,"b c",NULL}', None, connection) == [
        "a",
        "b c",
        None,
    ]


def test_naive_datetime_ranges_are_tstzrange_literals():
    connection.ensure_connection()
    start = datetime.datetime(2020, 1, 1, 12)
    literal = connection.connection.as_literal(Range(start, None)).decode()
    assert literal.endswith("::tstzrange")
    # As psycopg's: integer ranges stay untyped, numeric ones are cast.
    assert connection.ops.compose_sql("SELECT %s", [Range(1, 5)]) == "SELECT '[1,5)'"
    composed = connection.ops.compose_sql("SELECT %s", [Range(Decimal(1), 5)])
    assert composed == "SELECT '[1,5)'::numrange"
