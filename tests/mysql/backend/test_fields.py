"""Every Django field's values, both ways, exactly: written and read through django_prisma.mysql,
and compared with Django's own MySQL backend (on PyMySQL) on the same MariaDB database: each reads
what the other wrote, and both leave the same bytes in the table."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.db import connections
from django.db.models import F, Max, Min, PositiveBigIntegerField, Value
from django.db.models.functions import Cast
from django.test import override_settings

from tests.mysql.conftest import pymysql_connect

from .conftest import database_url_of
from .models import Everything, Gauge, Measurement
from .native import run_native

FIELDS = [f.name for f in Everything._meta.concrete_fields if f.name != "id"]
KOLKATA = dt.timezone(dt.timedelta(hours=5, minutes=30))


def rows(aware: bool) -> list[dict]:
    """Extreme and awkward values of every field (and a row of NULLs)."""

    def when(*args):
        value = dt.datetime(*args)
        return value.replace(tzinfo=dt.UTC) if aware else value

    return [
        {
            "when": when(2024, 2, 29, 23, 59, 59, 999999),
            "day": dt.date(1000, 1, 1),
            "clock": dt.time(23, 59, 59, 999999),
            "duration": dt.timedelta(days=-1, microseconds=1),
            "amount": Decimal("12345678901234567890123456789012345.123456789012345678901234567891"),
            "big": -(2**63),
            "positive_big": 2**64 - 1,
            "positive": 2**32 - 1,
            "small": -32768,
            "number": 0.1 + 0.2,
            "flag": True,
            "data": {"big": 12345678901234567890, "nested": [{"z": None, "a": [1.5, "ü😀"]}]},
            "blob": b"\x00\xff'\\\"\n",
            "uid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
            "text": 'it\'s "quoted" \\ back\\slash 100% _x_ 😀 \x00 end',
            "long_text": "line\nbreak\r\n\x1a" + "é" * 3000,
        },
        {
            "when": when(1970, 1, 1, 0, 0, 0, 1),
            "day": dt.date(9999, 12, 31),
            "clock": dt.time(0, 0),
            "duration": dt.timedelta(days=999999, seconds=86399, microseconds=999999),
            "amount": Decimal("-0.000000000000000000000000000001"),
            "big": 2**63 - 1,
            "positive_big": 0,
            "positive": 0,
            "small": 32767,
            "number": -1.7976931348623157e308,
            "flag": False,
            "data": ["a", 1, 2**53 + 1, {"k": "v"}, True, None, -0.5],
            "blob": b"",
            "uid": uuid.UUID(int=0),
            "text": "",
            "long_text": "",
        },
        {"data": 'a JSON string, "quoted"'},
        {name: None for name in FIELDS},
    ]


def values_of(obj) -> dict:
    values = {name: getattr(obj, name) for name in FIELDS}
    if isinstance(values["blob"], memoryview):
        values["blob"] = bytes(values["blob"])
    return values


def expected(row: dict) -> dict:
    return {name: row.get(name) for name in FIELDS}


@pytest.mark.parametrize("use_tz", [True, False], ids=["USE_TZ", "naive"])
def test_every_field_round_trips_exactly(mydb, use_tz):
    with override_settings(USE_TZ=use_tz):
        written = [Everything.objects.using("mysql").create(**row) for row in rows(use_tz)]
        read = {obj.pk: obj for obj in Everything.objects.using("mysql").all()}
        for obj, row in zip(written, rows(use_tz), strict=True):
            assert values_of(read[obj.pk]) == expected(row)
        assert type(read[written[0].pk].positive_big) is int
        assert type(read[written[0].pk].positive) is int
        values = Everything.objects.using("mysql").order_by("pk").values_list(*FIELDS)
        assert [dict(zip(FIELDS, v, strict=True)) for v in values] == [
            expected(row) for row in rows(use_tz)
        ]


def test_aware_datetimes_in_another_zone_are_the_same_instant(mydb):
    instant = dt.datetime(2024, 6, 1, 12, 0, 0, 123456, tzinfo=KOLKATA)
    obj = Everything.objects.using("mysql").create(when=instant)
    again = Everything.objects.using("mysql").get(pk=obj.pk)
    assert again.when == instant and again.when.utcoffset() == dt.timedelta(0)
    assert again.when.microsecond == 123456


def test_lookups_with_exact_values(mydb):
    first, second, *_ = rows(True)
    Everything.objects.using("mysql").create(**first)
    Everything.objects.using("mysql").create(**second)
    objects = Everything.objects.using("mysql")
    assert objects.filter(when=first["when"]).count() == 1
    assert objects.filter(when__gt=first["when"] - dt.timedelta(microseconds=1)).count() == 1
    assert objects.filter(positive_big=2**64 - 1).count() == 1
    assert objects.filter(amount=first["amount"]).count() == 1
    assert objects.filter(uid=first["uid"]).count() == 1
    assert objects.filter(blob=first["blob"]).count() == 1
    assert objects.filter(duration=first["duration"]).count() == 1
    assert objects.filter(clock=first["clock"]).count() == 1
    # LIKE patterns: %, _ and backslashes in the value match themselves only.
    assert objects.filter(text__contains="100% _x_").count() == 1
    assert objects.filter(text__contains="back\\slash").count() == 1
    assert objects.filter(text__startswith="it's \"").count() == 1
    assert objects.filter(text__contains="%_").count() == 0
    assert objects.filter(data__big=12345678901234567890).count() == 1
    assert objects.filter(data__nested__0__a__1="ü😀").count() == 1
    assert objects.filter(data__contains={"big": 12345678901234567890}).count() == 1


def test_computed_values_are_exact(mydb):
    first, second, *_ = rows(True)
    Everything.objects.using("mysql").create(**first)
    Everything.objects.using("mysql").create(**second)
    objects = Everything.objects.using("mysql")
    assert objects.aggregate(latest=Max("when"), earliest=Min("when")) == {
        "latest": first["when"],
        "earliest": second["when"],
    }
    # An unsigned 64-bit result of an expression (CAST(… AS UNSIGNED)).
    top = objects.annotate(
        top=Cast(Value(2**64 - 1), PositiveBigIntegerField()),
        same=F("positive_big") + 0,
    ).get(positive_big=2**64 - 1)
    assert (top.top, top.same) == (2**64 - 1, 2**64 - 1)
    assert objects.aggregate(Max("positive_big")) == {"positive_big__max": 2**64 - 1}
    assert objects.aggregate(Max("amount")) == {"amount__max": first["amount"]}
    data = objects.filter(pk__in=objects.values("pk")).values_list("data", flat=True)
    assert sorted(data, key=str) == sorted([first["data"], second["data"]], key=str)


def test_int_unsigned_columns_and_foreign_keys_to_them(mydb):
    # PositiveIntegerField is MySQL's int unsigned, and so is a foreign key to such a key.
    gauge = Gauge.objects.using("mysql").create(code=2**32 - 1, label="top")
    Measurement.objects.using("mysql").create(gauge=gauge, count=7)
    measurement = Measurement.objects.using("mysql").select_related("gauge").get()
    assert (measurement.gauge_id, measurement.count) == (2**32 - 1, 7)
    assert measurement.gauge.code == 2**32 - 1 and type(measurement.gauge_id) is int
    assert list(Measurement.objects.using("mysql").values_list("gauge", "count")) == [
        (2**32 - 1, 7)
    ]
    assert Gauge.objects.using("mysql").aggregate(Max("code")) == {"code__max": 2**32 - 1}


def test_the_uuid_column_is_mariadbs_native_uuid(mydb):
    with pymysql_connect(database_url_of(mydb)) as reference, reference.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, column_type FROM information_schema.columns "
            "WHERE table_schema = DATABASE() AND table_name = 'everything' "
            "AND column_name IN ('uid', 'when', 'clock', 'positive_big', 'data') ORDER BY 1"
        )
        assert dict(cursor.fetchall()) == {
            "clock": "time(6)",
            "data": "longtext",
            "positive_big": "bigint(20) unsigned",
            "uid": "uuid",
            "when": "datetime(6)",
        }


NATIVE_ROUND_TRIP = """
from tests.mysql.backend.models import Everything
names = [f.name for f in Everything._meta.concrete_fields if f.name != "id"]
def values(obj):
    out = {name: getattr(obj, name) for name in names}
    if isinstance(out["blob"], memoryview):
        out["blob"] = bytes(out["blob"])
    return out
