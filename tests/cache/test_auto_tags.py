"""Automatic table tags: cached reads carry their tables' tags; ORM and raw writes invalidate
them once the transaction commits (both caches)."""

import pytest
from django.db import connection, transaction

from django_prisma.cache import CacheStrategy, table_tag
from tests.testapp.models import Pet, Toy, User

from .wire import sent

CS = CacheStrategy(ttl=60)


@pytest.fixture
def auto(cached):
    cached.configure(auto_tags=True)
    alice = User.objects.create(email="alice@example.com", name="Alice")
    Pet.objects.create(name="Tom", owner=alice)
    return cached


def status_and_names(qs):
    names = qs.values_list("name", flat=True)
    values = sorted(str(v) for v in names)
    return names.cache_info.status, values


def cached_read():
    return status_and_names(User.objects.with_cache(CS))


def test_reads_are_tagged_with_their_tables(accelerate):
    accelerate.configure(auto_tags=True)
    accelerate.emulator.clear_log()
    list(Pet.objects.with_cache(CacheStrategy(ttl=5, tags=["mine"])).select_related("owner"))
    (read,) = sent(accelerate.emulator)
    assert read.tags == f"mine,{table_tag('pets')},{table_tag('users')}"
    assert table_tag(User) == "t_users"


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda: User.objects.create(email="b@example.com", name="Bob"), id="create"),
        pytest.param(lambda: User.objects.filter(name="Alice").update(name="Bob"), id="update"),
        pytest.param(lambda: User.objects.get(name="Alice").delete(), id="delete"),
        pytest.param(
            lambda: User.objects.bulk_create([User(email="c@example.com", name="C")]),
            id="bulk_create",
        ),
        pytest.param(
            lambda: User.objects.bulk_update(
                [User(pk=User.objects.get().pk, name="Bob", email="alice@example.com")], ["name"]
            ),
            id="bulk_update",
        ),
        pytest.param(
            lambda: connection.cursor().execute('UPDATE "users" SET "name" = %s', ["Raw"]),
            id="raw_cursor",
        ),
    ],
)
def test_own_writes_evict_cached_reads(auto, write):
    assert cached_read()[0] == "miss"
    assert cached_read()[0] == "ttl"
    write()
    status, _ = cached_read()
    assert status == "miss"
    fresh = sorted(str(n) for n in User.objects.values_list("name", flat=True))
    assert cached_read() == ("ttl", fresh)


def test_m2m_changes_evict_reads_through_the_join_table(auto):
    toy = Toy.objects.create(name="ball")
    pets_with_toys = Pet.objects.with_cache(CS).filter(toys__name="ball")
    assert status_and_names(pets_with_toys) == ("miss", [])
    toy.pets.add(Pet.objects.get())
    assert status_and_names(Pet.objects.with_cache(CS).filter(toys__name="ball")) == (
        "miss",
        ["Tom"],
    )
    toy.pets.clear()
    assert status_and_names(Pet.objects.with_cache(CS).filter(toys__name="ball")) == ("miss", [])


def test_invalidation_waits_for_commit_and_skips_rollback(auto):
    cached_read()
    with transaction.atomic():
        User.objects.create(email="b@example.com", name="Bob")
        transaction.on_commit(lambda: None)
    assert cached_read() == ("miss", ["Alice", "Bob"])
    with pytest.raises(RuntimeError), transaction.atomic():
        User.objects.create(email="c@example.com", name="Carol")
        raise RuntimeError("roll back")
    assert cached_read() == ("ttl", ["Alice", "Bob"])  # nothing committed, nothing evicted


def test_invalidation_is_sent_once_per_transaction_after_commit(accelerate):
    accelerate.configure(auto_tags=True)
    emulator = accelerate.emulator
    with transaction.atomic():
        for i in range(3):
            User.objects.create(email=f"u{i}@example.com")
        Pet.objects.filter(name="none").update(species="dog")
        assert emulator.invalidations == []
    assert len(emulator.invalidations) == 1
    assert sorted(emulator.invalidations[0]) == [table_tag("pets"), table_tag("users")]


def test_reads_needing_more_than_five_tags_are_not_cached(accelerate):
    accelerate.configure(auto_tags=True)
    accelerate.emulator.clear_log()
    qs = Pet.objects.with_cache(CacheStrategy(ttl=60, tags=["a", "b", "c", "d"])).select_related(
        "owner"
    )
    list(qs)
    (read,) = sent(accelerate.emulator)
    assert read.cache_control is None and qs.cache_info.status == "none"
