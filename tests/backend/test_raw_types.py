"""raw() and cursor.execute() on columns the executor returns inexactly: the model's values
equal what the ORM reads (its compiler casts them) and what Django's native backend gives."""

import math
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction

from tests.testapp.models import Reading

pytestmark = pytest.mark.django_db(transaction=True)

DATA = {"$type": "Decimal", "value": "1.10", "big": 2**70, "neg": -(2**63) - 1}


def requests_sent() -> int:
    connection.ensure_connection()
    return connection.connection.transport.requests_sent


@pytest.fixture
def readings():
    return [
        Reading.objects.create(
            duration=timedelta(days=1, microseconds=5),
            value=math.nan,
            data=DATA,
            taken=datetime(2024, 5, 6, 7, 8, 9, 123456, UTC),
        ),
        Reading.objects.create(duration=-timedelta(hours=3), value=math.inf, data=[1, "x"]),
        Reading.objects.create(duration=None, value=-math.inf, data=None),
    ]


def _fields(reading):
    return (reading.duration, repr(reading.value), reading.data, reading.taken)


def test_raw_reads_what_the_orm_reads(readings):
    through_orm = [_fields(r) for r in Reading.objects.order_by("pk")]
    through_raw = [_fields(r) for r in Reading.objects.raw("SELECT * FROM readings ORDER BY id")]
    assert through_raw == through_orm
    assert through_raw == [
        (
            timedelta(days=1, microseconds=5),
            "nan",
            DATA,
            datetime(2024, 5, 6, 7, 8, 9, 123456, UTC),
        ),
        (-timedelta(hours=3), "inf", [1, "x"], None),
        (None, "-inf", None, None),
    ]


def test_raw_inside_atomic(readings):
    with transaction.atomic():
        Reading.objects.create(duration=timedelta(seconds=1), value=0.5, data={"$type": "X"})
        got = [_fields(r) for r in Reading.objects.raw("SELECT * FROM readings ORDER BY id")]
    assert got[-1] == (timedelta(seconds=1), "0.5", {"$type": "X"}, None)


def test_cursor_reads_as_psycopg_does(readings):
    with connection.cursor() as cursor:
        cursor.execute("SELECT duration, value, data FROM readings ORDER BY id")
        first = cursor.fetchone()
    assert first[0] == timedelta(days=1, microseconds=5)
    assert math.isnan(first[1])
    # Django's PostgreSQL backend loads jsonb as text (JSONField parses it): so does this one.
    assert first[2] == (
        '{"big": 1180591620717411303424, "neg": -9223372036854775809, "$type": "Decimal", '
        '"value": "1.10"}'
    )


def test_library_sql_with_catalog_types(readings):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.oid::regclass, c.reltype::regtype, c.oid FROM pg_class c "
            "WHERE c.oid = 'readings'::regclass"
        )
        relation, row_type, oid = cursor.fetchone()
    assert (relation, row_type) == ("readings", "readings")
    assert isinstance(oid, int) and oid > 0


def test_orm_statements_cost_one_request_raw_templates_one_more_once(readings):
    before = requests_sent()
    list(Reading.objects.filter(value__isnull=False))
    assert requests_sent() - before == 1  # the compiler's SQL is exact: never described
    list(Reading.objects.filter(value__isnull=False))
    assert requests_sent() - before == 2
    sql = "SELECT * FROM readings WHERE id >= %s /* test_raw_types */"
    before = requests_sent()
    list(Reading.objects.raw(sql, [0]))
    assert requests_sent() - before == 2  # described, then run
    list(Reading.objects.raw(sql, [1]))
    assert requests_sent() - before == 3  # described already
