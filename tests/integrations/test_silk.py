"""django-silk over django_prisma, compared with Django's PostgreSQL backend: its middleware
records a request's SQL through its own hook on Django's SQL compiler, runs EXPLAIN ANALYZE of
each query (as text, and in JSON) on a cursor of its own while the compiler executes, and saves
everything in its models, whose migrations make the native schema.

The scenario runs in a subprocess per backend and format (tests/integrations/silk_scenario.py):
silk patches Django's SQLCompiler for the life of the process."""

from __future__ import annotations

import json
import re

import pytest

from django_prisma.devserver import throwaway_executor
from tests.conftest import POSTGRES_URL
from tests.integrations.sites import run_scenario, schema_of


def run(*args: str) -> dict:
    return json.loads(run_scenario("silk", *args).stdout)


@pytest.fixture(scope="module")
def recorded():
    with (
        throwaway_executor(POSTGRES_URL, "dp_silk") as prisma_server,
        throwaway_executor(POSTGRES_URL, "dp_silk") as native_database,
    ):
        runs = {}
        for explain_format in ("text", "json"):
            runs["prisma", explain_format] = run("prisma", prisma_server.url, explain_format)
            runs["native", explain_format] = run(
                "native", native_database.database_url, explain_format
            )
        schemas = {
            "prisma": schema_of(prisma_server.database_url, "silk_"),
            "native": schema_of(native_database.database_url, "silk_"),
        }
        yield runs, schemas


def plan_shape(analysis: str) -> str:
    """A plan without its numbers (costs, times, rows)."""
    return re.sub(r"[\d.]+", "N", analysis)


@pytest.mark.parametrize("explain_format", ["text", "json"])
def test_the_request_and_its_queries_as_natively(recorded, explain_format):
    runs, _ = recorded
    prisma, native = runs["prisma", explain_format], runs["native", explain_format]
    assert prisma["body"] == native["body"] == "2 2 silk-a"
    assert prisma["request"] == native["request"]
    assert prisma["request"]["num_sql_queries"] == 4
    assert [q["query"] for q in prisma["queries"]] == [q["query"] for q in native["queries"]]
    assert all(q["has_traceback"] and q["timed"] for q in prisma["queries"])


@pytest.mark.parametrize("explain_format", ["text", "json"])
def test_explain_analyze_of_every_query_as_natively(recorded, explain_format):
    runs, _ = recorded
    prisma, native = runs["prisma", explain_format], runs["native", explain_format]
    ours = [q["analysis"] for q in prisma["queries"]]
    assert all(ours), ours
    if explain_format == "text":
        assert all("actual time=" in analysis for analysis in ours)
    else:  # silk stores str() of each row's values: the plan psycopg parsed, as natively
        assert all(analysis.startswith("[{'Plan': {") for analysis in ours), ours
        assert all("'Actual Total Time'" in analysis for analysis in ours)
    assert [plan_shape(a) for a in ours] == [plan_shape(q["analysis"]) for q in native["queries"]]


def test_silks_migrations_make_the_native_schema(recorded):
    _, schemas = recorded
    assert schemas["prisma"]["columns"]
    assert schemas["prisma"] == schemas["native"]
