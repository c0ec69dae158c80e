"""``QuerySet.iterator()`` visits every row of the result as it stood when iteration began, exactly
once, whatever the loop changes (chunked.py): a server-side cursor inside a transaction, reads by
primary key in autocommit. Compared with Django's native PostgreSQL backend on the same database
where the semantics agree, and with the one documented difference in autocommit (a row's values
are those current when its chunk is read; a row deleted before that is not yielded)."""

from __future__ import annotations

import contextlib
import datetime
import itertools
import uuid
from decimal import Decimal
from urllib.parse import urlparse

import pytest
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.db.backends.postgresql.base import DatabaseWrapper as PostgresWrapper
from django.db.models import (
    Count,
    DurationField,
    FloatField,
    JSONField,
    UUIDField,
    Value,
)
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django_prisma.dbapi import cursor as dbapi_cursor
from tests.settings import POSTGRES_URL
from tests.testapp.models import Pet, Toy, User, Visit

pytestmark = pytest.mark.django_db(transaction=True)

MODES = ["autocommit", "atomic"]


def mode_context(mode, using="default"):
    return transaction.atomic(using=using) if mode == "atomic" else contextlib.nullcontext()


def make_users(n, name="todo", using="default"):
    users = User.objects.using(using).bulk_create(
        [User(id=i + 1, email=f"u{i:03}@example.com", name=name) for i in range(n)]
    )
    with connections[using].cursor() as cursor:  # rows created later get ids after these
        cursor.execute("SELECT setval(pg_get_serial_sequence('users', 'id'), 1000)")
    return users


@pytest.fixture
def result_sizes(monkeypatch):
    """(columns, rows) of every result the driver decodes: what one request brought into
    memory."""
    sizes = []
    original = dbapi_cursor.Cursor._show

    def record(self, description, rows, rowcount):
        original(self, description, rows, rowcount)
        if description is not None:
            sizes.append((len(description), len(rows)))

    monkeypatch.setattr(dbapi_cursor.Cursor, "_show", record)
    return sizes


def open_server_cursors() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_catalog.pg_cursors WHERE name LIKE '_django%%'")
        return cursor.fetchone()[0]


# -- the 10 rows / chunk_size=3 cases -----------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("change", ["update", "delete"])
def test_rows_leaving_the_result_inside_the_loop_are_all_visited(mode, change):
    make_users(10)
    seen = []
    with mode_context(mode):
        for user in User.objects.filter(name="todo").order_by("id").iterator(chunk_size=3):
            seen.append(user.pk)
            processed = User.objects.filter(pk=user.pk)
            processed.update(name="done") if change == "update" else processed.delete()
    assert seen == list(range(1, 11))
    assert not User.objects.filter(name="todo").exists()


def test_atomic_reads_the_values_of_the_start():
    make_users(10)
    with transaction.atomic():
        iterator = User.objects.order_by("id").iterator(chunk_size=3)
        first = next(iterator)
        User.objects.update(name="changed")
        User.objects.filter(pk=10).delete()
        rest = list(iterator)
    assert [u.name for u in [first, *rest]] == ["todo"] * 10  # as a server-side cursor
    assert [u.pk for u in rest] == list(range(2, 11))


def test_autocommit_reads_each_chunk_as_it_is_when_read():
    # The documented difference (no session to hold a snapshot over HTTP): the rows of the
    # start, each once and in the start's order, with the values current when its chunk is read;
    # a row deleted before its chunk is read is not yielded.
    make_users(10)
    iterator = User.objects.filter(name="todo").order_by("id").iterator(chunk_size=3)
    first = next(iterator)
    User.objects.filter(pk__gt=5).update(name="changed")
    User.objects.filter(pk=2).update(name="changed too")  # in the chunk already read
    User.objects.filter(pk=9).delete()
    rest = [(u.pk, u.name) for u in iterator]
    assert first.pk == 1
    assert rest == [(2, "todo"), (3, "todo"), (4, "todo"), (5, "todo"), (6, "changed")] + [
        (7, "changed"),
        (8, "changed"),
        (10, "changed"),
    ]


