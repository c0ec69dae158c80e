"""A Django project on ``django_prisma.mysql``, run in a subprocess by tests/mysql (the test
suite's own Django settings are PostgreSQL's):

    DJANGO_PRISMA_URL=prisma://… python tests/mysql/django_side.py COMMAND < input.json

Commands: ``create`` (the tables of tests/mysql/interopapp), ``write`` (owners with their items,
in the portable form below; answers their ids), ``read`` (every owner and item, in that form),
``counts`` (requests and statements of the workloads whose cost is a promise). One JSON
document on stdout.

The portable form, shared with prisma_side.mjs: ids and 64-bit integers as decimal strings,
decimals as strings, datetimes as ISO 8601 in UTC with milliseconds (``…T…:…:….123Z``), bytes
as base64, JSON values as they are.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import django  # noqa: E402
from django.conf import settings  # noqa: E402


def configure() -> None:
    settings.configure(
        SECRET_KEY="interop",
        USE_TZ=True,
        TIME_ZONE="UTC",
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        INSTALLED_APPS=["tests.mysql.interopapp"],
        DATABASES={
            "default": {"ENGINE": "django_prisma.mysql", "URL": os.environ["DJANGO_PRISMA_URL"]}
        },
    )
    django.setup()


def create(_):
    from django.db import connection

    from tests.mysql.interopapp.models import Item, Owner

    with connection.schema_editor() as editor:
        editor.create_model(Owner)
        editor.create_model(Item)
    return {"created": True}


def from_portable(item: dict) -> dict:
    blob = item["blob"]
    return {
        "small": item["small"],
        "big": int(item["big"]),
        "price": Decimal(item["price"]),
        "happened": dt.datetime.fromisoformat(item["happened"].replace("Z", "+00:00")),
        "title": item["title"],
        "notes": item["notes"],
        "data": item["data"],
        "blob": None if blob is None else base64.b64decode(blob),
        "flag": item["flag"],
        "maybe": item["maybe"],
        "ratio": item["ratio"],
    }


def write(owners):
    from django.db import transaction

    from tests.mysql.interopapp.models import Item, Owner

    ids = []
    with transaction.atomic():
        for owner in owners:
            saved = Owner.objects.create(name=owner["name"])
            items = [Item.objects.create(owner=saved, **from_portable(i)) for i in owner["items"]]
            ids.append({"id": str(saved.pk), "items": [str(item.pk) for item in items]})
    return ids


def to_portable(item) -> dict:
    happened = item.happened.astimezone(dt.UTC)
    blob = item.blob
    return {
        "id": str(item.pk),
        "owner_id": str(item.owner_id),
        "owner_name": item.owner.name,
        "small": item.small,
        "big": str(item.big),
        "price": str(item.price),
        "happened": happened.strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{happened.microsecond // 1000:03d}Z",
        "micro": happened.microsecond,  # to tell a cut fraction from a rounded one
        "title": item.title,
        "notes": item.notes,
        "data": item.data,
        "blob": None if blob is None else base64.b64encode(bytes(blob)).decode(),
        "flag": item.flag,
        "maybe": item.maybe,
        "ratio": item.ratio,
    }


def read(_):
    from tests.mysql.interopapp.models import Item, Owner

    items = {}
    for item in Item.objects.select_related("owner").order_by("id"):
        items.setdefault(item.owner_id, []).append(to_portable(item))
    return [
        {"id": str(owner.pk), "name": owner.name, "items": items.get(owner.pk, [])}
        for owner in Owner.objects.order_by("id")
    ]


def counts(_):
    """What the driver sends for: an atomic() block of 5 statements in nested savepoints, a
    bulk_create of 1,000 rows, and a sliced select_related page (page first, and as Django
    writes it, with the same rows)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from tests.mysql.interopapp.models import Item, Owner

    connection.ensure_connection()
    transport = connection.connection.transport
    sent = []
    original = transport.request

    def request(method, path, body=None, **kwargs):
        sent.append(path)
        return original(method, path, body, **kwargs)

    transport.request = request
    owner = Owner.objects.create(name="counts")
    now = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    fields = {"big": 1, "price": Decimal("1.5"), "happened": now, "flag": True}

    del sent[:]
    with transaction.atomic():
        Owner.objects.get(pk=owner.pk)
        with transaction.atomic():
            Item.objects.create(owner=owner, small=1, title="nested", **fields)
            with transaction.atomic():
                Item.objects.filter(owner=owner).update(small=2)
                with transaction.atomic():
                    pass
        with transaction.atomic():
            Item.objects.filter(owner=owner).count()
        with transaction.atomic():
            Owner.objects.get(pk=owner.pk)
    nested = len(sent)

    del sent[:]
    with CaptureQueriesContext(connection) as queries:
        Item.objects.bulk_create(
            Item(owner=owner, small=i, title=f"bulk {i}", **fields) for i in range(1000)
        )
    bulk_requests = len(sent)
    bulk_inserts = [q["sql"][:30] for q in queries.captured_queries if "INSERT" in q["sql"]]

    def page():
        qs = Item.objects.select_related("owner").filter(small__gt=500).order_by("-small", "id")
        with CaptureQueriesContext(connection) as page_queries:
            rows = [(item.pk, item.owner.name) for item in qs[:20]]
        return rows, [q["sql"] for q in page_queries.captured_queries]

    page_rows, page_sql = page()
    connection.page_first_joins = False
    django_rows, django_sql = page()
    del connection.page_first_joins
    transport.request = original
    return {
        "nested_atomic_requests": nested,
        "bulk_create_requests": bulk_requests,
        "bulk_create_inserts": bulk_inserts,
        "page_rows": page_rows,
        "page_sql": page_sql,
        "django_rows": django_rows,
        "django_sql": django_sql,
    }


COMMANDS = {"create": create, "write": write, "read": read, "counts": counts}

if __name__ == "__main__":
    configure()
    command = COMMANDS[sys.argv[1]]
    argument = json.load(sys.stdin) if sys.argv[1] == "write" else None
    print(json.dumps(command(argument)))
