"""One Django process of bench/wan.py, run inside the link's client namespace.

    python bench/wan_client.py CONFIG_JSON

CONFIG_JSON names the backend (``prisma``, ``native``, ``native-require``), how to reach it, the
scenarios and iterations, and the shared-memory counters of the proxy in front of it. The
process prints one JSON line: per scenario, the wall times and what crossed the proxy.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]

CONFIG = json.loads(sys.argv[1]) if __name__ == "__main__" else {}

urlpatterns: list = []  # filled in by configure() (this module is the ROOT_URLCONF)


def database_settings(config: dict) -> dict:
    if config["backend"] == "prisma":
        options = {"ca_bundle": config["ca"]}
        if config.get("preconnect"):
            options["preconnect"] = True
        return {
            "ENGINE": "django_prisma",
            "URL": config["url"],
            "TOKEN": config["token"],
            "OPTIONS": options,
            "CONN_MAX_AGE": None,
        }
    options = {"sslmode": "require", "sslrootcert": config["ca"]}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": config["host"],
        "PORT": config["port"],
        "NAME": config["name"],
        "USER": "postgres",
        "OPTIONS": options if config["backend"] == "native-require" else {},
        "CONN_MAX_AGE": None,
    }


def configure(config: dict) -> float:
    """Configure and set up Django; returns the seconds django.setup() took."""
    from django.conf import settings

    apps = [
        "django.contrib.contenttypes",
        "django.contrib.auth",
        "django.contrib.sessions",
        "django.contrib.messages",
        "django.contrib.admin",
        "benchapp",
    ]
    if config["backend"] == "prisma":
        apps.append("django_prisma")
    settings.configure(
        SECRET_KEY="wan-bench",
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        INSTALLED_APPS=apps,
        DATABASES={"default": database_settings(config)},
        ROOT_URLCONF="wan_client",
        ALLOWED_HOSTS=["*"],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
        ],
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                    ]
                },
            }
        ],
    )
    import django

    started = time.perf_counter()
    django.setup()
    return time.perf_counter() - started


def install_admin() -> None:
    from benchapp.models import Book
    from django.contrib import admin
    from django.urls import path

    class BookAdmin(admin.ModelAdmin):
        list_display = ("title", "pages", "price", "author")
        list_select_related = ("author",)

    if not admin.site.is_registered(Book):
        admin.site.register(Book, BookAdmin)
    urlpatterns[:] = [path("admin/", admin.site.urls)]


# -- scenarios: each returns nothing; the caller times it and counts what crossed the proxy -------
def get_pk(state):
    from benchapp.models import Book

    Book.objects.get(pk=state["pk"])


def page(state):
    from benchapp.models import Book

    list(Book.objects.select_related("author").order_by("-pages", "id")[:20])


def atomic5(state):
    from benchapp.models import Book
    from django.db import transaction

    with transaction.atomic():
        book = Book.objects.select_for_update().get(pk=state["pk"])
        Book.objects.filter(pk=book.pk).update(pages=book.pages)
        Book.objects.filter(author_id=book.author_id).count()
        Book.objects.filter(pk=book.pk).update(price=book.price)
        Book.objects.get(pk=book.pk)


def new_connection(state):
    """A query on a new connection: what every request pays under CONN_MAX_AGE=0."""
    from django.db import connection

    connection.close()
    get_pk(state)


def changelist(state):
    response = state["client"].get("/admin/benchapp/book/")
    assert response.status_code == 200, response.status_code


def change_post(state):
    client, pk = state["client"], state["pk"]
    response = client.post(
        f"/admin/benchapp/book/{pk}/change/",
        {
            "title": "wan bench",
            "pages": 123,
            "price": "9.99",
            "published": "2020-01-01",
            "author": state["author"],
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.status_code


def changelist_new_connection(state):
    from django.db import connection

    connection.close()
    changelist(state)


def change_post_new_connection(state):
    from django.db import connection

    connection.close()
    change_post(state)


SCENARIOS = {
    "get_pk": get_pk,
    "page": page,
    "atomic5": atomic5,
    "new_connection": new_connection,
    "changelist": changelist,
    "change_post": change_post,
    "changelist_new_connection": changelist_new_connection,
    "change_post_new_connection": change_post_new_connection,
}


def prepare_state(config) -> dict:
    from benchapp.models import Book
    from django.contrib.auth.models import User
    from django.test import Client

    book = Book.objects.order_by("pk").first()
    state = {"pk": book.pk, "author": book.author_id}
    if any(name.startswith(("changelist", "change_post")) for name in config["scenarios"]):
        install_admin()
        client = Client()
        client.force_login(User.objects.get(username="wan"))
        state["client"] = client
    return state


def counters(config):
    from wan_net import Stats

    return Stats(config["stats"])


def measure(config) -> dict:
    stats = counters(config)
    state = prepare_state(config)
    results = {}
    for name in config["scenarios"]:
        if name.startswith("idle_"):
            results[name] = measure_idle(float(name[5:]), config, stats, state)
            continue
        scenario = SCENARIOS[name]
        for _ in range(config["warmup"]):
            scenario(state)
        before = stats.snapshot()
        times = []
        cpu = time.process_time()
        for _ in range(config["iterations"]):
            started = time.perf_counter()
            scenario(state)
            times.append(time.perf_counter() - started)
        cpu = time.process_time() - cpu
        after = stats.snapshot()
        results[name] = summary(times, before, after, config["iterations"])
        results[name]["cpu_ms"] = cpu * 1000 / config["iterations"]
    return results


def measure_idle(seconds: float, config, stats, state) -> dict:
    """A query after ``seconds`` without traffic on a warm connection."""
    times = []
    before = stats.snapshot()
    for _ in range(config["idle_repeats"]):
        get_pk(state)
        time.sleep(seconds)
        started = time.perf_counter()
        get_pk(state)
        times.append(time.perf_counter() - started)
    after = stats.snapshot()
    result = summary(times, before, after, config["idle_repeats"])
    # Each repeat also ran one warm query before its pause: its one round is not the idle one.
    result["rounds"] -= 1
    return result


def summary(times, before, after, count) -> dict:
    per = {key: (after[key] - before[key]) / count for key in after}
    return {
        "median_ms": statistics.median(times) * 1000,
        "mean_ms": statistics.fmean(times) * 1000,
        "p90_ms": sorted(times)[int(0.9 * (len(times) - 1))] * 1000,
        "connections": per["connections"],
        "tls_handshakes": per["tls_handshakes"],
        "tls_resumed": per["tls_resumed"],
        "rounds": per["rounds"],
        "upstream_ms": per["upstream_seconds"] * 1000,
    }


def cold(config) -> dict:
    """Process start to the first result (the parent passes the start time); CPU time too,
    which the load of a shared machine does not inflate as it does wall time."""
    setup_cpu = time.process_time()
    setup_seconds = configure(config)
    setup_cpu = time.process_time() - setup_cpu
    from benchapp.models import Book

    stats = counters(config)
    before = stats.snapshot()
    started, started_cpu = time.perf_counter(), time.process_time()
    Book.objects.get(pk=config["pk"])
    first_query = time.perf_counter() - started
    finished_at, process_cpu = time.time(), time.process_time()
    first_query_cpu = process_cpu - started_cpu
    after = stats.snapshot()
    return {
        "process_to_first_result_ms": (finished_at - config["spawned_at"]) * 1000,
        "process_cpu_ms": process_cpu * 1000,  # since the interpreter started
        "django_setup_ms": setup_seconds * 1000,
        "django_setup_cpu_ms": setup_cpu * 1000,
        "first_query_ms": first_query * 1000,
        "first_query_cpu_ms": first_query_cpu * 1000,
        "first_query_rounds": after["rounds"] - before["rounds"],
        "first_query_connections": after["connections"] - before["connections"],
    }


def main() -> None:
    # This script is the ROOT_URLCONF: Django must find its urlpatterns, not import a new copy.
    sys.modules.setdefault("wan_client", sys.modules[__name__])
    if CONFIG["mode"] == "cold":
        result = cold(CONFIG)
    else:
        configure(CONFIG)
        result = measure(CONFIG)
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    os._exit(0)  # no interpreter teardown in the timings of the next run


if __name__ == "__main__":
    main()