@pytest.mark.parametrize("mode", MODES)
def test_a_chunk_deleted_whole_does_not_end_the_iteration(mode):
    make_users(10)
    seen = []
    with mode_context(mode):
        for user in User.objects.order_by("id").iterator(chunk_size=3):
            seen.append(user.pk)
            if user.pk == 3:
                User.objects.filter(pk__in=[4, 5, 6]).delete()
    expected = list(range(1, 11)) if mode == "atomic" else [1, 2, 3, 7, 8, 9, 10]
    assert seen == expected


@pytest.mark.parametrize("mode", MODES)
def test_rows_inserted_during_the_loop_are_not_yielded(mode):
    make_users(10)
    seen = []
    with mode_context(mode):
        for user in User.objects.filter(name="todo").order_by("name").iterator(chunk_size=3):
            seen.append(user.pk)
            User.objects.create(email=f"new{user.pk}@example.com", name="todo")
    assert sorted(seen) == list(range(1, 11))
    assert User.objects.filter(name="todo").count() == 20


# -- orderings and query shapes -----------------------------------------------------------------


def names_with_ties_and_nulls():
    make_users(12)
    for pk in range(1, 13):
        User.objects.filter(pk=pk).update(name=[None, "a", "b"][pk % 3])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("ordering", [("name",), ("-name",), ("name", "-email")])
def test_non_unique_and_nullable_orderings(mode, ordering):
    names_with_ties_and_nulls()
    queryset = User.objects.order_by(*ordering)
    start = [(u.pk, u.name) for u in queryset]
    seen = []
    with mode_context(mode):
        for user in queryset.iterator(chunk_size=2):
            seen.append((user.pk, user.name))
            User.objects.filter(pk=user.pk).update(name="zzz")  # moves it to the other end
    assert sorted(seen) == sorted(start)
    assert [name for _, name in seen] == [name for _, name in start]


@pytest.mark.parametrize("mode", MODES)
def test_values_and_values_list(mode):
    make_users(10)
    with mode_context(mode):
        values = []
        for row in User.objects.filter(name="todo").values("pk", "email").iterator(chunk_size=3):
            values.append(row)
            User.objects.filter(pk=row["pk"]).update(name="done")
        User.objects.update(name="todo")
        flat = []
        queryset = User.objects.filter(name="todo").order_by("-email")
        for email in queryset.values_list("email", flat=True).iterator(chunk_size=4):
            flat.append(email)
            User.objects.filter(email=email).delete()
    assert sorted(row["pk"] for row in values) == list(range(1, 11))
    assert flat == [f"u{i:03}@example.com" for i in range(9, -1, -1)]


@pytest.mark.parametrize("mode", MODES)
def test_select_related_and_relation_changes(mode):
    users = make_users(3)
    Pet.objects.bulk_create([Pet(name=f"p{i}", owner=users[i % 3]) for i in range(9)])
    seen = []
    with mode_context(mode):
        pets = Pet.objects.select_related("owner").filter(owner__name="todo").order_by("name")
        for pet in pets.iterator(chunk_size=2):
            seen.append((pet.name, pet.owner.email))
            User.objects.filter(pk=pet.owner_id).update(name="done")
    assert [name for name, _ in seen] == [f"p{i}" for i in range(9)]
    assert all(email == f"u{int(name[1:]) % 3:03}@example.com" for name, email in seen)


@pytest.mark.parametrize("mode", MODES)
def test_a_filter_over_a_to_many_relation_keeps_its_repetitions(mode):
    users = make_users(4)
    Pet.objects.bulk_create([Pet(name=f"p{i}", owner=users[i % 2]) for i in range(6)])
    queryset = User.objects.filter(pets__name__startswith="p").order_by("pets__name")
    start = [u.pk for u in queryset]
    seen = []
    with mode_context(mode):
        for user in queryset.iterator(chunk_size=2):
            seen.append(user.pk)
            Pet.objects.filter(owner=user).delete()
    assert seen == start == [1, 2, 1, 2, 1, 2]


