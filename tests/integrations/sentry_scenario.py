"""Run in a subprocess by test_sentry.py (sentry-sdk's Django integration instruments Django's
classes for the life of the process): a Django project on one database, sentry-sdk with a
transport that records every envelope in memory; prints the envelopes' items as JSON.

Usage: python -m tests.integrations.sentry_scenario prisma PRISMA_URL DOWN_URL TABLE
       python -m tests.integrations.sentry_scenario native POSTGRES_URL DOWN_URL TABLE

The same views run on django_prisma and on Django's PostgreSQL backend (the specification);
DOWN_URL is a server that refuses connections, of the same kind.
"""

from __future__ import annotations

import json
import sys

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.transport import Transport

from tests.integrations import sites

ENGINE, URL, DOWN_URL, TABLE = sys.argv[1:5]
SECRET_VALUE = "value-in-a-breadcrumb"

envelopes = []


class RecordingTransport(Transport):
    """Keeps every envelope, as it would be sent (serialized), in memory."""

    def capture_envelope(self, envelope):
        envelopes.append(envelope)


def database(url: str, **options) -> dict:
    return sites.database(ENGINE, url, **options)


# Refused by the driver as it connects, inside Django's connect(): its frame's locals (the
# driver's connection parameters) are in the event.
UNUSABLE = {"ca_bundle_only": True} if ENGINE == "prisma" else {"sslmode": "verify-full"}


sentry_sdk.init(
    dsn="https://public@sentry.invalid/1",
    transport=RecordingTransport,
    integrations=[DjangoIntegration(db_transaction_spans=True)],  # COMMIT and ROLLBACK spans too
    traces_sample_rate=1.0,
    send_default_pii=True,  # request data, user
    include_local_variables=True,  # the frames' locals in error events (the default, said)
    max_request_body_size="always",
    _experiments={"record_sql_params": True},  # parameters in the query breadcrumbs
    default_integrations=False,
)

import django  # noqa: E402
from django.conf import settings  # noqa: E402

settings.configure(
    DEBUG=False,
    DATABASES={
        "default": database(URL),
        "down": database(DOWN_URL),
        "unusable": database(URL, **UNUSABLE),
    },
    INSTALLED_APPS=sites.installed_apps(ENGINE),
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    ALLOWED_HOSTS=["testserver"],
    SECRET_KEY="sentry-scenario",
    USE_TZ=True,
)
django.setup()

from django.db import connection, connections, transaction  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402


def read(request):
    from django.contrib.auth.models import User

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, name FROM {TABLE} WHERE name = %s", [SECRET_VALUE])
        rows = cursor.fetchall()
    return HttpResponse(f"{len(rows)} {User.objects.filter(is_staff=True).count()}")


def write(request):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {TABLE} (id, name) VALUES (%s, %s)", [1, SECRET_VALUE])
    return HttpResponse("written")


def duplicate(request):
    # Unhandled: an error event whose frames run through the backend and its driver.
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (id, name) VALUES (%s, %s)", [1, SECRET_VALUE])
    return HttpResponse("no error")


def down(request):
    # Unhandled: the first query of a connection that cannot connect (Django's connect()
    # frame holds the driver's connection parameters as a local).
    with connections["down"].cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("no error")


def unusable(request):
    with connections["unusable"].cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("no error")


urlpatterns = [
    path("read/", read),
    path("write/", write),
    path("duplicate/", duplicate),
    path("down/", down),
    path("unusable/", unusable),
]


VIEWS = ("/read/", "/write/", "/duplicate/", "/down/", "/unusable/", "/read/")


def get(path_info: str) -> int:
    """A GET through Django's WSGI application, which sentry-sdk wraps (the test client does
    not go through it): a transaction per request."""
    from django.core.wsgi import get_wsgi_application
    from django.test.client import RequestFactory

    status = []
    environ = RequestFactory()._base_environ(PATH_INFO=path_info, REQUEST_METHOD="GET")
    response = get_wsgi_application()(environ, lambda s, headers, *args: status.append(s))
    b"".join(response)
    response.close()
    return int(status[0].split()[0])


def main():
    from django.core.management import call_command

    call_command("migrate", "auth", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {TABLE} (id int PRIMARY KEY, name text)")
    connections.close_all()
    sentry_sdk.flush()
    envelopes.clear()
    statuses = {p: get(p) for p in VIEWS}
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {TABLE}")
    connections.close_all()
    sentry_sdk.flush()
    items = [
        {"type": item.headers.get("type"), "payload": json.loads(item.get_bytes())}
        for envelope in envelopes
        for item in envelope.items
    ]
    # The whole of what would have been sent, as sent: the envelopes serialized.
    sent = b"".join(envelope.serialize() for envelope in envelopes).decode("utf-8", "replace")
    print(json.dumps({"statuses": statuses, "items": items, "sent": sent}))


if __name__ == "__main__":
    main()
