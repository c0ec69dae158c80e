"""The django_prisma.mysql engine on a throwaway MariaDB database (one per test module): a Django
database alias of its own, with the tables of the project's test app and of ``models.py``."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connections, transaction

from .models import FIELD_MODELS

ALIAS = "mysql"
# The project's test app: the loaddata and cache tests need models of the global registry.
APP_MODELS = ["User", "Pet", "Toy", "Note", "Clinic", "Vet", "Visit", "Reading"]


def add_alias(alias: str, settings_dict: dict):
    """A database alias that settings.DATABASES does not have, with Django's defaults."""
    configured = connections.configure_settings(
        {"default": {"ENGINE": "django.db.backends.dummy"}, alias: settings_dict}
    )
    connections.settings[alias] = configured[alias]
    return connections[alias]


def remove_alias(alias: str) -> None:
    if alias in connections.settings:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]


def models_of_the_tests():
    return [apps.get_model("testapp", name) for name in APP_MODELS] + FIELD_MODELS


def database_url_of(connection) -> str:
    """The MariaDB database behind a connection's local server."""
    return connection.settings_dict["TEST"]["DATABASE_URL"]


@pytest.fixture(scope="module")
def mysql_alias(mysql_server, django_db_blocker):
    """The alias ``mysql`` (ENGINE django_prisma.mysql) with the tests' tables."""
    with django_db_blocker.unblock():
        settings_dict = {
            "ENGINE": "django_prisma.mysql",
            "URL": mysql_server.url,
            # Where the tests read the database directly (PyMySQL); the engine never does.
            "TEST": {"DATABASE_URL": mysql_server.database_url},
        }
        connection = add_alias(ALIAS, settings_dict)
        try:
            with connection.schema_editor() as editor:
                for model in models_of_the_tests():
                    editor.create_model(model)
            connection.close()
            yield ALIAS
        finally:
            remove_alias(ALIAS)


@pytest.fixture
def mydb(mysql_alias, django_db_blocker):
    """The ``mysql`` connection, emptied of rows after the test."""
    connection = connections[mysql_alias]
    with django_db_blocker.unblock():
        yield connection
        empty_tables(connection)


def empty_tables(connection) -> None:
    if connection.in_atomic_block:
        transaction.set_rollback(True, using=connection.alias)
        return
    with transaction.atomic(using=connection.alias), connection.constraint_checks_disabled():
        with connection.cursor() as cursor:
            for model in models_of_the_tests():
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
                for field in model._meta.local_many_to_many:
                    table = field.remote_field.through._meta.db_table
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
