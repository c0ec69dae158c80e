"""Each engine pointed at the other kind of database fails at its first query with one sentence
that names the database it found and the engine to use."""

from __future__ import annotations

import pytest
from django.db import InterfaceError

from django_prisma.dbapi.exceptions import ErrorKind
from tests.testapp.models import User

from .conftest import add_alias, remove_alias


@pytest.fixture
def alias_for(django_db_blocker):
    made = []

    def make(engine: str, url: str) -> str:
        alias = f"wrong_{len(made)}"
        add_alias(alias, {"ENGINE": engine, "URL": url})
        made.append(alias)
        return alias

    with django_db_blocker.unblock():
        yield make
        for alias in made:
            remove_alias(alias)


def first_query_error(alias: str) -> InterfaceError:
    with pytest.raises(InterfaceError) as raised:
        User.objects.using(alias).first()
    assert raised.value.__cause__.kind == ErrorKind.WRONG_DATABASE
    return raised.value


def test_the_postgresql_engine_on_a_mysql_server(alias_for, mysql_server):
    message = str(first_query_error(alias_for("django_prisma", mysql_server.url)))
    assert message.startswith(
        "this Prisma server's database is MySQL or MariaDB (it answered with MySQL error 1064: "
    )
    assert message.endswith(
        "); this connection speaks another SQL dialect: use the MySQL dialect (Django: ENGINE "
        "'django_prisma.mysql')"
    )
    assert mysql_server.url.split("api_key=")[1] not in message


def test_the_mysql_engine_on_a_postgresql_server(alias_for, executor_server):
    message = str(first_query_error(alias_for("django_prisma.mysql", executor_server.url)))
    assert message.startswith(
        "this Prisma server's database is PostgreSQL (it answered with SQLSTATE "
    )
    assert message.endswith(
        "); this connection speaks another SQL dialect: use the PostgreSQL dialect (Django: "
        "ENGINE 'django_prisma')"
    )
    assert "\n" not in message
