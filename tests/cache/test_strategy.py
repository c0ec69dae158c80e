import pickle

import pytest

from django_prisma.cache import CacheStrategy
from django_prisma.cache.strategy import parse_cache_control, validate_tags


def test_headers_for_ttl_swr_and_tags():
    cs = CacheStrategy(ttl=60, swr=30, tags=["users", "team_1"])
    assert cs.headers() == {
        "cache-control": "max-age=60,stale-while-revalidate=30",
        "accelerate-cache-tags": "users,team_1",
    }
    assert CacheStrategy(ttl=5).headers() == {"cache-control": "max-age=5"}
    assert CacheStrategy(swr=7).headers() == {"cache-control": "stale-while-revalidate=7"}
    assert CacheStrategy(ttl=0, swr=0).cache_control() == "max-age=0,stale-while-revalidate=0"


def test_immutable_hashable_picklable():
    cs = CacheStrategy(ttl=60, swr=60)
    with pytest.raises(AttributeError):
        cs.ttl = 5
    with pytest.raises(AttributeError):
        del cs.swr
    assert cs == CacheStrategy(ttl=60, swr=60) and hash(cs) == hash(CacheStrategy(60, 60))
    assert cs != CacheStrategy(ttl=60)
    assert pickle.loads(pickle.dumps(cs)) == cs
    assert cs.replace(tags=["a"]).tags == ("a",) and cs.tags == ()
    assert repr(CacheStrategy(ttl=1, tags=["x"])) == "CacheStrategy(ttl=1, tags=('x',))"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({}, "needs ttl and/or swr"),
        ({"ttl": -1}, "between 0 and"),
        ({"swr": -5}, "between 0 and"),
        ({"ttl": 1.5}, "whole seconds"),
        ({"ttl": "60"}, "whole seconds"),
        ({"ttl": True}, "whole seconds"),
        ({"ttl": 10**12}, "between 0 and"),
        ({"ttl": 1, "tags": ["a"] * 1 + ["b", "c", "d", "e", "f"]}, "at most 5"),
        ({"ttl": 1, "tags": ["has-dash"]}, "invalid cache tag"),
        ({"ttl": 1, "tags": [""]}, "invalid cache tag"),
        ({"ttl": 1, "tags": ["x" * 65]}, "invalid cache tag"),
        ({"ttl": 1, "tags": [3]}, "invalid cache tag"),
        ({"ttl": 1, "tags": ["é"]}, "invalid cache tag"),
    ],
)
def test_invalid_strategies_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        CacheStrategy(**kwargs)


def test_tag_edge_cases_accepted():
    cs = CacheStrategy(ttl=1, tags=["x" * 64, "A_9", "a", "b", "c"])
    assert len(cs.tags) == 5
    assert CacheStrategy(ttl=1, tags="single").tags == ("single",)
    assert validate_tags(["a", "a", "b"]) == ("a", "b")


def test_coerce_from_dict_and_errors():
    assert CacheStrategy.coerce({"ttl": 3, "tags": ["t"]}) == CacheStrategy(ttl=3, tags=["t"])
    assert CacheStrategy.coerce(None) is None
    with pytest.raises(ValueError, match="unknown CacheStrategy keys"):
        CacheStrategy.coerce({"ttl": 3, "max_age": 4})
    with pytest.raises(ValueError, match="expected a CacheStrategy"):
        CacheStrategy.coerce(60)


def test_parse_cache_control_roundtrip():
    assert parse_cache_control(CacheStrategy(ttl=9, swr=4).cache_control()) == (9, 4)
    assert parse_cache_control("no-cache") == (None, None)
    assert parse_cache_control(None) == (None, None)
