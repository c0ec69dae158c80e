"""Django settings for the test suite: the default database is django_prisma; the test runner
(pytest-django) gives it an ephemeral local server: Prisma's executor in front of a fresh database
on the local PostgreSQL, or ``@prisma/dev`` with ``DJANGO_PRISMA_TEST_SERVER=dev``."""

import os

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
        "TEST": {
            "SERVER": os.environ.get("DJANGO_PRISMA_TEST_SERVER", "executor"),
            "POSTGRES_URL": POSTGRES_URL,
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