@pytest.mark.parametrize("mode", MODES)
def test_prefetch_related_in_chunks(mode):
    users = make_users(7)
    pets = Pet.objects.bulk_create([Pet(name=f"p{i}", owner=users[i % 7]) for i in range(14)])
    toy = Toy.objects.create(name="ball")
    toy.pets.set(pets)
    seen = []
    with mode_context(mode):
        queryset = User.objects.filter(name="todo").order_by("id").prefetch_related("pets__toys")
        for user in queryset.iterator(chunk_size=3):
            seen.append((user.pk, sorted(p.name for p in user.pets.all())))
            assert all(list(p.toys.all()) == [toy] for p in user.pets.all())
            User.objects.filter(pk=user.pk).update(name="done")
    assert seen == [(i + 1, sorted([f"p{i}", f"p{i + 7}"])) for i in range(7)]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "shape",
    [
        lambda: User.objects.values_list("name", flat=True).distinct().order_by("name"),
        lambda: User.objects.annotate(n=Count("pets")).order_by("id"),
        lambda: User.objects.filter(pk__lt=4).union(User.objects.filter(pk__gt=6)).order_by("id"),
    ],
    ids=["distinct", "aggregate", "union"],
)
def test_other_query_shapes(mode, shape):
    users = make_users(10)
    Pet.objects.bulk_create([Pet(name=f"p{i}", owner=users[i % 3]) for i in range(5)])
    for pk in range(1, 11):
        User.objects.filter(pk=pk).update(name=f"n{pk % 4}")
    start = list(shape())
    seen = []
    with mode_context(mode):
        for row in shape().iterator(chunk_size=3):
            seen.append(row)
            User.objects.all().update(name="changed")
            User.objects.filter(pk=len(seen)).delete()
    assert seen == start


def test_autocommit_falls_back_to_one_read_for_rows_without_a_key():
    make_users(10)
    with CaptureQueriesContext(connection) as queries:
        rows = list(User.objects.values_list("name", flat=True).distinct().iterator(chunk_size=3))
    assert rows == ["todo"] and len(queries) == 1


@pytest.mark.parametrize("mode", MODES)
def test_values_decode_as_in_a_plain_query(mode):
    # The result casts of the compiler (JSON, intervals, floats…) are in the declared query and
    # in the chunk reads alike.
    users = make_users(5)
    Visit.objects.bulk_create(
        [
            Visit(pet=Pet.objects.create(name=f"p{i}", owner=users[i]), fee=Decimal(f"{i}.25"),
                  day=datetime.date(2024, 1, i + 1))
            for i in range(5)
        ]
    )  # fmt: skip
    queryset = (
        Visit.objects.select_related("pet__owner")
        .annotate(
            data=Value({"big": 2**60, "b": [1, "x"]}, output_field=JSONField()),
            span=Value(datetime.timedelta(days=1, microseconds=7), output_field=DurationField()),
            ratio=Value(0.1, output_field=FloatField()),
            token=Value(uuid.UUID(int=5), output_field=UUIDField()),
        )
        .order_by("-day")
    )
    with mode_context(mode):
        plain = [(v.fee, v.day, v.pet.owner.created_at, v.data, v.span, v.ratio, v.token)
                 for v in queryset]  # fmt: skip
        chunked = [(v.fee, v.day, v.pet.owner.created_at, v.data, v.span, v.ratio, v.token)
                   for v in queryset.iterator(chunk_size=2)]  # fmt: skip
    assert chunked == plain and len(plain) == 5
    assert plain[0][3] == {"big": 2**60, "b": [1, "x"]} and plain[0][4].microseconds == 7


# -- server-side cursor life cycle --------------------------------------------------------------


def test_early_break_closes_the_server_cursor():
    make_users(10)
    with transaction.atomic():
        iterator = User.objects.order_by("id").iterator(chunk_size=3)
        next(iterator)
        assert open_server_cursors() == 1
        iterator.close()
        assert open_server_cursors() == 0
        for _ in User.objects.iterator(chunk_size=3):
            break
        assert open_server_cursors() == 0
        assert len(list(User.objects.iterator(chunk_size=3))) == 10
        assert open_server_cursors() == 0


