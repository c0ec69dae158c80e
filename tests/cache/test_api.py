"""The public surface: explicit classes, argument checking, options, logging, async."""

import logging

import pytest
from asgiref.sync import async_to_sync
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from django_prisma.cache import CacheStrategy, PrismaManager, PrismaQuerySet, install
from django_prisma.cache.options import parse
from tests.testapp.models import Note, User

from .wire import sent


def test_every_queryset_and_manager_has_with_cache():
    install()
    install()  # idempotent
    assert callable(User.objects.with_cache) and callable(QuerySet.with_cache)
    qs = User.objects.with_cache(ttl=5, tags=["x"])
    assert qs.cache_strategy == CacheStrategy(ttl=5, tags=["x"])
    assert User.objects.filter(pk=1).with_cache({"swr": 3}).cache_strategy == CacheStrategy(swr=3)
    assert User.objects.with_cache(None).cache_strategy is None


def test_with_cache_argument_errors():
    with pytest.raises(TypeError):
        User.objects.with_cache()
    with pytest.raises(TypeError):
        User.objects.with_cache(CacheStrategy(ttl=1), ttl=2)
    with pytest.raises(ValueError, match="at most 5"):
        User.objects.with_cache(ttl=1, tags=list("abcdef"))
    with pytest.raises(ValueError):
        User.objects.with_cache(60)


def test_explicit_prisma_manager(accelerate):
    assert isinstance(Note.objects, PrismaManager)
    assert isinstance(Note.objects.all(), PrismaQuerySet)
    Note.objects.create(text="hi")
    accelerate.emulator.clear_log()
    qs = Note.objects.with_cache(CacheStrategy(ttl=9)).filter(text="hi")
    assert [n.text for n in qs] == ["hi"] and qs.cache_info.status == "miss"
    assert [r.cache_control for r in sent(accelerate.emulator)] == ["max-age=9"]


@pytest.mark.parametrize(
    "value, message",
    [
        ("yes", "must be a dict"),
        ({"ttl": 5}, "unknown OPTIONS"),
        ({"default": {"ttl": -1}}, "default"),
        ({"auto_tags": "yes"}, "True/False"),
        ({"fallback": "nope"}, "settings.CACHES"),
    ],
)
def test_bad_options_are_improperly_configured(value, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        parse(value)


def test_options_accept_strategy_or_dict():
    assert parse({"default": CacheStrategy(ttl=1)}).default == CacheStrategy(ttl=1)
    options = parse({"default": {"ttl": 2}, "auto_tags": True, "fallback": "default"})
    assert (options.default, options.auto_tags, options.fallback) == (
        CacheStrategy(ttl=2),
        True,
        "default",
    )


def test_accelerate_cache_info_has_region_and_request_id(accelerate, caplog):
    User.objects.create(email="a@example.com")
    with caplog.at_level(logging.DEBUG, logger="django.db.backends"):
        qs = User.objects.with_cache(ttl=30)
        list(qs)
    info = qs.cache_info
    assert info.region == "EMU" and info.request_id.endswith("-EMU") and info.source == "server"
    record = next(r for r in caplog.records if getattr(r, "cache_info", None) is info)
    assert "status=miss" in record.getMessage() and "region=EMU" in record.getMessage()
    assert record.alias == "default" and record.cache_strategy == CacheStrategy(ttl=30)


def test_fallback_cache_info_says_so(cached):
    User.objects.create(email="a@example.com")
    qs = User.objects.with_cache(ttl=30)
    list(qs)
    expected = "fallback" if cached.mode == "fallback" else "server"
    assert qs.cache_info.source == expected and qs.cache_info.status == "miss"


def test_iterator_and_async_reads(cached):
    User.objects.create(email="a@example.com", name="A")
    qs = User.objects.with_cache(ttl=30)
    assert [u.name for u in qs.iterator()] == ["A"]
    assert qs.cache_info.status == "miss"
    again = User.objects.with_cache(ttl=30)
    assert [u.name for u in again.iterator()] == ["A"] and again.cache_info.status == "ttl"
    counted = User.objects.with_cache(ttl=30)
    assert async_to_sync(counted.acount)() == 1
    assert async_to_sync(counted.acount)() == 1
    assert counted.cache_info.status == "ttl"
