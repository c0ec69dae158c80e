"""The same cases on both caches: Accelerate (emulated in front of the real server) and the
Django-cache fallback (a server without a cache). Same statuses, same data, same database
reads — that is what "the fallback behaves like production" means."""

import time
from datetime import UTC, datetime, timedelta

import pytest

from django_prisma.cache import CacheStrategy, invalidate, invalidate_all
from tests.testapp.models import User


@pytest.fixture
def alice(cached):
    return User.objects.create(email="alice@example.com", name="Alice")


def names(qs):
    return sorted(u.name for u in qs)


def rename(user, name):
    User.objects.filter(pk=user.pk).update(name=name)  # a write: never cached, no auto tags


def test_ttl_hit_is_served_without_the_database(cached, alice):
    cs = CacheStrategy(ttl=60)
    first = User.objects.with_cache(cs)
    assert names(first) == ["Alice"] and first.cache_info.status == "miss"
    rename(alice, "Alicia")
    reads = cached.database_reads
    again = User.objects.with_cache(cs)
    assert names(again) == ["Alice"]  # stale by design: served from the cache
    assert again.cache_info.status == "ttl"
    assert cached.database_reads == reads  # the hit never reached the server
    fresh = User.objects.all()
    assert names(fresh) == ["Alicia"] and cached.database_reads == reads + 1


def test_count_exists_aggregate_are_cached_too(cached, alice):
    cs = CacheStrategy(ttl=60)
    qs = User.objects.with_cache(cs)
    assert (qs.count(), qs.exists()) == (1, True)
    assert qs.cache_info.status == "miss"
    User.objects.create(email="bob@example.com")
    reads = cached.database_reads
    assert (qs.count(), qs.exists()) == (1, True)
    assert qs.cache_info.status == "ttl" and cached.database_reads == reads


def test_different_queries_are_different_entries(cached, alice):
    cs = CacheStrategy(ttl=60)
    assert User.objects.with_cache(cs).filter(name="Alice").count() == 1
    assert User.objects.with_cache(cs).filter(name="Bob").count() == 0
    qs = User.objects.with_cache(cs).filter(name="Bob")
    assert qs.count() == 0 and qs.cache_info.status == "ttl"


def test_expired_ttl_is_a_miss(cached, alice):
    cs = CacheStrategy(ttl=1)
    names(User.objects.with_cache(cs))
    rename(alice, "Alicia")
    time.sleep(1.2)
    qs = User.objects.with_cache(cs)
    assert names(qs) == ["Alicia"] and qs.cache_info.status == "miss"


def test_swr_serves_stale_then_fresh(cached, alice):
    cs = CacheStrategy(ttl=1, swr=60)
    names(User.objects.with_cache(cs))
    rename(alice, "Alicia")
    time.sleep(1.2)
    stale = User.objects.with_cache(cs)
    assert names(stale) == ["Alice"] and stale.cache_info.status == "swr"
    cached.settle()  # the background refresh finished
    reads = cached.database_reads
    fresh = User.objects.with_cache(cs)
    assert names(fresh) == ["Alicia"] and fresh.cache_info.status == "ttl"
    assert cached.database_reads == reads


def test_tag_invalidation_evicts_only_tagged_results(cached, alice):
    users = CacheStrategy(ttl=60, tags=["users"])
    other = CacheStrategy(ttl=60, tags=["other"])
    names(User.objects.with_cache(users).filter(pk=alice.pk))
    names(User.objects.with_cache(other))
    rename(alice, "Alicia")
    invalidate(["users"])
    evicted = User.objects.with_cache(users).filter(pk=alice.pk)
    kept = User.objects.with_cache(other)
    assert names(evicted) == ["Alicia"] and evicted.cache_info.status == "miss"
    assert names(kept) == ["Alice"] and kept.cache_info.status == "ttl"


def test_invalidate_all_evicts_everything(cached, alice):
    a = CacheStrategy(ttl=60, tags=["a"])
    b = CacheStrategy(ttl=60)
    names(User.objects.with_cache(a))
    names(User.objects.with_cache(b).filter(name__isnull=False))
    rename(alice, "Alicia")
    invalidate_all()
    qa = User.objects.with_cache(a)
    qb = User.objects.with_cache(b).filter(name__isnull=False)
    assert (names(qa), names(qb)) == (["Alicia"], ["Alicia"])
    assert (qa.cache_info.status, qb.cache_info.status) == ("miss", "miss")


def test_cache_info_is_filled(cached, alice):
    qs = User.objects.with_cache(ttl=60)
    assert qs.cache_info is None  # not evaluated yet
    list(qs)
    info = qs.cache_info
    assert info.status == "miss"
    assert abs(info.last_modified - datetime.now(UTC)) < timedelta(seconds=5)
    assert info.signature
    again = User.objects.with_cache(ttl=60)
    list(again)
    assert again.cache_info.last_modified == info.last_modified
    assert again.cache_info.signature == info.signature
    plain = User.objects.all()
    list(plain)
    assert plain.cache_info.status == "none"


def test_automatic_tags_prevent_stale_reads_after_own_writes(cached, alice):
    cached.configure(auto_tags=True)
    cs = CacheStrategy(ttl=60)
    assert names(User.objects.with_cache(cs)) == ["Alice"]
    User.objects.create(email="bob@example.com", name="Bob")
    qs = User.objects.with_cache(cs)
    assert names(qs) == ["Alice", "Bob"] and qs.cache_info.status == "miss"
    qs = User.objects.with_cache(cs)
    assert names(qs) == ["Alice", "Bob"] and qs.cache_info.status == "ttl"
