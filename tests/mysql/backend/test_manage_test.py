"""``manage.py test`` of a project on django_prisma.mysql, in a subprocess: the test database is
created on the MariaDB server behind a local executor, used, and dropped at the end; the
configured database is never touched; an existing database that is not a marked test database
is refused and kept."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from django_prisma.devserver import mysql as devserver_mysql
from django_prisma.devserver import with_database
from tests.conftest import MYSQL_URL
from tests.mysql.conftest import pymysql_connect

ROOT = Path(__file__).resolve().parents[3]

SETTINGS = """
SECRET_KEY = "mysql-test-run"
USE_TZ = True
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "shop"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASES = {{
    "default": {{
        "ENGINE": "django_prisma.mysql",
        "URL": {url!r},
        "TEST": {{"NAME": {name!r}, "MYSQL_URL": {mysql_url!r}}},
    }}
}}
"""
MODELS = """
from django.db import models


class Item(models.Model):
    name = models.CharField(max_length=50, unique=True)
    stock = models.PositiveIntegerField(default=0)
    added = models.DateTimeField()
"""
TESTS = """
import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.test import TestCase, TransactionTestCase

from .models import Item


class InTransaction(TestCase):
    def test_database_and_values(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT DATABASE()")
            print("TEST DATABASE", cursor.fetchone()[0])
        added = dt.datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=dt.UTC)
        Item.objects.create(name="it's", stock=2**32 - 1, added=added)
        item = Item.objects.get()
        self.assertEqual((item.name, item.stock, item.added), ("it's", 2**32 - 1, added))
        with self.assertRaises(IntegrityError), transaction.atomic():
            Item.objects.create(name="it's", added=added)

    def test_isolated_from_the_other_test(self):
        self.assertEqual(Item.objects.count(), 0)


class Flushed(TransactionTestCase):
    def test_flush_between_tests(self):
        Item.objects.create(name="x", added=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
        self.assertEqual(Item.objects.count(), 1)
"""


def write_project(root: Path, url: str, name: str) -> None:
    app = root / "shop"
    app.mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(MODELS)
    (app / "tests.py").write_text(textwrap.dedent(TESTS))
    (root / "project_settings.py").write_text(
        SETTINGS.format(url=url, name=name, mysql_url=MYSQL_URL)
    )


def manage_test(root: Path) -> tuple[int, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project_settings",
        "PYTHONPATH": os.pathsep.join([str(root), str(ROOT)]),
    }
    result = subprocess.run(
        [sys.executable, "-m", "django", "test", "shop", "-v", "2", "--noinput"],
        cwd=root, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return result.returncode, result.stdout + result.stderr


def databases() -> set[str]:
    with pymysql_connect(MYSQL_URL) as conn, conn.cursor() as cursor:
        cursor.execute("SHOW DATABASES")
        return {row[0] for row in cursor.fetchall()}


def configured_tables(mysql_server) -> list[str]:
    with pymysql_connect(mysql_server.database_url) as conn, conn.cursor() as cursor:
        cursor.execute("SHOW TABLES")
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def test_name():
    name = f"dp_mysql_t_{uuid.uuid4().hex[:10]}"
    yield name
    with pymysql_connect(MYSQL_URL) as conn, conn.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")


def test_manage_py_test_creates_uses_and_drops_its_database(tmp_path, mysql_server, test_name):
    write_project(tmp_path, mysql_server.url, test_name)
    code, output = manage_test(tmp_path)
    assert code == 0, output
    assert "Ran 3 tests" in output and "\nOK" in output, output
    assert f"TEST DATABASE {test_name}" in output
    assert "Starting a local Prisma server (executor, MySQL) for alias 'default'..." in output
    assert test_name not in databases(), "dropped at the end"
    assert configured_tables(mysql_server) == [], "the configured database was never touched"


def test_an_existing_unmarked_database_is_refused_and_kept(tmp_path, mysql_server, test_name):
    devserver_mysql.create_database(with_database(MYSQL_URL, test_name))
    with pymysql_connect(with_database(MYSQL_URL, test_name)) as conn, conn.cursor() as cursor:
        cursor.execute("CREATE TABLE precious (v int)")
        cursor.execute("INSERT INTO precious VALUES (42)")
    write_project(tmp_path, mysql_server.url, test_name)
    code, output = manage_test(tmp_path)
    assert code != 0
    assert (
        f"refusing to empty or reuse the MySQL database {test_name!r}: it has tables but is not "
        "marked as a django-prisma test database" in output
    ), output
    with pymysql_connect(with_database(MYSQL_URL, test_name)) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT v FROM precious")
        assert cursor.fetchall() == ((42,),)
