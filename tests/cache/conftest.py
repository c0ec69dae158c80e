"""Fixtures for the cache tests: the Accelerate-cache emulator in front of the real executor."""

from __future__ import annotations

import pytest

from django_prisma import dbapi

from .emulator import AccelerateEmulator


def api_key_of(url: str) -> str:
    return url.split("api_key=", 1)[1]


@pytest.fixture
def emulator(executor_server):
    with AccelerateEmulator(executor_server.url) as emu:
        yield emu


@pytest.fixture
def emu_conn(emulator, executor_server):
    """A DB-API connection to the executor through the emulator."""
    conn = dbapi.connect(emulator.url(api_key_of(executor_server.url)), autocommit=True)
    yield conn
    conn.close()


@pytest.fixture(scope="session", autouse=True)
def cache_installed():
    """What ``AppConfig.ready()`` does once the app calls it; idempotent."""
    from django_prisma.cache import install

    install()


class Harness:
    """The default database routed through the emulator: ``accelerate`` mode (the emulator
    caches) or ``fallback`` mode (a server without a cache; the Django cache serves)."""

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


def _route(mode: str):
    from django.core.cache import caches
    from django.db import connections

    from django_prisma.cache import server

    connection = connections["default"]
    settings_dict = connection.settings_dict
    saved = (settings_dict["URL"], dict(settings_dict["OPTIONS"]))
    emulator = AccelerateEmulator(
        settings_dict["URL"], cache=mode == "accelerate", api_key=settings_dict["TOKEN"]
    ).start()
    caches["default"].clear()
    server.forget()
    connection.close()
    settings_dict["URL"] = emulator.base_url
    harness = Harness(mode, emulator, connection)
    harness.configure()
    return harness, saved


def _unroute(harness: Harness, saved) -> None:
    from django_prisma.cache import server

    harness.settle()
    connection = harness.connection
    connection.close()
    connection.settings_dict["URL"], connection.settings_dict["OPTIONS"] = saved
    harness.emulator.stop()
    server.forget()


@pytest.fixture(params=["accelerate", "fallback"])
def cached(request, transactional_db):
    """Each test runs once through Accelerate (emulated) and once on the Django-cache fallback."""
    harness, saved = _route(request.param)
    yield harness
    _unroute(harness, saved)


@pytest.fixture
def accelerate(transactional_db):
    """Through the Accelerate emulator only (wire-level assertions)."""
    harness, saved = _route("accelerate")
    yield harness
    _unroute(harness, saved)
