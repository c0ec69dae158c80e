"""Django settings for the test suite: the default database is django_prisma; the test runner
(pytest-django) gives it a local server: Prisma's executor in front of a test database on the
local PostgreSQL, or ``@prisma/dev`` with ``DJANGO_PRISMA_TEST_SERVER=dev``."""

import hashlib
import os
import sys

POSTGRES_URL = os.environ.get(
    "DJANGO_PRISMA_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"
)

SECRET_KEY = "django-prisma-tests"
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DATABASES = {
    "default": {
        "ENGINE": "django_prisma",
        "URL": "prisma+postgres://localhost:51213/?api_key=unused-outside-tests",
        # One test database per checkout and virtualenv, so that checkouts (and the Django 5.2
        # and 6.0 runs) sharing a PostgreSQL never collide
        # (--reuse-db keeps it between runs).
        "TEST": {
            "SERVER": os.environ.get("DJANGO_PRISMA_TEST_SERVER", "executor"),
            "POSTGRES_URL": POSTGRES_URL,
            "NAME": "test_django_prisma_"
            + hashlib.sha256(f"{__file__} {sys.prefix}".encode()).hexdigest()[:10],
        },
    },
}

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "django_prisma",
    "tests.testapp",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "tests.urls"

TEMPLATES = [
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
]
