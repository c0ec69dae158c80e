"""Run in a subprocess by test_silk.py, once per backend (django-silk patches Django's
SQLCompiler.execute_sql for the life of the process): silk's middleware records a request's SQL
through its own execute hook, with EXPLAIN ANALYZE of each query, and saves it in its models on
the same database; prints what silk stored as JSON.

Usage: python -m tests.integrations.silk_scenario prisma|native URL [text|json]
"""

from __future__ import annotations

import json
import sys

import django
from django.conf import settings

from tests.integrations import sites

ENGINE, URL, *FORMAT = sys.argv[1:]

settings.configure(
    DATABASES={"default": sites.database(ENGINE, URL)},
    INSTALLED_APPS=sites.installed_apps(ENGINE, "django.contrib.sessions", "silk"),
    ROOT_URLCONF=__name__,
    MIDDLEWARE=["silk.middleware.SilkyMiddleware"],
    ALLOWED_HOSTS=["testserver"],
    SECRET_KEY="silk-scenario",
    USE_TZ=True,
    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}],
    SILKY_ANALYZE_QUERIES=True,  # EXPLAIN ANALYZE of every recorded query
    SILKY_EXPLAIN_FLAGS={"format": FORMAT[0]} if FORMAT and FORMAT[0] != "text" else None,
)
django.setup()

from django.contrib.auth.models import Group, Permission  # noqa: E402
from django.db import transaction  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402


def page(request):
    names = list(Group.objects.filter(name__startswith="silk-").values_list("name", flat=True))
    permissions = Permission.objects.filter(codename__in=["add_group", "view_group"]).count()
    with transaction.atomic():
        Group.objects.filter(name="silk-a").update(name="silk-a")
        first = Group.objects.order_by("name").first()
    return HttpResponse(f"{len(names)} {permissions} {first.name}")


urlpatterns = [path("page/", page)]


def main():
    from django.core.management import call_command
    from django.test import Client
    from silk.models import Request, SQLQuery

    call_command("migrate", verbosity=0)
    for name in ("silk-a", "silk-b"):
        Group.objects.get_or_create(name=name)
    response = Client().get("/page/", {"q": "1"})
    request = Request.objects.filter(path="/page/").latest("start_time")
    queries = [
        {
            "query": q.query,
            "analysis": q.analysis,
            "has_traceback": "def page" in q.traceback or "in page" in q.traceback,
            "timed": q.end_time >= q.start_time,
        }
        for q in SQLQuery.objects.filter(request=request).order_by("start_time", "id")
    ]
    print(json.dumps({
        "body": response.content.decode(),
        "request": {"path": request.path, "num_sql_queries": request.num_sql_queries,
                    "query_params": request.query_params, "status": request.response.status_code},
        "queries": queries,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
