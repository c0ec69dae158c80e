import os

from celery import Celery
from celery.signals import worker_before_create_process, worker_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.integrations.celery_site.settings")

app = Celery("celery_site", include=["tests.integrations.celery_site.tasks"])
app.config_from_object("django.conf:settings", namespace="CELERY")

_parent = {}


def query_before_forking(**kwargs):
    """The worker's main process holds an open connection when it forks each pool process: the
    child inherits it (Celery's fixup drops it there) and the parent keeps using it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    driver = connection.connection
    _parent.setdefault("first", id(driver))
    # django_prisma: the HTTP connections the driver connection has opened (one, if the socket
    # a forked child got a copy of still serves the parent).
    sockets = getattr(getattr(driver, "transport", None), "connections_opened", None)
    print(
        f"PARENT before fork: driver {id(driver) == _parent['first']}, sockets {sockets}",
        flush=True,
    )


if os.environ.get("CELERY_SITE_QUERY_BEFORE_FORK") == "1":
    worker_before_create_process.connect(query_before_forking)


@worker_shutdown.connect
def query_at_shutdown(**kwargs):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM auth_group")
        (count,) = cursor.fetchone()
    print(
        f"PARENT at shutdown: {count} groups, same driver connection "
        f"{id(connection.connection) == _parent.get('first')}",
        flush=True,
    )
