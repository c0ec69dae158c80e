"""OPTIONS of django_prisma.mysql that its backend reads itself."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from django_prisma.settings import mysql_connection_params


def entry(**options):
    return {
        "ENGINE": "django_prisma.mysql",
        "URL": "prisma://localhost:1/?api_key=k",
        "OPTIONS": options,
    }


def test_page_first_joins_is_the_backends_and_must_be_a_boolean():
    assert "page_first_joins" not in mysql_connection_params(entry(page_first_joins=False))
    with pytest.raises(ImproperlyConfigured, match="page_first_joins"):
        mysql_connection_params(entry(page_first_joins="no"))


def test_atomic_autocommit_writes_reaches_the_driver_when_set():
    params = mysql_connection_params(entry(atomic_autocommit_writes=True))
    assert params["atomic_autocommit_writes"] is True
    assert "atomic_autocommit_writes" not in mysql_connection_params(entry())