def test_a_cursor_of_a_rolled_back_savepoint_is_not_closed_twice():
    make_users(10)
    with transaction.atomic():
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            iterator = User.objects.order_by("id").iterator(chunk_size=3)
            next(iterator)
            raise ZeroDivisionError
        iterator.close()  # its savepoint was rolled back, and the cursor with it
        assert User.objects.count() == 10  # the transaction is still usable


def test_a_cursor_survives_a_failed_savepoint_inside_the_loop():
    make_users(10)
    seen = []
    with transaction.atomic():
        for user in User.objects.order_by("id").iterator(chunk_size=3):
            seen.append(user.pk)
            with pytest.raises(IntegrityError), transaction.atomic():
                User.objects.create(email=user.email)
    assert seen == list(range(1, 11))


def test_a_failed_transaction_ends_the_iteration_with_postgresql_s_error():
    make_users(10)
    with transaction.atomic():  # which rolls back at its end (Django marked it so)
        iterator = User.objects.order_by("id").iterator(chunk_size=3)
        assert [next(iterator).pk for _ in range(3)] == [1, 2, 3]
        with pytest.raises(IntegrityError):  # no savepoint: the whole transaction fails
            User.objects.create(email="u000@example.com")
        with pytest.raises(DatabaseError, match="aborted"):
            next(iterator)
        iterator.close()  # sends nothing: the transaction can run nothing more
    assert User.objects.count() == 10


def test_a_cursor_dropped_after_its_transaction_does_nothing():
    make_users(10)
    with transaction.atomic():
        iterator = User.objects.order_by("id").iterator(chunk_size=3)
        next(iterator)
    with transaction.atomic():
        User.objects.filter(pk=1).update(name="next transaction")
        iterator.close()
        assert User.objects.get(pk=1).name == "next transaction"


# -- memory bound -------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_columns_of_to_many_joins(mode):
    # In autocommit a row is then keyed by the primary keys of every table joined to many rows.
    users = make_users(5)
    pets = Pet.objects.bulk_create([Pet(name=f"p{i}", owner=users[i % 3]) for i in range(6)])
    Toy.objects.create(name="ball").pets.set(pets[:4])
    Toy.objects.create(name="bone").pets.set(pets[2:])
    queryset = User.objects.values_list("email", "pets__name", "pets__toys__name").order_by(
        "-email", "pets__name", "pets__toys__name"
    )
    start = list(queryset)
    seen = []
    with mode_context(mode):
        for row in queryset.iterator(chunk_size=3):
            seen.append(row)
            User.objects.filter(email=row[0]).update(name="done")
            Pet.objects.filter(name=row[1]).update(species="done")
    assert seen == start and len(start) == 10
    assert start[0] == ("u004@example.com", None, None)  # outer joins without a related row


def test_a_to_many_row_whose_join_changed_counts_as_deleted_in_autocommit():
    users = make_users(2)
    Pet.objects.bulk_create([Pet(name=f"p{i}", owner=users[0]) for i in range(4)])
    queryset = User.objects.values_list("pk", "pets__name").order_by("pk", "pets__name")
    iterator = queryset.iterator(chunk_size=2)
    assert next(iterator) == (1, "p0")
    Pet.objects.filter(name="p3").update(owner=users[1])  # (1, "p3") is no longer a row
    assert list(iterator) == [(1, "p1"), (1, "p2")]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape", ["model", "to-many-columns"])
def test_no_request_brings_more_than_a_chunk_of_rows(mode, shape, result_sizes):
    users = make_users(50)
    Pet.objects.bulk_create([Pet(name=f"p{i}", owner=users[i % 50]) for i in range(100)])
    queryset = User.objects.filter(pets__name__startswith="p").order_by("name")
    if shape == "to-many-columns":
        queryset = queryset.values_list("name", "pets__name")
    with mode_context(mode):
        result_sizes.clear()
        rows = sum(1 for _ in queryset.iterator(chunk_size=7))
    assert rows == 100
    if mode == "autocommit":  # first the keys of the result (one or two columns), then chunks
        keys, *chunks = result_sizes
        assert keys == ((1 if shape == "model" else 2), 100)
    else:
        chunks = result_sizes
    assert len(chunks) >= 100 // 7 and all(rows <= 7 for _, rows in chunks)