read = [values(Everything.objects.get(pk=pk)) for pk in payload["pks"]]
written = [Everything.objects.create(**row).pk for row in payload["rows"]]
result = {"read": read, "written": written}
"""


@pytest.mark.parametrize("use_tz", [True, False], ids=["USE_TZ", "naive"])
def test_djangos_own_mysql_backend_reads_and_writes_the_same_values(mydb, use_tz):
    values = rows(use_tz)
    with override_settings(USE_TZ=use_tz):
        ours = [Everything.objects.using("mysql").create(**row).pk for row in values]
        answer = run_native(
            database_url_of(mydb),
            NATIVE_ROUND_TRIP,
            {"pks": ours, "rows": values},
            use_tz=use_tz,
        )
        assert answer["read"] == [expected(row) for row in values]
        theirs = answer["written"]
        for pk, row in zip(theirs, values, strict=True):
            assert values_of(Everything.objects.using("mysql").get(pk=pk)) == expected(row)
    # The same bytes in the table, whoever wrote them (read by PyMySQL, a real MySQL client).
    with pymysql_connect(database_url_of(mydb)) as reference, reference.cursor() as cursor:
        columns = ", ".join(f"`{name}`" for name in FIELDS)
        stored = {}
        for pk in ours + theirs:
            cursor.execute(f"SELECT {columns} FROM everything WHERE id = %s", [pk])
            stored[pk] = cursor.fetchone()
    assert [stored[pk] for pk in ours] == [stored[pk] for pk in theirs]


def test_raw_cursor_rows_are_pymysqls(mydb):
    Everything.objects.using("mysql").create(**rows(True)[0])
    sql = (
        "SELECT big, positive_big, amount, day, duration, small, number, flag, uid, text, "
        "long_text, `blob`, CAST(`when` AS CHAR), clock FROM everything"
    )
    with connections["mysql"].cursor() as cursor:
        cursor.execute(sql)
        ours = cursor.fetchall()
    with pymysql_connect(database_url_of(mydb)) as reference, reference.cursor() as cursor:
        cursor.execute(sql)
        theirs = cursor.fetchall()
    # TIME: Django asks MySQLdb for datetime.time; PyMySQL's default is a timedelta.
    assert [row[:-1] for row in ours] == [row[:-1] for row in theirs]
    assert ours[0][-1] == dt.time(23, 59, 59, 999999)
    assert theirs[0][-1] == dt.timedelta(hours=23, minutes=59, seconds=59, microseconds=999999)


def test_json_text_of_keys(mydb):
    # JSON_UNQUOTE() results: text that could pass for base64 ("abcd") stays text.
    from django.db.models.fields.json import KT

    Everything.objects.using("mysql").create(
        data={"s": "abcd", "big": 12345678901234567890, "t": "héllo", "n": None}
    )
    row = (
        Everything.objects.using("mysql")
        .annotate(s=KT("data__s"), b=KT("data__big"), t=KT("data__t"), n=KT("data__n"))
        .values("s", "b", "t", "n", "data__s")
        .get()
    )
    assert row == {
        "s": "abcd",
        "b": "12345678901234567890",
        "t": "héllo",
        "n": "null",
        "data__s": "abcd",
    }
