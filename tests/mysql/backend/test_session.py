"""OPTIONS init_command and sql_mode on django_prisma.mysql: they hold for every statement of the
Django connection (MariaDB's SET STATEMENT), as on a native session, and never reach the pooled
server connections other requests use."""

from __future__ import annotations

import pytest
from django.db import connections

from tests.mysql.conftest import server_setting
from tests.testapp.models import User

from .conftest import add_alias, remove_alias

ALIAS = "mysql_session"


@pytest.fixture
def configured(mysql_alias, mysql_server, django_db_blocker):
    with django_db_blocker.unblock():
        connection = add_alias(
            ALIAS,
            {
                "ENGINE": "django_prisma.mysql",
                "URL": mysql_server.url,
                "OPTIONS": {
                    "sql_mode": "STRICT_ALL_TABLES,ANSI_QUOTES",
                    "init_command": "SET div_precision_increment = 9",
                },
            },
        )
        yield connection
        remove_alias(ALIAS)


def test_init_command_and_sql_mode_hold_for_the_connection_only(configured, mysql_server):
    with configured.cursor() as cursor:
        cursor.execute("SELECT @@sql_mode, @@div_precision_increment, 1 / 3")
        sql_mode, precision, third = cursor.fetchone()
    assert set(sql_mode.split(",")) == {"STRICT_ALL_TABLES", "ANSI_QUOTES"}
    assert (precision, str(third)) == (9, "0.333333333")
    assert "ANSI_QUOTES" in configured.sql_mode  # what Django's MySQL backend reads
    # Django quotes names with backticks: the ORM works under ANSI_QUOTES too.
    User.objects.using(ALIAS).create(email="ansi@example.com")
    assert User.objects.using(ALIAS).filter(email="ansi@example.com").count() == 1
    User.objects.using(ALIAS).all().delete()
    assert "ANSI_QUOTES" not in server_setting(mysql_server, "sql_mode")
    assert server_setting(mysql_server, "div_precision_increment") == 4
    # Another connection to the same server is untouched.
    with connections["mysql"].cursor() as cursor:
        cursor.execute("SELECT @@div_precision_increment")
        assert cursor.fetchone() == (4,)
