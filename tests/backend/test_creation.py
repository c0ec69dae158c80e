"""Test databases: a dedicated database named by TEST['URL'] is emptied, never an unmarked one."""

from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured

from django_prisma import dbapi
from django_prisma.base import DatabaseWrapper
from django_prisma.creation import MARKER_TABLE
from django_prisma.dbapi.url import split_api_key
from django_prisma.devserver import throwaway_executor
from tests.conftest import POSTGRES_URL


@pytest.fixture(autouse=True)
def _unblocked(django_db_blocker):
    # These tests drive their own DatabaseWrapper, not the test database.
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def dedicated_server():
    with throwaway_executor(POSTGRES_URL, "dp_dedicated") as server:
        yield server


def wrapper_for(test_url):
    settings_dict = {
        "ENGINE": "django_prisma", "NAME": "", "USER": "", "PASSWORD": "", "HOST": "", "PORT": "",
        "URL": "prisma+postgres://accelerate.prisma-data.net/?api_key=production-key",
        "OPTIONS": {}, "TEST": {"URL": test_url}, "ATOMIC_REQUESTS": False, "AUTOCOMMIT": True,
        "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False, "TIME_ZONE": None,
    }  # fmt: skip
    return DatabaseWrapper(settings_dict, alias="dedicated")


def tables(url):
    conn = dbapi.connect(url, autocommit=True)
    try:
        cur = conn.cursor()
        cur.execute(
            "SELECT table_name::text FROM information_schema.tables "
            "WHERE table_schema = 'public' ORDER BY 1"
        )
        return [row[0] for row in cur.fetchall()]
    finally:
        conn.close()


def run_sql(url, sql):
    conn = dbapi.connect(url, autocommit=True)
    try:
        conn.cursor().execute(sql)
    finally:
        conn.close()


def test_dedicated_test_database_is_marked_emptied_and_never_the_production_url(dedicated_server):
    db = wrapper_for(dedicated_server.url)
    db.creation._create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    assert "accelerate" not in db.settings_dict["URL"]
    assert tables(dedicated_server.url) == [MARKER_TABLE]
    run_sql(dedicated_server.url, "CREATE TABLE leftover (id int)")
    db.creation._destroy_test_db("unused", verbosity=0)
    assert tables(dedicated_server.url) == [MARKER_TABLE]
    run_sql(dedicated_server.url, "CREATE TABLE kept (id int)")
    db.creation._create_test_db(verbosity=0, autoclobber=True, keepdb=True)
    assert tables(dedicated_server.url) == ["_django_prisma_test_database", "kept"]
    db.close()


def test_refuses_to_empty_a_database_without_the_marker(dedicated_server):
    run_sql(dedicated_server.url, "CREATE TABLE precious (id int)")
    db = wrapper_for(dedicated_server.url)
    with pytest.raises(ImproperlyConfigured, match="refusing to empty"):
        db.creation._create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    assert tables(dedicated_server.url) == ["precious"]
    db.close()


def test_remote_url_without_test_url_is_refused():
    db = wrapper_for(None)
    db.settings_dict["TEST"] = {}
    with pytest.raises(ImproperlyConfigured, match="dedicated test database"):
        db.creation._create_test_db(verbosity=0, autoclobber=True, keepdb=False)


def test_a_test_url_that_is_the_configured_database_is_refused(dedicated_server):
    db = wrapper_for(dedicated_server.url)
    db.settings_dict["URL"] = dedicated_server.url
    db.settings_dict["TOKEN"] = ""
    with pytest.raises(ImproperlyConfigured, match="is the configured database of alias"):
        db.creation._create_test_db(verbosity=0, autoclobber=True, keepdb=False)


def test_a_local_server_given_as_host_and_token(dedicated_server):
    """As dj-database-url and django-environ write it: HOST, PORT, TOKEN, no URL."""
    db = wrapper_for(None)
    base, key = split_api_key(dedicated_server.url)
    parts = urlsplit(base)
    db.settings_dict.update(URL="", HOST=parts.hostname, PORT=parts.port, TOKEN=key)
    db.settings_dict["TEST"] = {"SERVER": "dev"}
    db.creation._create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        assert db.settings_dict["URL"] != ""
        with db.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = %s",
                           ["_django_prisma_test_database"])  # fmt: skip
            assert cursor.fetchone() == (0,)  # a fresh @prisma/dev, not dedicated_server
    finally:
        db.creation.destroy_test_db(verbosity=0)
    assert db.settings_dict["URL"] == "" and db.settings_dict["TOKEN"] == key
