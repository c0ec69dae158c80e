"""Run in a subprocess by test_health_check.py, once per backend: django-health-check's database
check, through its view (JSON), on a working database, a server that refuses connections and,
for django_prisma, a wrong API key; prints what the view answered as JSON.

Usage: python -m tests.integrations.health_scenario prisma|native URL DOWN_URL [WRONG_KEY_URL]
"""

from __future__ import annotations

import json
import sys

import django
from django.conf import settings

from tests.integrations import sites

ENGINE, URL, DOWN_URL, *rest = sys.argv[1:]
DATABASES = {"default": sites.database(ENGINE, URL), "down": sites.database(ENGINE, DOWN_URL)}
if rest:
    DATABASES["wrong_key"] = sites.database(ENGINE, rest[0])

settings.configure(
    DATABASES=DATABASES,
    INSTALLED_APPS=sites.installed_apps(ENGINE, "health_check"),
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    ALLOWED_HOSTS=["testserver"],
    SECRET_KEY="health-scenario",
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}],
    USE_TZ=True,
)
django.setup()

from django.urls import path  # noqa: E402
from health_check.views import HealthCheckView  # noqa: E402

urlpatterns = [
    path(
        f"health/{alias}/",
        HealthCheckView.as_view(checks=[("health_check.checks.Database", {"alias": alias})]),
    )
    for alias in DATABASES
]


def main():
    from django.test import Client

    client = Client()
    answers = {}
    for alias in DATABASES:
        response = client.get(f"/health/{alias}/", headers={"accept": "application/json"})
        answers[alias] = {"status": response.status_code, "body": response.json()}
    page = client.get("/health/down/", headers={"accept": "text/html"})
    answers["down_page"] = page.content.decode()
    print(json.dumps(answers))


if __name__ == "__main__":
    main()
