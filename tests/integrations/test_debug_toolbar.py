"""django-debug-toolbar over django_prisma, for real: a page rendered with the toolbar, its SQL
panel (queries, transaction grouping, the SELECT and EXPLAIN buttons, which re-run SQL over
HTTP) and the Accelerate cache panel (statuses from the cache emulator in front of the
executor)."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client, override_settings

from tests.testapp.models import User

PANELS = [
    "django_prisma.debug_toolbar.PrismaSQLPanel",
    "django_prisma.debug_toolbar.PrismaCachePanel",
]


@pytest.fixture
def toolbar(accelerate):
    """The toolbar switched on for the test site; yields a function fetching a request's panel."""
    # STATIC_URL first: the toolbar's app reads it when the app registry is rebuilt
    with (
        override_settings(STATIC_URL="/static/"),
        override_settings(
            INSTALLED_APPS=[
                *settings.INSTALLED_APPS,
                "django.contrib.staticfiles",
                "debug_toolbar",
            ],
            MIDDLEWARE=[*settings.MIDDLEWARE, "debug_toolbar.middleware.DebugToolbarMiddleware"],
            ROOT_URLCONF="tests.integrations.toolbar_site",
            DEBUG_TOOLBAR_PANELS=PANELS,
            DEBUG_TOOLBAR_CONFIG={
                "SHOW_TOOLBAR_CALLBACK": "tests.integrations.toolbar_site.show_toolbar",
                "IS_RUNNING_TESTS": False,
            },
        ),
    ):
        from debug_toolbar.toolbar import DebugToolbar

        def panel(request_id: str, panel_id: str):
            return DebugToolbar.fetch(request_id, panel_id).get_panel_by_id(panel_id)

        yield panel


def visit(client: Client) -> str:
    """GET the page; the id the toolbar stored its data under."""
    from debug_toolbar.store import get_store

    before = set(get_store().request_ids())
    response = client.get("/page/")
    assert response.status_code == 200
    assert b'id="djDebug"' in response.content
    (request_id,) = set(get_store().request_ids()) - before
    return request_id


def test_sql_and_cache_panels(toolbar, accelerate):
    from debug_toolbar.forms import SignedDataForm

    User.objects.create(email="a@example.com")
    User.objects.create(email="b@example.com")
    client = Client()
    first = visit(client)
    reads_before = accelerate.database_reads
    second = visit(client)

    # SQL panel: every query, the atomic block grouped as one transaction
    queries = toolbar(second, "SQLPanel").get_stats()["queries"]
    kinds = [q["raw_sql"].split()[0] for q in queries]
    assert kinds == ["SELECT", "SELECT", "INSERT", "SELECT", "SELECT"]
    assert [bool(q.get("in_trans")) for q in queries] == [False, False, True, True, False]
    assert queries[2].get("starts_trans") and queries[3].get("ends_trans")
    assert not any(q.get("starts_trans") for q in queries[3:])
    assert [q["trans_status"] for q in queries] == [
        "Idle",
        "Idle",
        "In transaction",
        "In transaction",
        "Idle",
    ]

    # the cache: the ordered list hit the cache on the second visit, the rest did not
    cache = [q["prisma_cache"] for q in queries]
    assert cache[0] == {
        "strategy": "ttl=600",
        "status": "ttl",
        "source": "server",
        "tags": ["users"],
        "ignored": None,
        "hit": True,
    }
    assert cache[1]["strategy"] is None and cache[1]["status"] == "none"
    assert cache[2] is None  # a write
    assert cache[3]["strategy"] == "ttl=600" and cache[3]["ignored"] == "transaction"
    assert cache[3]["status"] is None
    assert cache[4]["status"] == "none"
    # autocommit reads that reached the database: the count and exists(), not the cached list
    assert accelerate.database_reads - reads_before == 2
    first_cache = [q["prisma_cache"] for q in toolbar(first, "SQLPanel").get_stats()["queries"]]
    assert first_cache[0]["status"] == "miss" and not first_cache[0]["hit"]

    # the panels render through the toolbar's own view
    for panel_id, expected in (
        ("SQLPanel", ["users", "In transaction"]),
        ("PrismaCachePanel", ["ttl=600", "ignored", "transaction", "users", "none"]),
    ):
        response = client.get(
            "/__debug__/render_panel/", {"request_id": second, "panel_id": panel_id}
        )
        assert response.status_code == 200
        content = response.json()["content"]
        for text in expected:
            assert text in content, (panel_id, text)
    assert toolbar(second, "PrismaCachePanel").nav_subtitle == "1 of 4 reads from the cache"

    # SELECT and EXPLAIN re-run the recorded query through the connection
    signed = SignedDataForm.sign(
        {"request_id": second, "djdt_query_id": queries[0]["djdt_query_id"]}
    )
    selected = client.post("/__debug__/sql_select/", {"signed": signed})
    assert selected.status_code == 200
    content = json.loads(selected.content)["content"]
    assert "a@example.com" in content and "visit2@example.com" in content
    explained = client.post("/__debug__/sql_explain/", {"signed": signed})
    assert explained.status_code == 200
    assert "cost=" in json.loads(explained.content)["content"]


def test_the_cache_panel_says_what_it_needs(toolbar, accelerate):
    with override_settings(
        DEBUG_TOOLBAR_PANELS=[
            "debug_toolbar.panels.sql.SQLPanel",
            "django_prisma.debug_toolbar.PrismaCachePanel",
        ]
    ):
        request_id = visit(Client())
        content = toolbar(request_id, "PrismaCachePanel").content
    assert "django_prisma.debug_toolbar.PrismaSQLPanel" in content
