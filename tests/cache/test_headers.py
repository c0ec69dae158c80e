"""The exact request headers for every read API, and none for writes or inside transactions
(through the emulator, against the real executor and PostgreSQL)."""

import logging

import pytest
from django.db import connection, transaction
from django.db.models import Count, Max

from django_prisma.cache import CacheStrategy, cache_strategy
from tests.testapp.models import Pet, Toy, User

from .wire import sent

CS = CacheStrategy(ttl=60, swr=60, tags=["users"])
CC = "max-age=60,stale-while-revalidate=60"


@pytest.fixture
def data(accelerate):
    alice = User.objects.create(email="alice@example.com", name="Alice")
    bob = User.objects.create(email="bob@example.com", name="Bob")
    Pet.objects.create(name="Tom", owner=alice)
    Pet.objects.create(name="Rex", species="dog", owner=bob)
    accelerate.emulator.clear_log()
    return {"alice": alice, "bob": bob}


READS = {
    "list": lambda qs: list(qs),
    "iteration": lambda qs: [u.email for u in qs],
    "iterator": lambda qs: list(qs.iterator()),
    "get": lambda qs: qs.get(email="alice@example.com"),
    "first": lambda qs: qs.first(),
    "last": lambda qs: qs.order_by("id").last(),
    "latest": lambda qs: qs.latest("created_at"),
    "count": lambda qs: qs.count(),
    "exists": lambda qs: qs.exists(),
    "contains": lambda qs: qs.contains(User(pk=1)),
    "aggregate": lambda qs: qs.aggregate(m=Max("id")),
    "in_bulk": lambda qs: qs.in_bulk([1, 2]),
    "values": lambda qs: list(qs.values("email")),
    "values_list": lambda qs: list(qs.values_list("email", flat=True)),
    "slice": lambda qs: list(qs.order_by("id")[:1]),
    "index": lambda qs: qs.order_by("id")[0],
    "filter_exclude_order": lambda qs: list(
        qs.filter(name__startswith="A").exclude(name="Z").order_by("-email")
    ),
    "annotate": lambda qs: list(qs.annotate(n=Count("pets"))),
    "select_related": lambda qs: list(Pet.objects.with_cache(CS).select_related("owner")),
    "union": lambda qs: list(qs.filter(name="Alice").union(qs.filter(name="Bob"))),
    "len_bool": lambda qs: (len(qs), bool(qs)),
    "dates": lambda qs: list(qs.dates("created_at", "year")),
}


@pytest.mark.parametrize("api", sorted(READS))
def test_every_read_api_sends_the_strategy(data, accelerate, api):
    READS[api](User.objects.with_cache(CS))
    reads = sent(accelerate.emulator)
    assert reads, "no read reached the server"
    for read in reads:
        assert (read.cache_control, read.tags) == (CC, "users"), read.sql


def test_prefetch_queries_inherit_the_strategy(data, accelerate):
    users = list(User.objects.with_cache(CS).prefetch_related("pets").order_by("id"))
    assert [p.name for p in users[0].pets.all()] == ["Tom"]
    reads = sent(accelerate.emulator)
    assert len(reads) == 2 and '"pets"' in reads[1].sql
    assert {(r.cache_control, r.tags) for r in reads} == {(CC, "users")}


def test_prefetch_queryset_with_its_own_strategy_wins(data, accelerate):
    from django.db.models import Prefetch

    own = CacheStrategy(ttl=5)
    list(
        User.objects.with_cache(CS).prefetch_related(Prefetch("pets", Pet.objects.with_cache(own)))
    )
    reads = sent(accelerate.emulator)
    assert [(r.cache_control, r.tags) for r in reads] == [(CC, "users"), ("max-age=5", None)]


def test_strategy_survives_chaining_and_with_cache_none_disables(data, accelerate):
    qs = User.objects.with_cache(CS).filter(name="Alice").order_by("id").values("id")[:5]
    assert qs.cache_strategy == CS
    list(qs)
    list(User.objects.with_cache(CS).filter(name="Alice").with_cache(None))
    list(User.objects.all())
    reads = sent(accelerate.emulator)
    assert [r.cache_control for r in reads] == [CC, None, None]


def test_writes_never_carry_cache_headers(data, accelerate):
    alice = data["alice"]
    with cache_strategy(CS):
        qs = User.objects.with_cache(CS)
        User.objects.with_cache(CS).create(email="carol@example.com")
        alice.name = "Alicia"
        alice.save()
        qs.filter(name="Bob").update(name="Robert")
        qs.bulk_create([User(email="d@example.com"), User(email="e@example.com")])
        users = list(User.objects.filter(email__in=["d@example.com", "e@example.com"]))
        accelerate.emulator.clear_log()
        for u in users:
            u.name = "x"
        qs.bulk_update(users, ["name"])
        qs.filter(email="e@example.com").delete()
        User.objects.with_cache(CS).get_or_create(email="f@example.com")
        toy = Toy.objects.create(name="ball")
        toy.pets.add(*Pet.objects.with_cache(None))  # the read is explicitly uncached
        toy.pets.clear()
        alice.refresh_from_db()
        with connection.cursor() as cursor:
            cursor.execute('UPDATE "users" SET "name" = %s WHERE "id" = %s', ["Al", alice.pk])
    statements = sent(accelerate.emulator, transactions=True)
    assert any(s.sql.startswith("UPDATE") for s in statements)
    assert any(s.sql.startswith("DELETE") for s in statements)
    assert [s for s in statements if s.cache_control or s.tags] == []


def test_no_headers_inside_a_transaction_and_debug_log_says_so(data, accelerate, caplog):
    with caplog.at_level(logging.DEBUG, logger="django_prisma.cache"):
        with transaction.atomic():
            qs = User.objects.with_cache(CS)
            assert qs.count() == 2
            assert qs.cache_info.status is None
    assert sent(accelerate.emulator) == []  # nothing went through autocommit /query
    in_tx = sent(accelerate.emulator, transactions=True)
    assert in_tx and all(s.cache_control is None for s in in_tx)
    assert "ignored: the read runs inside a transaction" in caplog.text


def test_context_and_default_and_precedence(data, accelerate):
    accelerate.configure(default={"ttl": 30})
    ctx = CacheStrategy(swr=10)
    list(User.objects.all())  # default
    with cache_strategy(ctx):
        list(User.objects.all())  # context beats default
        list(User.objects.with_cache(CS))  # explicit beats context
        list(User.objects.with_cache(None))  # explicit off
    with cache_strategy(None):
        list(User.objects.all())  # context turns the default off
    with cache_strategy(ctx, using="other"):
        list(User.objects.all())  # another database's context: default applies
    reads = sent(accelerate.emulator)
    assert [r.cache_control for r in reads] == [
        "max-age=30",
        "stale-while-revalidate=10",
        CC,
        None,
        None,
        "max-age=30",
    ]


def test_context_manager_as_decorator_covers_related_lookups(data, accelerate):
    @cache_strategy(CacheStrategy(ttl=7))
    def render():
        return [pet.owner.name for pet in Pet.objects.order_by("id")]

    assert render() == ["Alice", "Bob"]
    reads = sent(accelerate.emulator)
    assert len(reads) == 3 and {r.cache_control for r in reads} == {"max-age=7"}
