"""``invalidate`` / ``invalidate_all``: where they post, what they post, how they fail."""

import pytest

from django_prisma.cache import InvalidationError, invalidate, invalidate_all
from django_prisma.cache.server import invalidate_endpoint
from django_prisma.dbapi.url import parse_url
from tests.testapp.models import User


def test_remote_databases_invalidate_at_accelerate_local_ones_at_the_server():
    remote = parse_url("prisma+postgres://accelerate.prisma-data.net/?api_key=k1")
    target = invalidate_endpoint(remote)
    assert target.origin == "https://accelerate.prisma-data.net:443" and target.api_key == "k1"
    other = invalidate_endpoint(parse_url("prisma://db.example.com:8443/?api_key=k2"))
    assert other.origin == "https://accelerate.prisma-data.net:443" and other.api_key == "k2"
    local = parse_url("prisma+postgres://localhost:51213/?api_key=k3")
    assert invalidate_endpoint(local) is local


def test_posts_tags_and_all_with_the_api_key(accelerate):
    invalidate(["users", "team_1"])
    invalidate("single")
    invalidate_all()
    posts = [r for r in accelerate.emulator.requests if r.path == "/invalidate"]
    assert [r.json for r in posts] == [
        {"tags": ["users", "team_1"]},
        {"tags": ["single"]},
        {"tags": "all"},
    ]
    key = accelerate.connection.settings_dict["TOKEN"]
    assert {r.headers["authorization"] for r in posts} == {f"Bearer {key}"}
    assert {r.method for r in posts} == {"POST"}


@pytest.mark.parametrize("tags", [[], ["bad-tag"], [""], ["x" * 65], [None]])
def test_invalid_tags_are_refused_before_sending(accelerate, tags):
    with pytest.raises(ValueError):
        invalidate(tags)
    assert not [r for r in accelerate.emulator.requests if r.path == "/invalidate"]


def test_more_than_five_tags_may_be_invalidated_at_once(accelerate):
    invalidate([f"t{i}" for i in range(8)])
    assert accelerate.emulator.invalidations == [[f"t{i}" for i in range(8)]]


def test_server_errors_surface_with_url_and_status(accelerate):
    accelerate.emulator.fail_invalidate = (500, b"cache backend down")
    with pytest.raises(InvalidationError) as info:
        invalidate(["users"])
    error = info.value
    assert error.http_status == 500
    assert error.url == f"http://localhost:{accelerate.emulator.port}/invalidate"
    assert "cache tags ['users']" in str(error) and "cache backend down" in str(error)
    accelerate.emulator.fail_invalidate = (401, b"Invalid API Key")
    with pytest.raises(InvalidationError, match="all cached results.*API key"):
        invalidate_all()


def test_unknown_database_alias_is_an_error(accelerate):
    from django.utils.connection import ConnectionDoesNotExist

    with pytest.raises(ConnectionDoesNotExist):
        invalidate(["users"], using="nope")


def test_fallback_tolerates_a_server_without_invalidate(cached):
    cached.emulator.fail_invalidate = (404, b"Not Found")
    if cached.mode == "accelerate":
        with pytest.raises(InvalidationError) as info:
            invalidate(["u"])
        assert info.value.http_status == 404
        return
    invalidate(["u"])  # nothing known about the server yet: it is asked, and 404 is no error
    assert [r.path for r in cached.emulator.requests] == ["/invalidate"]
    User.objects.create(email="a@example.com", name="A")
    list(User.objects.with_cache(ttl=60, tags=["u"]))
    User.objects.update(name="B")
    invalidate(["u"])  # the Django cache is invalidated
    again = User.objects.with_cache(ttl=60, tags=["u"])
    assert [u.name for u in again] == ["B"] and again.cache_info.status == "miss"
