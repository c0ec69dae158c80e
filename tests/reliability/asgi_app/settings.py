"""Settings of the ASGI load-test application. ``ASGI_LOAD_PRISMA_URL`` is the
``prisma+postgres://`` URL of the executor server the test started (loopback only)."""

import os

from psycopg import IsolationLevel

PRISMA_URL = os.environ["ASGI_LOAD_PRISMA_URL"]

SECRET_KEY = "django-prisma-asgi-load"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DATABASES = {
    # CONN_MAX_AGE = 0: Django closes each thread's connection when its request finishes.
    "default": {"ENGINE": "django_prisma", "URL": PRISMA_URL, "CONN_MAX_AGE": 0},
    # The same database in REPEATABLE READ: concurrent read-then-update transactions fail with
    # serialization failures (40001) instead of losing updates.
    "serial": {
        "ENGINE": "django_prisma",
        "URL": PRISMA_URL,
        "CONN_MAX_AGE": 0,
        "OPTIONS": {"isolation_level": IsolationLevel.REPEATABLE_READ},
    },
}

INSTALLED_APPS = ["tests.reliability.asgi_app"]
MIDDLEWARE = []
ROOT_URLCONF = "tests.reliability.asgi_app.urls"
LOGGING_CONFIG = None
