"""Tools that configure or open django_prisma connections themselves: django-extensions'
shell_plus, dj-database-url, django-environ; the libpq OPTIONS they (and users) add."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import dj_database_url
import environ
import psycopg
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.utils import ConnectionHandler

import django_prisma
from django_prisma.dbapi.url import split_api_key
from django_prisma.settings import IGNORED_OPTIONS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _unblocked(django_db_blocker):
    # These tests open their own connections, not the test database.
    with django_db_blocker.unblock():
        yield


def connection_for(entry: dict):
    """A connection built from a DATABASES entry exactly as Django builds it."""
    handler = ConnectionHandler({"default": {"ENGINE": "django.db.backends.dummy"}, "db": entry})
    return handler["db"]


def select(connection, sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


# -- OPTIONS that mean nothing over HTTP -------------------------------------------------------


def test_libpq_options_tools_add_are_ignored_with_a_debug_log(server, caplog):
    base, key = split_api_key(server.url)
    options = {"fallback_application_name": "django_shell", "application_name": "app",
               "sslmode": "require", "keepalives": 1, "target_session_attrs": "read-write",
               "server_side_binding": True, "client_encoding": "UTF8", "connect_timeout": "10",
               "cursor_factory": psycopg.ClientCursor}  # fmt: skip
    connection = connection_for({"ENGINE": "django_prisma", "URL": base, "TOKEN": key,
                                 "OPTIONS": options})  # fmt: skip
    with caplog.at_level(logging.DEBUG, logger="django_prisma.settings"):
        params = connection.get_connection_params()
        assert select(connection, "SELECT 1") == [(1,)]
    # The driver's own cursor class, as Django gives psycopg its own, never psycopg's.
    assert params.pop("cursor_factory") is django_prisma.dbapi.Cursor
    assert not set(params) & IGNORED_OPTIONS
    assert params["connect_timeout"] == 10.0
    logged = [r.getMessage() for r in caplog.records if r.name == "django_prisma.settings"]
    assert any(
        "application_name, cursor_factory, fallback_application_name, keepalives, "
        "server_side_binding, sslmode, target_session_attrs" in message
        for message in logged
    ), logged
    connection.close()


@pytest.mark.parametrize(
    "options, message",
    [
        ({"sslmod": "require"}, "unknown django_prisma OPTIONS key 'sslmod'"),
        ({"application-name": "x"}, "unknown django_prisma OPTIONS key"),
        ({"client_encoding": "LATIN1"}, "always UTF-8"),
        ({"connect_timeout": "soon"}, "number of seconds"),
        ({"options": "-d 5"}, "only '-c name=value'"),
        ({"options": "-c search_path"}, "is not name=value"),
        ({"options": 5}, "must be a string"),
        ({"options": "-c timezone=America/New_York"}, "cannot be set for django_prisma"),
        ({"options": "-c DateStyle=German"}, "cannot be set for django_prisma"),
        ({"chunk_size": 100}, r"no longer accepted .*iterator\(chunk_size=n\)"),
    ],
)
def test_misspelt_or_unusable_options_are_refused(options, message):
    connection = connection_for({"ENGINE": "django_prisma", "OPTIONS": options,
                                 "URL": "prisma+postgres://localhost:9/?api_key=k"})  # fmt: skip
    with pytest.raises(ImproperlyConfigured, match=message):
        connection.get_connection_params()


@pytest.fixture
def app_schema(server):
    """A schema with a table of its own, on the server's database."""
    base, key = split_api_key(server.url)
    plain = connection_for({"ENGINE": "django_prisma", "URL": base, "TOKEN": key})
    with plain.cursor() as cursor:
        cursor.execute("DROP SCHEMA IF EXISTS dp_app CASCADE")
        cursor.execute("CREATE SCHEMA dp_app")
        cursor.execute("CREATE TABLE dp_app.only_here (id int)")
        cursor.execute("INSERT INTO dp_app.only_here VALUES (7)")
    yield base, key
    with plain.cursor() as cursor:
        cursor.execute("DROP SCHEMA dp_app CASCADE")
    plain.close()


def test_search_path_in_options_applies_to_every_statement_and_transaction(app_schema):
    base, key = app_schema
    connection = connection_for({"ENGINE": "django_prisma", "URL": base, "TOKEN": key,
                                 "OPTIONS": {"options": "-c search_path=dp_app,public"}})  # fmt: skip
    assert select(connection, "SELECT current_schema()") == [("dp_app",)]
    assert select(connection, "SELECT id FROM only_here") == [(7,)]
    connection.set_autocommit(False)  # a transaction: the parameters are set once, at its start
    assert select(connection, "SELECT id FROM only_here") == [(7,)]
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO only_here VALUES (8)")
    assert select(connection, "SELECT current_schema()") == [("dp_app",)]
    connection.commit()
    connection.set_autocommit(True)
    assert select(connection, "SELECT id FROM only_here ORDER BY id") == [(7,), (8,)]
    connection.close()


