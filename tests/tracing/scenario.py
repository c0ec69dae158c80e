"""Run in a subprocess by test_opentelemetry.py (OpenTelemetry's tracer provider is global and
set once per process): a Django project on a Prisma server, OpenTelemetry's SDK with an in-memory
exporter and the Django instrumentation; prints the exported spans as JSON.

Usage: python -m tests.tracing.scenario PRISMA_URL TABLE
"""

from __future__ import annotations

import json
import sys

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

URL, TABLE = sys.argv[1], sys.argv[2]
SECRET_VALUE = "value-that-must-not-be-traced"
WRONG = "wrong-api-key-never-traced"

exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
trace.set_tracer_provider(provider)

import django  # noqa: E402
from django.conf import settings  # noqa: E402

settings.configure(
    DATABASES={
        "default": {"ENGINE": "django_prisma", "URL": URL},
        "wrong_key": {"ENGINE": "django_prisma", "URL": URL.split("?")[0] + "?api_key=" + WRONG},
    },
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "django_prisma"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    ALLOWED_HOSTS=["testserver"],
    SECRET_KEY="tracing-scenario",
    USE_TZ=True,
)
from opentelemetry.instrumentation.django import DjangoInstrumentor  # noqa: E402

DjangoInstrumentor().instrument()
django.setup()

from django.db import DatabaseError, IntegrityError, connection, connections, transaction  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402

from django_prisma import CacheStrategy  # noqa: E402


def read(request):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, name FROM {TABLE} WHERE name = %s AND id > 0", [SECRET_VALUE])
        rows = cursor.fetchall()
    from django.contrib.auth.models import User

    cached = User.objects.with_cache(CacheStrategy(ttl=60, swr=30, tags=["users"]))
    return HttpResponse(f"{len(rows)} {len(list(cached))}")


def write_in_transaction(request):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {TABLE} (id, name) VALUES (%s, %s)", [1, SECRET_VALUE])
            cursor.execute(f"UPDATE {TABLE} SET name = %s WHERE id = %s", [SECRET_VALUE, 1])
    return HttpResponse("ok")


def fail(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {TABLE} (id, name) VALUES (%s, %s)", [1, SECRET_VALUE])
    except IntegrityError:
        return HttpResponse("duplicate")
    return HttpResponse("no error")


def invalidate_then_read(request):
    from django_prisma import invalidate

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE id > %s", [0])
    invalidate(["users"])
    try:
        with connections["wrong_key"].cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return HttpResponse(type(error).__name__)
    return HttpResponse("no error")


urlpatterns = [
    path("read/", read),
    path("tx/", write_in_transaction),
    path("fail/", fail),
    path("other/", invalidate_then_read),
]


def main():
    from django.test import Client

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {TABLE} (id int PRIMARY KEY, name text)")
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS auth_user_stub (id int)"
        )  # an extra statement outside any request
    from django.core.management import call_command

    call_command("migrate", "auth", verbosity=0)
    exporter.clear()
    client = Client()
    answers = {p: client.get(p).content.decode() for p in ("/read/", "/tx/", "/fail/", "/other/")}
    connections.close_all()
    spans = [
        {
            "name": s.name,
            "kind": s.kind.name,
            "span_id": s.context.span_id,
            "trace_id": s.context.trace_id,
            "parent_id": s.parent.span_id if s.parent else None,
            "scope": s.instrumentation_scope.name if s.instrumentation_scope else None,
            "attributes": dict(s.attributes),
            "status": s.status.status_code.name,
            "events": [{"name": e.name, "attributes": dict(e.attributes)} for e in s.events],
        }
        for s in exporter.get_finished_spans()
    ]
    print(json.dumps({"answers": answers, "spans": spans}, default=list))


if __name__ == "__main__":
    main()
