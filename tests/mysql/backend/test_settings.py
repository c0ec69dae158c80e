"""OPTIONS of a django_prisma.mysql DATABASES entry: what MySQLdb's settings mean over HTTP
(session settings refused, socket settings ignored, utf8mb4 only), checked before connecting."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.utils import load_backend

KEY = "sk_mysql_secret_key_123"


def wrapper(**options):
    backend = load_backend("django_prisma.mysql")
    settings_dict = {
        "ENGINE": "django_prisma.mysql",
        "URL": f"prisma://db.example.com/?api_key={KEY}",
        "NAME": "",
        "OPTIONS": options,
        "TIME_ZONE": None,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "TEST": {},
    }
    return backend.DatabaseWrapper(settings_dict, "mysql_settings")


def refusal(**options) -> str:
    with pytest.raises(ImproperlyConfigured) as raised:
        wrapper(**options).get_connection_params()
    message = str(raised.value)
    assert KEY not in message
    return message


def test_init_command_and_sql_mode_are_strings():
    wrapper(
        init_command="SET sql_mode = 'ANSI_QUOTES'", sql_mode="TRADITIONAL"
    ).get_connection_params()
    assert refusal(init_command=1) == "OPTIONS['init_command'] must be a string, not 1"
    assert refusal(sql_mode=["TRADITIONAL"]) == (
        "OPTIONS['sql_mode'] must be a string, not ['TRADITIONAL']"
    )


def test_an_unknown_key_is_refused_naming_the_known_ones():
    message = refusal(no_such_option=1)
    assert message.startswith("unknown django_prisma OPTIONS key 'no_such_option'; known keys: ")
    assert "isolation_level" in message and "transaction_timeout" in message
    assert "replay_errors" not in message.split("(")[0], "PostgreSQL's only"


def test_replay_errors_is_postgresqls_only():
    assert refusal(replay_errors=True).startswith(
        "unknown django_prisma OPTIONS key 'replay_errors'"
    )


@pytest.mark.parametrize("charset", ["utf8mb4", "UTF8MB4", "utf8", "utf8mb3"])
def test_utf8_charsets_are_accepted(charset):
    params = wrapper(charset=charset).get_connection_params()
    assert params["url"] == "prisma://db.example.com/" and params["api_key"] == KEY
    assert KEY not in repr(params)


def test_other_charsets_are_refused():
    assert refusal(charset="latin1") == (
        "OPTIONS['charset'] = 'latin1': results travel as JSON, always UTF-8; use 'utf8mb4' (or "
        "leave it out)"
    )


def test_socket_settings_are_ignored_with_a_debug_log(caplog):
    with caplog.at_level(logging.DEBUG, logger="django_prisma.settings"):
        params = wrapper(
            ssl={"ca": "/x"}, unix_socket="/tmp/s", autocommit=True
        ).get_connection_params()
    assert not {"ssl", "unix_socket", "autocommit"} & params.keys()
    assert "ignored: autocommit, ssl, unix_socket" in caplog.text


def test_isolation_level_default_and_choices():
    assert wrapper().get_connection_params()["isolation_level"] == "read committed"
    params = wrapper(isolation_level="SERIALIZABLE").get_connection_params()
    assert params["isolation_level"] == "serializable"
    assert "isolation_level" not in wrapper(isolation_level=None).get_connection_params()
    assert refusal(isolation_level="chaos").startswith(
        "Invalid transaction isolation level 'chaos' specified."
    )


def test_driver_options_are_type_checked():
    params = wrapper(transaction_timeout=30, connect_timeout="2.5").get_connection_params()
    assert (params["transaction_timeout"], params["connect_timeout"]) == (30, 2.5)
    assert refusal(transaction_timeout="soon") == (
        "OPTIONS['transaction_timeout'] must be a number or string as documented, not 'soon'"
    )


def test_times_are_read_as_times_of_day_as_django_asks_mysqldb():
    assert wrapper().get_connection_params()["times_as_time"] is True