# -- property-based comparison with Django's native PostgreSQL backend --------------------------


@pytest.fixture
def native():
    """The alias "native": Django's own PostgreSQL backend on the database the executor serves."""
    if connection.settings_dict["TEST"].get("SERVER") != "executor":
        pytest.skip("@prisma/dev (PGlite) has no PostgreSQL server for psycopg to connect to")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        database = cursor.fetchone()[0]
    url = urlparse(POSTGRES_URL)
    settings_dict = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": database,
        "USER": url.username or "postgres",
        "PASSWORD": url.password or "",
        "HOST": url.hostname or "127.0.0.1",
        "PORT": str(url.port or 5432),
        "OPTIONS": {},
        "TIME_ZONE": None,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
        "TEST": {},
    }
    # Not in DATABASES: a connection made here, which Django's test isolation lets through.
    connections["native"] = PostgresWrapper(settings_dict, alias="native")
    try:
        yield "native"
    finally:
        connections["native"].close()
        del connections["native"]


NAMES = [None, "a", "b", "c"]
TOTAL_ORDERINGS = [("email",), ("-email",), ("name", "email"), ("-name", "-email")]
PARTIAL_ORDERINGS = [("name",), ("-name",)]


@st.composite
def scenarios(draw):
    names = draw(st.lists(st.sampled_from(NAMES), min_size=0, max_size=14))
    steps = draw(
        st.lists(
            st.tuples(
                st.integers(0, 13),  # after the n-th yielded row
                st.sampled_from(["leave", "delete", "insert", "rename"]),
                st.integers(0, 13),  # which row of the start
                st.sampled_from(NAMES),
            ),
            max_size=8,
        )
    )
    return {
        "names": names,
        "ordering": draw(st.sampled_from(TOTAL_ORDERINGS + PARTIAL_ORDERINGS)),
        "chunk_size": draw(st.integers(1, 5)),
        "mode": draw(st.sampled_from(MODES)),
        "values": draw(st.booleans()),
        "steps": steps,
    }


def run(scenario, using):
    """Iterate the scenario's query on ``using``, changing rows as the steps say; returns
    [(pk, name as yielded)]."""
    User.objects.using(using).all().delete()
    make_users(len(scenario["names"]), using=using)
    for pk, name in enumerate(scenario["names"], 1):
        User.objects.using(using).filter(pk=pk).update(name=name)
    queryset = User.objects.using(using).exclude(name="gone").order_by(*scenario["ordering"])
    if scenario["values"]:
        queryset = queryset.values_list("pk", "name")
    by_step = {}
    for step in scenario["steps"]:
        by_step.setdefault(step[0], []).append(step[1:])
    seen = []
    with mode_context(scenario["mode"], using):
        for row in queryset.iterator(chunk_size=scenario["chunk_size"]):
            seen.append(tuple(row) if scenario["values"] else (row.pk, row.name))
            for action, target, name in by_step.get(len(seen) - 1, ()):
                apply(using, action, target + 1, name, len(seen))
    return seen


INSERTED = itertools.count()


def apply(using, action, pk, name, step):
    users = User.objects.using(using)
    if action == "leave":
        users.filter(pk=pk).update(name="gone")
    elif action == "delete":
        users.filter(pk=pk).delete()
    elif action == "insert":
        users.create(email=f"new{next(INSERTED)}@example.com", name=name)
    else:
        users.filter(pk=pk).update(name=name)


def deleted_before_read(scenario, order):
    """Which rows of the start (in ``order``) the autocommit reads cannot return: those deleted
    before their chunk is read. Chunk c is read after the loop body of the last row yielded
    before it."""
    size = scenario["chunk_size"]
    deleted, missing, yielded = set(), set(), 0
    for start in range(0, len(order), size):
        chunk = order[start : start + size]
        missing |= deleted & set(chunk)  # the chunk is read whole, before its loop bodies run
        for _ in [pk for pk in chunk if pk not in deleted]:
            yielded += 1
            for when, action, target, _ in scenario["steps"]:
                if when == yielded - 1 and action == "delete":
                    deleted.add(target + 1)
    return missing


