"""raw() and cursor.execute() on columns the executor returns inexactly: the model's values
equal what the ORM reads (its compiler casts them) and what Django's native backend gives."""

import json
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


def test_a_cursor_opened_while_the_orm_executes_reads_as_raw_sql(readings):
    """Tools that hook the SQL compiler run SQL of their own while it executes (django-silk:
    EXPLAIN of each query, tests/integrations/test_silk.py): only the compiler's cursor skips
    the description of its results, which its casts make exact."""
    sql = "SELECT data::json, value, duration FROM readings ORDER BY id"
    seen = []

    def query_after(execute, statement, params, many, context):
        result = execute(statement, params, many, context)
        if not seen:
            seen.append(None)  # once: this wrapper sees the statement below too
            with connection.cursor() as cursor:
                cursor.execute(sql)
                seen[0] = cursor.fetchall()
        return result

    with connection.execute_wrapper(query_after):
        list(Reading.objects.order_by("pk"))
    with connection.cursor() as cursor:
        cursor.execute(sql)
        alone = cursor.fetchall()
    assert [(d, repr(v), t) for d, v, t in seen[0]] == [(d, repr(v), t) for d, v, t in alone]
    assert alone[0] == (DATA, alone[0][1], timedelta(days=1, microseconds=5))  # json parsed


def test_explain_in_json_reads_as_psycopg_reads_it(readings):
    """EXPLAIN (FORMAT JSON)'s plan is of type json, which psycopg parses (Django reads only
    jsonb as text); the executor names both "json"."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) SELECT * FROM readings")
        ((plan,),) = cursor.fetchall()
        cursor.execute("SELECT data FROM readings ORDER BY id")  # jsonb: text, as natively
        assert isinstance(cursor.fetchone()[0], str)
    assert plan[0]["Plan"]["Relation Name"] == "readings"
    # Django's explain() writes each row's values with json.dumps: the plan, not a string of it.
    explained = json.loads(Reading.objects.filter(value__gt=0).explain(format="json"))
    assert explained[0]["Plan"]["Relation Name"] == "readings"
