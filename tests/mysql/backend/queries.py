"""ORM queries whose results django_prisma.mysql must give exactly as Django's own MySQL backend
does on the same rows: run in this process on the ``mysql`` alias, and in a subprocess on
Django's backend (native.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import (
    Avg,
    CharField,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.fields.json import KT
from django.db.models.functions import (
    Cast,
    Coalesce,
    Concat,
    ExtractYear,
    Lower,
    RowNumber,
    TruncDay,
    TruncMonth,
)

from .models import Everything, Gauge, Measurement

WHEN = dt.datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=dt.UTC)


def seed(using: str) -> None:
    gauge = Gauge.objects.using(using).create(code=2**32 - 1, label="top")
    Measurement.objects.using(using).create(gauge=gauge, count=3)
    Measurement.objects.using(using).create(gauge=gauge, count=2**32 - 1)
    for i in range(3):
        Everything.objects.using(using).create(
            when=WHEN - dt.timedelta(days=40 * i, microseconds=i),
            duration=dt.timedelta(days=1, microseconds=5 + i),
            amount=Decimal("1.000000000000000000000000000001") * (i + 1),
            positive=2**32 - 1 - i,
            positive_big=2**64 - 1 - i,
            data={"big": 12345678901234567890 + i, "s": "abcd", "nested": {"a": [i, "ü"]}},
            text=f'it\'s "{i}" \\ 😀',
            uid=f"12345678-1234-5678-1234-56781234567{i}",
            flag=i % 2 == 0,
        )


def _rows(using):
    return Everything.objects.using(using).order_by("pk")


QUERIES = {
    "instances": lambda u: [
        (e.when, e.duration, e.amount, e.positive, e.positive_big, e.data, e.text, e.uid)
        for e in _rows(u)
    ],
    "trunc": lambda u: list(
        _rows(u).annotate(d=TruncDay("when"), m=TruncMonth("when")).values_list("d", "m")
    ),
    "extract": lambda u: list(_rows(u).annotate(y=ExtractYear("when")).values_list("y", flat=True)),
    "datetimes": lambda u: list(Everything.objects.using(u).datetimes("when", "second")),
    "dates": lambda u: list(Everything.objects.using(u).dates("when", "month")),
    "window": lambda u: list(
        _rows(u)
        .annotate(r=Window(RowNumber(), order_by=F("when").asc()))
        .values_list("r", flat=True)
    ),
    "exists_subquery": lambda u: list(
        _rows(u)
        .annotate(
            e=Exists(Everything.objects.using(u).filter(pk=OuterRef("pk"), flag=True)),
            s=Subquery(Everything.objects.using(u).filter(pk=OuterRef("pk")).values("when")[:1]),
        )
        .values_list("e", "s")
    ),
    "union": lambda u: sorted(
        _rows(u)
        .values_list("when", "positive")
        .union(_rows(u).filter(flag=True).values_list("when", "positive"), all=True),
        key=str,
    ),
    "iterator": lambda u: [(e.when, e.positive) for e in _rows(u).iterator(chunk_size=2)],
    "json": lambda u: list(
        _rows(u).annotate(k=KT("data__big"), s=KT("data__s")).values_list("k", "s", "data__nested")
    ),
    "json_filters": lambda u: [
        _rows(u).filter(data__big__gt=12345678901234567890).count(),
        _rows(u).filter(data__nested__a__1="ü").count(),
        _rows(u).filter(data__has_key="s").count(),
    ],
    "text": lambda u: list(
        _rows(u)
        .annotate(c=Concat("text", Value("'x\\"), output_field=CharField()), l=Lower("text"))
        .values_list("c", "l")
    ),
    "arithmetic": lambda u: list(
        _rows(u)
        .annotate(
            d=F("duration") + dt.timedelta(seconds=1),
            w=F("when") + F("duration"),
            p=F("positive_big") - 1,
            c=Coalesce("positive", 0),
        )
        .values_list("d", "w", "p", "c")
    ),
    "aggregates": lambda u: Everything.objects.using(u).aggregate(
        avg=Avg("amount"),
        total=Sum("positive"),
        top=Max("positive_big"),
        latest=Max("when"),
        uids=Count("uid", distinct=True),
    ),
    "cast": lambda u: list(
        _rows(u).annotate(t=Cast("positive", CharField())).values_list("t", flat=True)
    ),
    "related": lambda u: (
        [
            (m.gauge.code, m.count)
            for m in Measurement.objects.using(u).select_related("gauge").order_by("pk")
        ]
        + [
            [m.count for m in g.measurements.order_by("pk")]
            for g in Gauge.objects.using(u).prefetch_related("measurements")
        ]
    ),
    "group_by": lambda u: list(
        Measurement.objects.using(u).values("gauge").annotate(n=Count("pk"), s=Sum("count"))
    ),
}


def run_all(using: str) -> dict:
    return {name: query(using) for name, query in QUERIES.items()}