def ordering_key(scenario, names_at_start, pk):
    key = []
    for field in scenario["ordering"]:
        name = field.lstrip("-")
        key.append(names_at_start[pk] if name == "name" else f"u{pk - 1:03}@example.com")
    return tuple(key)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_iteration_matches_the_native_backend(native, scenario):
    names_at_start = {i + 1: name for i, name in enumerate(scenario["names"])}
    expected = run(scenario, native)
    got = run(scenario, "default")
    initial = {pk for pk, name in names_at_start.items() if name != "gone"}
    assert {pk for pk, _ in expected} == initial  # the native result: the start, whole
    assert len({pk for pk, _ in got}) == len(got)  # each row at most once
    keys = [ordering_key(scenario, names_at_start, pk) for pk, _ in got]
    expected_keys = [ordering_key(scenario, names_at_start, pk) for pk, _ in expected]
    total = scenario["ordering"] in TOTAL_ORDERINGS
    if scenario["mode"] == "atomic":
        # A server-side cursor on both: the same rows, the same values, the same order.
        assert keys == expected_keys
        assert sorted(got, key=repr) == sorted(expected, key=repr)
        if total:
            assert got == expected
        return
    # Autocommit: the start's rows in the start's order, less those deleted before their chunk
    # was read (a row's values may be newer than the start's).
    got_pks = [pk for pk, _ in got]
    if total:
        order = [pk for pk, _ in expected]
        missing = deleted_before_read(scenario, order)
        assert got_pks == [pk for pk in order if pk not in missing]
    else:
        deleted = {target + 1 for _, action, target, _ in scenario["steps"] if action == "delete"}
        assert initial - deleted <= set(got_pks) <= initial
        assert is_subsequence(keys, expected_keys)


def is_subsequence(items, of) -> bool:
    remaining = iter(of)
    return all(any(item == other for other in remaining) for item in items)


@st.composite
def to_many_scenarios(draw):
    users = draw(st.integers(0, 6))
    owners = draw(st.lists(st.integers(0, max(users - 1, 0)), max_size=10 if users else 0))
    steps = draw(
        st.lists(
            st.tuples(
                st.integers(0, 12),  # after the n-th yielded row
                st.sampled_from(["leave", "delete user", "delete pet", "move pet", "add pet"]),
                st.integers(0, 9),  # which user or pet of the start
                st.integers(0, 5),  # the new owner
            ),
            max_size=6,
        )
    )
    ordering = draw(st.sampled_from([("name", "pk", "pets__id"), ("-pk", "pets__name"), ("name",)]))
    return {
        "users": users,
        "owners": owners,
        "ordering": ordering,
        "chunk_size": draw(st.integers(1, 4)),
        "mode": draw(st.sampled_from(MODES)),
        "steps": steps,
    }


def run_to_many(scenario, using):
    """(user pk, pet pk) rows of ``values_list("pk", "pets__id")``, changed as the steps say."""
    Pet.objects.using(using).all().delete()
    User.objects.using(using).all().delete()
    users = make_users(scenario["users"], using=using)
    for pk in range(1, scenario["users"] + 1):
        User.objects.using(using).filter(pk=pk).update(name=NAMES[pk % len(NAMES)])
    Pet.objects.using(using).bulk_create(
        [Pet(id=i + 1, name=f"p{i}", owner=users[owner]) for i, owner in enumerate(scenario["owners"])]
    )  # fmt: skip
    with connections[using].cursor() as cursor:  # pets added later get ids after these
        cursor.execute("SELECT setval(pg_get_serial_sequence('pets', 'id'), 1000)")
    queryset = (
        User.objects.using(using)
        .exclude(name="gone")
        .values_list("pk", "pets__id")
        .order_by(*scenario["ordering"])
    )
    seen = []
    with mode_context(scenario["mode"], using):
        for row in queryset.iterator(chunk_size=scenario["chunk_size"]):
            seen.append(tuple(row))
            for when, action, target, owner in scenario["steps"]:
                if when == len(seen) - 1:
                    change_to_many(using, action, target + 1, owner + 1)
    return seen


