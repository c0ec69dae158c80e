"""django-cachalot over django_prisma, compared with Django's PostgreSQL backend: reads served
from its cache, invalidated by ORM writes, by raw SQL writes (cachalot finds the tables in the
SQL) and by transactions, with the same values and the same queries reaching the database.

cachalot knows database engines by their ENGINE path: without
``CACHALOT_ADDITIONAL_SUPPORTED_DATABASES = {"django_prisma"}`` it leaves django_prisma's
aliases alone and says so (its check cachalot.W002). The scenario runs in a subprocess per
backend (tests/integrations/cachalot_scenario.py): cachalot patches Django for the process."""

from __future__ import annotations

import json

import pytest

from django_prisma.devserver import throwaway_executor
from tests.conftest import POSTGRES_URL
from tests.integrations.sites import run_scenario


def run(*args: str) -> dict:
    return json.loads(run_scenario("cachalot", *args).stdout)


@pytest.fixture(scope="module")
def runs():
    with (
        throwaway_executor(POSTGRES_URL, "dp_cachalot") as prisma_server,
        throwaway_executor(POSTGRES_URL, "dp_cachalot") as native_database,
    ):
        yield {
            "prisma": run("prisma", prisma_server.url),
            "native": run("native", native_database.database_url),
            "prisma undeclared": run("prisma", prisma_server.url, "unsupported"),
            "native undeclared": run("native", native_database.database_url, "unsupported"),
        }


def test_cached_reads_and_invalidation_as_natively(runs):
    ours, theirs = runs["prisma"]["steps"], runs["native"]["steps"]
    assert [s["step"] for s in ours] == [s["step"] for s in theirs]
    for mine, native in zip(ours, theirs, strict=True):
        assert mine["value"] == native["value"], mine["step"]
        # iterator() too: its chunk reads by key are the cursor's own reads (README), not queries.
        assert mine["queries"] == native["queries"], mine["step"]
    by_step = {s["step"]: s for s in ours}
    assert by_step["second read: from the cache"]["queries"] == 0
    assert by_step["read after the raw write"] == {
        "step": "read after the raw write",
        "value": ["cache-a", "cache-c"],
        "queries": 1,
    }
    assert by_step["iterator() again"]["queries"] == 0


def test_an_engine_cachalot_was_not_told_of_is_left_alone_with_a_warning(runs):
    assert runs["prisma"]["checks"] == runs["native"]["checks"] == []
    assert runs["native undeclared"]["checks"] == []
    assert runs["prisma undeclared"]["checks"] == ["cachalot.W002"]