def test_search_path_as_with_psycopg(executor_server, pg):
    """The specification: libpq's options on a direct PostgreSQL connection."""
    base, key = split_api_key(executor_server.url)
    pg.execute("CREATE SCHEMA IF NOT EXISTS dp_native")
    options = "-c search_path=dp_native,public -c statement_timeout=5s"
    with psycopg.connect(executor_server.database_url, options=options) as conn:
        native = conn.execute("SELECT current_schema(), current_setting('statement_timeout')")
        native = native.fetchall()
    connection = connection_for({"ENGINE": "django_prisma", "URL": base, "TOKEN": key,
                                 "OPTIONS": {"options": options}})  # fmt: skip
    assert native == [("dp_native", "5s")]
    assert (
        select(connection, "SELECT current_schema(), current_setting('statement_timeout')")
        == native
    )
    connection.close()


# -- DATABASE_URL helpers ----------------------------------------------------------------------


def test_dj_database_url_with_the_scheme_registered(server):
    dj_database_url.register("prisma+postgres", "django_prisma")
    entry = dj_database_url.parse(server.url, conn_max_age=60)
    assert entry["ENGINE"] == "django_prisma"
    connection = connection_for(entry)
    assert select(connection, "SELECT 1") == [(1,)]
    assert connection.settings_dict["TOKEN"] == split_api_key(server.url)[1]
    assert "api_key" not in connection.settings_dict.get("OPTIONS", {})
    connection.close()


def test_django_environ_with_the_engine_named(server, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", server.url)
    entry = environ.Env().db_url("DATABASE_URL", engine="django_prisma")
    connection = connection_for(entry)
    assert select(connection, "SELECT 1") == [(1,)]
    connection.close()
    # Or register the scheme once, for every db_url() call.
    monkeypatch.setitem(environ.Env.DB_SCHEMES, "prisma+postgres", "django_prisma")
    connection = connection_for(environ.Env().db_url())
    assert select(connection, "SELECT 2") == [(2,)]
    connection.close()


def test_django_prisma_config(server, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"{server.url}&transaction_timeout=20000&sslmode=require")
    entry = django_prisma.config(CONN_MAX_AGE=60)
    assert entry["OPTIONS"] == {"transaction_timeout": 20000, "sslmode": "require"}
    assert entry["CONN_MAX_AGE"] == 60 and "api_key" not in entry["URL"]
    connection = connection_for(entry)
    assert select(connection, "SELECT 1") == [(1,)]
    assert connection.connection.transaction_timeout == 20000
    connection.close()


def test_config_without_the_variable_is_refused(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL is not set"):
        django_prisma.config()
    with pytest.raises(ImproperlyConfigured, match="no api_key"):
        django_prisma.config("prisma+postgres://localhost:5/")


@pytest.mark.parametrize(
    "entry",
    [
        {"URL": "prisma+postgres://h/?api_key=key-one", "OPTIONS": {"api_key": "key-two"}},
        {"URL": "prisma+postgres://h/?api_key=key-one", "TOKEN": "key-two"},
        {"HOST": "h", "TOKEN": "key-one", "OPTIONS": {"api_key": "key-two"}},
    ],
)
def test_keys_that_disagree_are_refused_without_showing_them(entry):
    with pytest.raises(ImproperlyConfigured, match="differ") as raised:
        connection_for({"ENGINE": "django_prisma", **entry}).get_connection_params()
    assert "key-one" not in str(raised.value) and "key-two" not in str(raised.value)


def test_the_same_key_twice_is_fine():
    connection = connection_for({"ENGINE": "django_prisma", "HOST": "h", "TOKEN": "k",
                                 "OPTIONS": {"api_key": "k"}})  # fmt: skip
    assert connection.get_connection_params()["api_key"] == "k"


# -- django-extensions' shell_plus -------------------------------------------------------------


def manage(server, *command):
    base, key = split_api_key(server.url)
    env = {
        **os.environ,
        "PROBE_DATABASES": json.dumps(
            {"default": {"ENGINE": "django_prisma", "URL": base, "TOKEN": key}}
        ),  # fmt: skip
        "PROBE_EXTRA_APPS": "django_extensions",
        "DJANGO_SETTINGS_MODULE": "tests.backend.testrun.probe_settings",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "django", *command], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip


def test_shell_plus_opens_the_database_and_prints_sql(executor_server):
    migrated = manage(executor_server, "migrate", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    code = "Group.objects.create(name='from-shell'); print('groups', Group.objects.count())"
    result = manage(executor_server, "shell_plus", "--print-sql", "-c", code)
    assert result.returncode == 0, result.stderr
    printed = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)  # pygments' colours
    assert "groups 1" in printed, printed
    # --print-sql: each statement, as shell_plus prints it.
    assert 'INSERT INTO "auth_group"' in printed, printed
    assert 'SELECT COUNT(*) AS "__count"' in printed, printed
    plain = manage(executor_server, "shell_plus", "-c", "print('groups', Group.objects.count())")
    assert plain.returncode == 0, plain.stderr
    assert "groups 1" in plain.stdout and "SELECT" not in plain.stdout, plain.stdout
