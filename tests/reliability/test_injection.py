"""SQL injection through every parameter path of the cursor and every ORM API that takes user
input: each payload must arrive as data (found again as itself) and change nothing else."""

from __future__ import annotations

import re

import django.db.utils
import pytest
from django.core.exceptions import FieldError
from django.db import connection
from django.db.models.expressions import RawSQL
from hypothesis import given

from django_prisma import dbapi
from django_prisma.cache import CacheStrategy
from tests.testapp.models import User

from .models import Value
from .test_properties import PROPERTY, TEXT, value_table  # noqa: F401 - fixture

PAYLOADS = [
    "'; DROP TABLE users; --",
    "' OR '1'='1",
    "' OR 1=1 --",
    "\\'; DROP TABLE users; --",
    "\\\\'; DELETE FROM users; --",
    "'); DELETE FROM users; --",
    "$$; DROP TABLE users; $$",
    "$tag$; DROP TABLE users; $tag$",
    "$1; DROP TABLE users",
    "%s; DROP TABLE users",
    "%(x)s",
    "%%s' OR '1'='1",
    "*/ DROP TABLE users; /*",
    "/* '; DROP TABLE users; -- */",
    "E'\\''; DROP TABLE users; --",
    "ʼ OR 1=1 --",
    "'||(SELECT string_agg(email, ',') FROM users)||'",
    "1; SELECT pg_sleep(3)",
    'users"; DROP TABLE users; --',
    "text\" = '' OR \"text",
    "'\r\n; DROP TABLE users; --",
]


@pytest.fixture
def canary(value_table):  # noqa: F811
    user = User.objects.create(email="canary@example.com", name="canary")
    yield user
    # Every payload was inert: the canary is intact and alone.
    assert list(User.objects.values_list("email", "name")) == [("canary@example.com", "canary")]


pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_orm_filters_and_raw_paths(payload, canary):
    row = Value.objects.create(text=payload, char=payload[:300], data={payload: payload})
    by = Value.objects.filter
    assert list(by(text=payload).values_list("pk", flat=True)) == [row.pk]
    assert by(text__contains=payload).count() == 1
    assert by(text__icontains=payload).count() == 1
    assert by(text__startswith=payload).count() == 1
    assert by(text__iendswith=payload).count() == 1
    assert by(text__regex=re.escape(payload).replace("\\ ", " ")).count() == 1
    assert by(text__in=[payload, "x"]).count() == 1
    assert Value.objects.exclude(text=payload).filter(pk=row.pk).count() == 0
    assert Value.objects.extra(where=["text = %s"], params=[payload]).count() == 1
    annotated = Value.objects.annotate(echo=RawSQL("%s", [payload])).get(pk=row.pk)
    assert annotated.echo == payload
    assert (
        by(pk=row.pk)
        .filter(id__in=RawSQL("SELECT id FROM reliability_values WHERE text = %s", [payload]))
        .count()
        == 1
    )  # noqa: E501
    # JSON: the payload as a key, as a value, in containment and key-existence lookups.
    # A key lookup: Django splits the path at "__", so only a payload without it names its key.
    key_lookup = {f"data__{payload}": payload}
    assert "__" not in payload and by(**key_lookup).count() == 1
    assert by(data__has_key=payload).count() == 1
    assert by(data__contains={payload: payload}).count() == 1
    assert by(data__has_any_keys=[payload, "x"]).count() == 1
    assert list(Value.objects.filter(pk=row.pk).values_list("data", flat=True)) == [
        {payload: payload}
    ]
    # update() and raw() with the payload as a parameter
    assert by(pk=row.pk).update(char=payload[::-1][:300]) == 1
    assert [
        v.pk
        for v in Value.objects.raw(
            "SELECT id, text FROM reliability_values WHERE text = %s", [payload]
        )
    ] == [row.pk]  # noqa: E501


@pytest.mark.parametrize("payload", PAYLOADS)
def test_order_by_and_values_on_user_input_are_refused(payload, canary):
    Value.objects.create(text="x")
    with pytest.raises((FieldError, ValueError)):
        list(Value.objects.order_by(payload))
    with pytest.raises((FieldError, ValueError)):
        list(Value.objects.values(payload))
    with pytest.raises((FieldError, ValueError)):
        list(Value.objects.filter(**{payload: 1}))
    assert Value.objects.count() == 1


@pytest.mark.parametrize("payload", PAYLOADS)
def test_cursor_parameter_paths(payload, canary):
    with connection.cursor() as cur:
        cur.execute("SELECT %s::text", [payload])
        assert cur.fetchone() == (payload,)
        cur.execute("SELECT %(p)s::text, %(p)s::text = %(q)s", {"p": payload, "q": payload})
        assert cur.fetchone() == (payload, True)
        cur.execute("SELECT %s::text = ANY(%s)", [payload, [payload, "x"]])
        assert cur.fetchone() == (True,)
        cur.execute("SELECT '%%' || %s::text || '--'", [payload])
        assert cur.fetchone() == ("%" + payload + "--",)
        cur.executemany("INSERT INTO reliability_values (text) VALUES (%s)", [[payload], [payload]])
        cur.execute("SELECT count(*) FROM reliability_values WHERE text = %s", [payload])
        assert cur.fetchone() == (2,)
        cur.execute("/* a comment */ SELECT %s::text -- %%s", [payload])
        assert cur.fetchone() == (payload,)
    # psycopg substitutes placeholders inside comments too, where a value could end the comment
    # ("*/", a newline): the driver keeps the substitution but makes it unable to.
    with connection.cursor() as cur:
        cur.execute("/* %s */ SELECT %s::text -- %s", [payload, payload, payload])
        assert cur.fetchone() == (payload,)
        cur.execute("SELECT 1 /* /* %s */ */ -- %s\n", [payload, payload])
        assert cur.fetchone() == (1,)
    # Inside a literal, quoted identifier or dollar quote the value would change the SQL, or end
    # the quote: refused before anything is sent.
    for sql in (
        "SELECT E'a%sb'",
        'SELECT 1 AS "%s"',
        "SELECT $$ %s $$",
        "SELECT $q$ %s $q$",
    ):
        with pytest.raises(django.db.utils.ProgrammingError) as info:
            with connection.cursor() as cur:
                cur.execute(sql, [payload])
        assert "placeholder inside" in str(info.value)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_cache_tags_refuse_hostile_names(payload):
    with pytest.raises(ValueError):
        CacheStrategy(ttl=60, tags=[payload])


@given(TEXT)
@PROPERTY
def test_random_text_is_inert_on_the_cursor(executor_server, payload):
    conn = dbapi.connect(executor_server.url, autocommit=True)
    try:
        cur = conn.cursor()
        cur.execute("SELECT %s::text, %s::text || %s::text", [payload, payload, "$1"])
        assert cur.fetchone() == (payload, payload + "$1")
    finally:
        conn.close()


def test_nul_in_a_payload_is_refused_before_anything_runs(canary):
    with pytest.raises(django.db.utils.DataError):
        Value.objects.filter(text="'\x00; DROP TABLE users; --").count()
