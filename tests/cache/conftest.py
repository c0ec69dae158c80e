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
