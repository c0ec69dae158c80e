import pytest
from django.core.exceptions import ImproperlyConfigured

from django_prisma import dbapi as Database
from django_prisma.base import DatabaseWrapper
from django_prisma.settings import connection_params, driver_arguments


def wrapper(**entry):
    settings_dict = {
        "ENGINE": "django_prisma",
        "NAME": "",
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "OPTIONS": {},
        "TEST": {},
        "ATOMIC_REQUESTS": False,
        "AUTOCOMMIT": True,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "TIME_ZONE": None,
        **entry,
    }
    return DatabaseWrapper(settings_dict, alias="settings_test")


def test_api_key_in_url_moves_to_token():
    db = wrapper(URL="prisma+postgres://accelerate.prisma-data.net/?api_key=s3cret")
    assert "s3cret" not in db.settings_dict["URL"]
    assert db.settings_dict["TOKEN"] == "s3cret"
    params = db.get_connection_params()
    assert params["api_key"] == "s3cret"


def test_host_and_token():
    db = wrapper(HOST="accelerate.prisma-data.net", TOKEN="k")
    params = db.get_connection_params()
    assert params["url"] == "prisma+postgres://accelerate.prisma-data.net/"


def test_params_describe_the_server_as_psycopgs_do_but_only_the_driver_gets_its_own():
    """Tools describe a connection not yet made from get_connection_params() (sentry-sdk's
    "connect" spans), as psycopg's parameters would: host and port of the Prisma server."""
    params = wrapper(URL="prisma+postgres://localhost:5555/?api_key=k").get_connection_params()
    assert (params["host"], params["port"]) == ("localhost", 5555)
    assert "dbname" not in params  # not known before a query has asked for it
    arguments = driver_arguments(params)
    assert not set(arguments) & {"host", "port", "dbname"}
    assert Database.connect(**arguments).info.port == 5555


@pytest.mark.parametrize(
    "entry, message",
    [
        ({}, "set URL"),
        ({"URL": "postgres://x/"}, "unsupported scheme"),
        ({"URL": "prisma+postgres://x/"}, "no api_key"),
        (
            {"URL": "prisma+postgres://x/?api_key=k", "OPTIONS": {"bogus": 1}},
            "unknown django_prisma OPTIONS",
        ),
        (
            {"URL": "prisma+postgres://x/?api_key=k", "OPTIONS": {"transaction_timeout": "soon"}},
            "must be",
        ),
        (
            {"URL": "prisma+postgres://x/?api_key=k", "OPTIONS": {"isolation_level": "chaos"}},
            "isolation level",
        ),
    ],
)
def test_wrong_settings_raise_improperly_configured(entry, message):
    db = wrapper(**entry)
    with pytest.raises(ImproperlyConfigured, match=message):
        db.get_connection_params()


def test_debug_page_never_shows_the_key(rf):
    from django.views.debug import ExceptionReporter

    db = wrapper(URL="prisma+postgres://accelerate.prisma-data.net/?api_key=s3cret-key")
    settings_like = {"DATABASES": {"default": db.settings_dict}}
    request = rf.get("/")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        reporter = ExceptionReporter(request, *sys.exc_info())
        cleansed = reporter.filter.cleanse_setting("DATABASES", settings_like["DATABASES"])
    assert "s3cret-key" not in repr(cleansed)
    assert connection_params(dict(db.settings_dict))["api_key"] == "s3cret-key"


def test_app_ready_moves_keys_out_of_every_url(settings):
    from django.apps import apps

    settings.DATABASES = {
        **settings.DATABASES,
        "remote": {"ENGINE": "django_prisma", "URL": "prisma://example.org/?api_key=k3y"},
    }
    apps.get_app_config("django_prisma").ready()
    entry = settings.DATABASES["remote"]
    assert "k3y" not in entry["URL"] and entry["TOKEN"] == "k3y"
