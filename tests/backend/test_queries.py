import datetime
import math
import uuid
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Avg, Count, F, Q, Sum
from django.test.utils import CaptureQueriesContext

from tests.testapp.models import Pet, User

pytestmark = pytest.mark.django_db


def make_users(n):
    return User.objects.bulk_create(
        [User(email=f"u{i}@example.com", name=f"user {i}") for i in range(n)]
    )


def test_iterator_reads_every_row_in_order():
    make_users(250)
    emails = [u.email for u in User.objects.order_by("id").iterator(chunk_size=100)]
    assert len(emails) == 250 and emails[0] == "u0@example.com"


def test_select_for_update_inside_atomic():
    make_users(1)
    with transaction.atomic():
        user = User.objects.select_for_update().get()
        user.name = "locked"
        user.save()
    assert User.objects.get().name == "locked"


def test_nested_atomic_savepoint_rollback_keeps_outer_work():
    with transaction.atomic():
        User.objects.create(email="outer@example.com")
        with pytest.raises(RuntimeError), transaction.atomic():
            User.objects.create(email="inner@example.com")
            raise RuntimeError
    assert list(User.objects.values_list("email", flat=True)) == ["outer@example.com"]


def test_integrity_error_inside_atomic_then_recovery():
    from django.db import IntegrityError

    User.objects.create(email="dup@example.com")
    with transaction.atomic():
        with pytest.raises(IntegrityError), transaction.atomic():
            User.objects.create(email="dup@example.com")
        User.objects.create(email="other@example.com")
    assert User.objects.count() == 2


def test_on_commit_runs_after_commit_only(django_capture_on_commit_callbacks):
    calls = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            User.objects.create(email="a@example.com")
            transaction.on_commit(lambda: calls.append("committed"))
            assert calls == []
    assert calls == ["committed"] and len(callbacks) == 1


@pytest.mark.django_db(transaction=True)
def test_on_commit_in_a_real_transaction():
    calls = []
    with transaction.atomic():
        User.objects.create(email="b@example.com")
        transaction.on_commit(lambda: calls.append("committed"))
        assert calls == []
    assert calls == ["committed"]
    with pytest.raises(RuntimeError), transaction.atomic():
        transaction.on_commit(lambda: calls.append("rolled back"))
        raise RuntimeError
    assert calls == ["committed"]


def test_aggregates_annotations_and_q():
    users = make_users(3)
    for i, user in enumerate(users):
        Pet.objects.bulk_create([Pet(name=f"p{i}{j}", owner=user) for j in range(i + 1)])
    counts = dict(User.objects.annotate(n=Count("pets")).values_list("email", "n"))
    assert counts == {"u0@example.com": 1, "u1@example.com": 2, "u2@example.com": 3}
    assert Pet.objects.aggregate(total=Count("id"), avg=Avg(F("owner_id") * 0 + 2))["total"] == 6
    assert Pet.objects.filter(Q(name__startswith="p2") | Q(name="p00")).count() == 4
    assert User.objects.aggregate(s=Sum("pets__id"))["s"] == sum(
        Pet.objects.values_list("id", flat=True)
    )


def test_exact_values_through_the_orm_with_raw_sql():
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE exact_values (id serial PRIMARY KEY, d numeric, f float8, j jsonb, "
            "iv interval, u uuid, ts timestamptz)"
        )
        value = {"big": 12345678901234567890, "$type": "Decimal", "x": [1.10]}
        moment = datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=datetime.UTC)
        ident = uuid.uuid4()
        cursor.execute(
            "INSERT INTO exact_values (d, f, j, iv, u, ts) VALUES (%s, %s, %s, %s, %s, %s)",
            [
                Decimal("12345678901234567890.123456789"),
                float("nan"),
                '{"big": 12345678901234567890, "$type": "Decimal", "x": [1.10]}',
                datetime.timedelta(days=1, microseconds=5),
                ident,
                moment,
            ],
        )
        cursor.execute(
            "SELECT d, f::text, j::text, EXTRACT(EPOCH FROM iv), u, ts FROM exact_values"
        )
        d, f, j, iv, u, ts = cursor.fetchone()
    assert d == Decimal("12345678901234567890.123456789")
    assert math.isnan(float(f))
    import json

    assert json.loads(j, parse_float=Decimal) == {**value, "x": [Decimal("1.10")]}
    assert iv == Decimal("86400.000005")
    assert u == ident and ts == moment


def test_connection_queries_record_the_interpolated_sql(settings):
    settings.DEBUG = True
    with CaptureQueriesContext(connection) as ctx:
        list(User.objects.filter(email="x'y@example.com"))
    assert "'x''y@example.com'" in ctx.captured_queries[-1]["sql"]


def test_union_results_are_exact_too():
    from django.db.models import DurationField, ExpressionWrapper, JSONField, Value
    from django.db.models.functions import Cast

    make_users(2)
    big = {"n": 12345678901234567890, "$type": "Decimal"}
    first = (
        User.objects.filter(email="u0@example.com")
        .annotate(
            data=Value(big, output_field=JSONField()),
            gap=ExpressionWrapper(
                Value(datetime.timedelta(days=2, microseconds=7)), output_field=DurationField()
            ),
        )
        .values("email", "data", "gap")
    )
    second = (
        User.objects.filter(email="u1@example.com")
        .annotate(
            data=Cast(Value('{"n": 1}'), JSONField()),
            gap=ExpressionWrapper(
                Value(datetime.timedelta(seconds=1)), output_field=DurationField()
            ),
        )
        .values("email", "data", "gap")
    )
    rows = {row["email"]: row for row in first.union(second)}
    assert rows["u0@example.com"]["data"] == big
    assert rows["u0@example.com"]["gap"] == datetime.timedelta(days=2, microseconds=7)
    assert rows["u1@example.com"]["gap"] == datetime.timedelta(seconds=1)


def test_returning_columns_are_exact_too():
    # INSERT … RETURNING (database defaults) and, on Django 6, UPDATE … RETURNING (fields
    # assigned an expression are read back by save()) cast their columns like a SELECT's.
    import django
    from django.db import models
    from django.db.models import Value
    from django.test.utils import isolate_apps

    big = {"n": 12345678901234567890, "$type": "Decimal"}

    with isolate_apps("tests.testapp"):

        class Returned(models.Model):
            data = models.JSONField(db_default=Value(big, output_field=models.JSONField()))
            gap = models.DurationField(db_default=datetime.timedelta(days=1, microseconds=5))
            ratio = models.FloatField(default=1.5)

            class Meta:
                app_label = "testapp"
                db_table = "returned_columns"

        with connection.schema_editor() as editor:
            editor.create_model(Returned)
        row = Returned.objects.create()
        assert row.data == big
        assert row.gap == datetime.timedelta(days=1, microseconds=5)
        row.gap = F("gap") + datetime.timedelta(microseconds=1)
        row.ratio = F("ratio") * 2
        row.save()
        if django.VERSION >= (6, 0):
            assert row.gap == datetime.timedelta(days=1, microseconds=6)
            assert row.ratio == 3.0
        row.refresh_from_db()
        assert (row.gap, row.ratio) == (datetime.timedelta(days=1, microseconds=6), 3.0)
