"""The cache API on django_prisma.mysql, through the Accelerate emulator in front of the MySQL
executor (``accelerate``) and on the Django-cache fallback (``fallback``): with_cache, tags,
invalidation, automatic table tags from MySQL's `quoted` names, cache_info."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import caches
from django.db import connections, transaction

from django_prisma.cache import CacheStrategy, invalidate, invalidate_all, table_tag
from django_prisma.cache import server as cache_server
from tests.cache.emulator import AccelerateEmulator
from tests.cache.wire import sent
from tests.testapp.models import Pet, User

from .models import Everything

USING = "mysql"
CS = CacheStrategy(ttl=60)


class Harness:
    def __init__(self, mode: str, emulator: AccelerateEmulator, connection):
        self.mode = mode
        self.emulator = emulator
        self.connection = connection

    def configure(self, **options) -> None:
        base = {"fallback": "default"} if self.mode == "fallback" else {}
        self.connection.settings_dict["OPTIONS"]["cache"] = {**base, **options}

    @property
    def database_reads(self) -> int:
        return self.emulator.database_reads

    def settle(self) -> None:
        from django_prisma.cache.fallback import wait_for_refreshes

        assert self.emulator.wait_idle() and wait_for_refreshes()


@pytest.fixture(params=["accelerate", "fallback"])
def cached(request, mydb, mysql_server):
    """The ``mysql`` alias routed through the emulator (caching, or a plain server whose reads
    the Django cache serves)."""
    connection = mydb
    settings_dict = connection.settings_dict
    saved = (settings_dict["URL"], settings_dict.get("TOKEN"), dict(settings_dict["OPTIONS"]))
    key = mysql_server.url.split("api_key=")[1]
    emulator = AccelerateEmulator(
        mysql_server.url, cache=request.param == "accelerate", api_key=key
    ).start()
    caches["default"].clear()
    cache_server.forget()
    connection.close()
    settings_dict["URL"], settings_dict["TOKEN"] = emulator.base_url, key
    harness = Harness(request.param, emulator, connection)
    harness.configure()
    yield harness
    harness.settle()
    connection.close()
    settings_dict["URL"], settings_dict["TOKEN"], settings_dict["OPTIONS"] = saved
    emulator.stop()
    cache_server.forget()


@pytest.fixture
def alice(cached):
    return User.objects.using(USING).create(email="alice@example.com", name="Alice")


def users(strategy=CS):
    return User.objects.using(USING).with_cache(strategy)


def names(queryset) -> list[str]:
    return sorted(user.name for user in queryset)


def rename(user, name):
    User.objects.using(USING).filter(pk=user.pk).update(name=name)


def test_a_fresh_hit_never_reaches_mysql(cached, alice):
    first = users()
    assert names(first) == ["Alice"] and first.cache_info.status == "miss"
    rename(alice, "Alicia")
    reads = cached.database_reads
    again = users()
    assert names(again) == ["Alice"] and again.cache_info.status == "ttl"
    assert cached.database_reads == reads
    assert names(User.objects.using(USING).all()) == ["Alicia"]
    assert cached.database_reads == reads + 1


def test_cached_values_are_exact(cached):
    when = dt.datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=dt.UTC)
    data = {"big": 12345678901234567890, "ü": ["😀"]}
    Everything.objects.using(USING).create(when=when, positive=2**32 - 1, data=data)
    for status in ("miss", "ttl"):
        queryset = Everything.objects.using(USING).with_cache(CS)
        (row,) = list(queryset)
        assert (row.when, row.positive, row.data) == (when, 2**32 - 1, data)
        assert queryset.cache_info.status == status


def test_tag_invalidation_evicts_only_tagged_results(cached, alice):
    tagged = CacheStrategy(ttl=60, tags=["people"])
    other = CacheStrategy(ttl=60, tags=["other"])
    names(users(tagged).filter(pk=alice.pk))
    names(users(other))
    rename(alice, "Alicia")
    invalidate(["people"], using=USING)
    evicted = users(tagged).filter(pk=alice.pk)
    kept = users(other)
    assert names(evicted) == ["Alicia"] and evicted.cache_info.status == "miss"
    assert names(kept) == ["Alice"] and kept.cache_info.status == "ttl"
    invalidate_all(using=USING)
    everything = users(other)
    assert names(everything) == ["Alicia"] and everything.cache_info.status == "miss"


def test_automatic_table_tags_from_mysql_quoted_names(cached, alice):
    cached.configure(auto_tags=True)
    Pet.objects.using(USING).create(name="Tom", owner=alice)
    pets = Pet.objects.using(USING).with_cache(CS).select_related("owner")
    assert [p.owner.name for p in pets] == ["Alice"] and pets.cache_info.status == "miss"
    if cached.mode == "accelerate":
        cached.emulator.clear_log()
        list(Pet.objects.using(USING).with_cache(CacheStrategy(ttl=5, tags=["mine"])))
        (read,) = sent(cached.emulator)
        assert read.tags == f"mine,{table_tag('pets')}"
        assert "`pets`" in read.sql
    rename(alice, "Alicia")  # a write to users: the cached join is stale
    again = Pet.objects.using(USING).with_cache(CS).select_related("owner")
    assert [p.owner.name for p in again] == ["Alicia"] and again.cache_info.status == "miss"


def test_writes_invalidate_only_after_the_transaction_commits(cached, alice):
    cached.configure(auto_tags=True)
    assert names(users()) == ["Alice"]
    with transaction.atomic(using=USING):
        User.objects.using(USING).create(email="bob@example.com", name="Bob")
        inside = users()
        assert names(inside) == ["Alice", "Bob"], "a read in the transaction sees its writes"
        assert inside.cache_info.status is None, "never cached inside a transaction"
    after = users()
    assert names(after) == ["Alice", "Bob"] and after.cache_info.status == "miss"


def test_cache_info(cached, alice):
    queryset = users()
    assert queryset.cache_info is None
    list(queryset)
    info = queryset.cache_info
    assert info.status == "miss"
    assert abs(info.last_modified - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)
    assert info.source == ("server" if cached.mode == "accelerate" else "fallback")
    again = users()
    list(again)
    assert again.cache_info.last_modified == info.last_modified and again.cache_info.hit
    plain = User.objects.using(USING).all()
    list(plain)
    assert plain.cache_info.status == "none"
    assert connections[USING].vendor == "mysql"