def change_to_many(using, action, target, owner):
    users, pets = User.objects.using(using), Pet.objects.using(using)
    if action == "leave":
        users.filter(pk=target).update(name="gone")
    elif action == "delete user":
        users.filter(pk=target).delete()
    elif action == "delete pet":
        pets.filter(pk=target).delete()
    elif action == "move pet" and users.filter(pk=owner).exists():
        pets.filter(pk=target).update(owner_id=owner)
    elif action == "add pet" and users.filter(pk=owner).exists():
        pets.create(name="new", owner_id=owner)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=to_many_scenarios())
def test_to_many_rows_match_the_native_backend(native, scenario):
    expected = run_to_many(scenario, native)
    got = run_to_many(scenario, "default")
    start = {(pk, None) for pk in range(1, scenario["users"] + 1)} | {
        (owner + 1, pet) for pet, owner in enumerate(scenario["owners"], 1)
    }
    start = {(pk, pet) for pk, pet in start if pet is not None or pk not in
             {owner + 1 for owner in scenario["owners"]}}  # fmt: skip
    assert set(expected) == start and len(expected) == len(start)
    assert len(set(got)) == len(got) and set(got) <= start
    if scenario["mode"] == "atomic" or not scenario["steps"]:
        assert sorted(got, key=repr) == sorted(expected, key=repr)
    if len(scenario["ordering"]) > 1:  # a total order: the native order, less what vanished
        assert is_subsequence(got, expected)
    # Autocommit: rows vanish only if deleted, or if their join no longer holds, before being read.
    steps = scenario["steps"]
    changed_users = {t + 1 for _, a, t, _ in steps if a == "delete user"}
    changed_pets = {t + 1 for _, a, t, _ in steps if a in ("delete pet", "move pet")}
    kept = {(pk, pet) for pk, pet in start if pk not in changed_users and pet not in changed_pets}
    if scenario["mode"] == "autocommit" and any(a in ("add pet", "move pet") for _, a, *_ in steps):
        kept = {row for row in kept if row[1] is not None}  # a user's row without pets may vanish
    assert kept <= set(got)


def test_the_atomic_values_match_the_native_backend(native):
    scenario = {
        "names": ["a", "b", None, "a", "c", None, "b"],
        "ordering": ("name", "-email"),
        "chunk_size": 2,
        "mode": "atomic",
        "values": False,
        "steps": [(0, "rename", i, "c") for i in range(7)] + [(1, "delete", 6, None)],
    }
    expected = run(scenario, "native")
    assert [name for _, name in expected] == ["a", "a", "b", "b", "c", None, None]  # the start
    assert run(scenario, "default") == expected


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape", ["model", "to-many-columns", "prefetch"])
def test_queries_logged_and_wrapped_as_by_the_native_backend(native, mode, shape):
    # On Django's backend the statement that starts the read is the one query logged and passed
    # to execute wrappers; the server-side cursor's FETCHes are not (assertNumQueries around
    # iterator() relies on it). The chunk reads by key of autocommit are such reads too.
    def counted(using):
        make_users(7, using=using)
        Pet.objects.using(using).bulk_create(
            [Pet(name=f"p{i}", owner_id=i % 7 + 1) for i in range(14)]
        )
        queryset = User.objects.using(using).filter(name="todo").order_by("id")
        if shape == "to-many-columns":
            queryset = queryset.values_list("name", "pets__name")
        elif shape == "prefetch":
            queryset = queryset.prefetch_related("pets")
        wrapped = []
        with (
            mode_context(mode, using),
            CaptureQueriesContext(connections[using]) as logged,
            connections[using].execute_wrapper(
                lambda execute, sql, *args: wrapped.append(sql) or execute(sql, *args)
            ),
        ):
            rows = sum(1 for _ in queryset.iterator(chunk_size=3))
        Pet.objects.using(using).all().delete()
        User.objects.using(using).all().delete()
        return rows, len(logged), len(wrapped)

    expected = counted(native)
    assert expected[0] == (14 if shape == "to-many-columns" else 7)
    assert counted("default") == expected
