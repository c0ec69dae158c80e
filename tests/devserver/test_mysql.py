"""The local servers in front of a MySQL/MariaDB: ``python -m django_prisma dev --database-url
mysql://…`` (creating, refusing a missing database, stopping), throw-away databases, and the
database questions asked through the executor (no MySQL client library in Python)."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from django_prisma.dbapi import mysql as dbapi_mysql
from django_prisma.devserver import (
    DatabaseMissingError,
    LocalServer,
    ServerStartError,
    mysql,
    throwaway_executor,
    with_database,
)
from django_prisma.devserver.messages import hide_password
from tests.conftest import MYSQL_URL, POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]
DEV = [sys.executable, "-m", "django_prisma", "dev"]
ADDRESS = mysql.server_address(MYSQL_URL)


def mysql_cli(statement: str) -> list[str]:
    """``statement`` run by the mysql command-line client (not through Prisma): its rows."""
    parts = urlsplit(MYSQL_URL)
    command = ["mysql", f"-h{parts.hostname}", f"-P{parts.port or 3306}", f"-u{parts.username}"]
    if parts.password:
        command.append(f"-p{parts.password}")
    result = subprocess.run(
        [*command, "-N", "-B", "-e", statement], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def schema_exists(name: str) -> bool:
    rows = mysql_cli(
        f"SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '{name}'"
    )
    return rows == [name]


@pytest.fixture
def database_name():
    """A database name nobody uses, dropped afterwards if a test created it."""
    name = f"devmysql_{uuid.uuid4().hex[:10]}"
    yield name
    mysql_cli(f"DROP DATABASE IF EXISTS `{name}`")


def select_one(url: str, statement: str):
    conn = dbapi_mysql.connect(url, autocommit=True)
    try:
        cur = conn.cursor()
        cur.execute(statement)
        return cur.fetchone()
    finally:
        conn.close()


class DevCommand:
    """``python -m django_prisma dev …`` in the background, until its DATABASE_URL line."""

    def __init__(self, *args: str):
        self.proc = subprocess.Popen(
            [*DEV, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def url(self) -> str:
        line = self.proc.stdout.readline().strip()
        assert line.startswith("DATABASE_URL="), self.stop()
        return line.split("=", 1)[1]

    def stop(self) -> str:
        """Stops the command (SIGTERM); returns its stderr."""
        if self.proc.poll() is None:
            self.proc.terminate()
        _, stderr = self.proc.communicate(timeout=60)
        return stderr


@pytest.mark.parametrize("scheme", ["mysql", "mariadb"])
def test_create_makes_the_missing_database_and_serves_it(database_name, scheme):
    url = with_database(MYSQL_URL, database_name).replace("mysql://", f"{scheme}://", 1)
    command = DevCommand("--create", "--database-url", url)
    try:
        served = command.url()
        assert re.fullmatch(r"prisma://localhost:\d+/\?api_key=[\w-]+", served), served
        assert select_one(served, "SELECT DATABASE(), 40 + 2") == (database_name, 42)
    finally:
        stderr = command.stop()
    assert command.proc.returncode == 0, stderr
    assert f"# created database {database_name!r} on the MySQL/MariaDB at {ADDRESS}\n" in stderr
    assert re.search(r"# Prisma's executor in front of your MySQL/MariaDB on port \d+;", stderr)
    assert "PostgreSQL" not in stderr
    assert schema_exists(database_name), "the dev command keeps the database it created"
    charset = mysql_cli(
        "SELECT DEFAULT_CHARACTER_SET_NAME FROM information_schema.SCHEMATA "
        f"WHERE SCHEMA_NAME = '{database_name}'"
    )
    assert charset == ["utf8mb4"]


def test_create_keeps_an_existing_database(database_name):
    mysql_cli(f"CREATE DATABASE `{database_name}`")
    mysql_cli(
        f"CREATE TABLE `{database_name}`.kept (v int); INSERT INTO `{database_name}`.kept VALUES (7)"
    )
    reports: list[str] = []
    server = LocalServer(
        "executor",
        database_url=with_database(MYSQL_URL, database_name),
        create_database=True,
        progress=reports.append,
    )
    with server:
        assert select_one(server.url, "SELECT v FROM kept") == (7,)
    assert not [r for r in reports if "created database" in r], reports


def test_missing_database_is_one_line_suggesting_create(database_name):
    result = subprocess.run(
        [*DEV, "--database-url", with_database(MYSQL_URL, database_name)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"error: database {database_name!r} does not exist on the MySQL/MariaDB at {ADDRESS} "
        "(add --create to create it)"
    ], result.stderr
    assert not schema_exists(database_name)


def test_local_server_raises_database_missing(database_name):
    url = with_database(MYSQL_URL, database_name).replace("mysql://", "mariadb://", 1)
    server = LocalServer("executor", database_url=url)
    with pytest.raises(DatabaseMissingError) as raised:
        server.start()
    assert raised.value.database == database_name
    assert raised.value.address == ADDRESS
    assert raised.value.server == "MySQL/MariaDB"
    assert not server.running


def test_unreachable_server_names_mysql_and_hides_the_password():
    result = subprocess.run(
        [*DEV, "--database-url", "mysql://root:s3cret-pw@127.0.0.1:1/nowhere"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert "error: the local executor server failed: MySQL/MariaDB at " in result.stderr
    assert "mysql://root@127.0.0.1:1/nowhere does not answer: " in result.stderr
    assert "ECONNREFUSED 127.0.0.1:1" in result.stderr
    assert "PostgreSQL" not in result.stderr
    assert not re.search(r"^\s+at ", result.stderr, re.MULTILINE), result.stderr
    assert "s3cret-pw" not in result.stderr


@pytest.mark.parametrize("url", ["mysql://root@127.0.0.1:3306", "mariadb://root@127.0.0.1/"])
def test_a_url_without_database_is_refused_before_starting(url):
    server = LocalServer("executor", database_url=url, create_database=True)
    with pytest.raises(ServerStartError) as raised:
        server.start()
    assert str(raised.value) == (
        "the MySQL/MariaDB URL names no database (add /DATABASE after HOST:PORT)"
    )
    assert server.process is None


def test_a_driver_quoting_the_whole_url_does_not_show_the_password():
    # MariaDB's driver cannot parse a bracketed IPv6 host, and quotes the URL it was given.
    server = LocalServer("executor", database_url="mysql://root:s3cret-pw@[::1]:3306/x")
    with pytest.raises(ServerStartError) as raised:
        server.start()
    assert "error parsing connection string 'mariadb://root:<hidden>@[::1]:3306/x" in str(
        raised.value
    )
    assert "s3cret-pw" not in str(raised.value)


def test_refused_login_is_reported_without_the_password(database_name):
    url = with_database(MYSQL_URL, database_name)
    parts = urlsplit(url)
    refused = url.replace(parts.netloc, f"no_such_user:s3cret-pw@{parts.hostname}:{parts.port}")
    server = LocalServer("executor", database_url=refused, create_database=True)
    with pytest.raises(ServerStartError) as raised:
        server.start()
    message = str(raised.value)
    assert message.startswith(f"could not create database {database_name!r} on {ADDRESS}: ")
    assert "Access denied for user 'no_such_user'" in message
    assert "s3cret-pw" not in message
    assert not schema_exists(database_name)


def test_throwaway_executor_serves_a_new_database_and_drops_it_on_exit():
    with throwaway_executor(MYSQL_URL, prefix="devmysql") as server:
        name = mysql.database_name(server.database_url)
        assert name.startswith("devmysql_") and len(name) == len("devmysql_") + 10
        assert server.provider == "mysql"
        assert server.postgres_url is None
        assert server.url.startswith("prisma://localhost:")
        assert select_one(server.url, "SELECT DATABASE()") == (name,)
        assert mysql_cli(f"SHOW TABLES FROM `{name}`") == [], "a new database is empty"
        assert schema_exists(name)
    assert not schema_exists(name)


def test_fresh_database_replaces_an_existing_one(database_name):
    mysql_cli(f"CREATE DATABASE `{database_name}`")
    mysql_cli(f"CREATE TABLE `{database_name}`.old (v int)")
    server = LocalServer(
        "executor",
        database_url=with_database(MYSQL_URL, database_name),
        fresh_database=True,
        drop_database_on_exit=True,
    )
    with server:
        assert mysql_cli(f"SHOW TABLES FROM `{database_name}`") == []
        assert select_one(server.url, "SELECT DATABASE()") == (database_name,)
    assert not schema_exists(database_name)


def test_database_questions_quote_the_name(database_name):
    odd = database_name + "`-x"  # a backtick and a hyphen: quoted, never spliced in
    url = with_database(MYSQL_URL, odd)
    try:
        assert mysql.database_exists(url) is False
        assert mysql.create_database(url) is True
        assert mysql.create_database(url) is False, "an existing database is kept"
        assert mysql.database_exists(url) is True
        assert mysql_cli(
            f"SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '{odd}'"
        ) == ["1"]
        assert mysql.drop_database(url) is True
        assert mysql.drop_database(url) is False
        assert mysql.database_exists(url) is False
    finally:
        mysql_cli(f"DROP DATABASE IF EXISTS `{odd.replace('`', '``')}`")


def test_database_questions_on_an_unreachable_server():
    url = "mariadb://root:s3cret-pw@127.0.0.1:1/anything"
    assert mysql.database_exists(url) is None
    with pytest.raises(mysql.DatabaseQuestionError) as raised:
        mysql.create_database(url)
    assert str(raised.value).startswith("MySQL/MariaDB at 127.0.0.1:1 does not answer: ")
    assert "s3cret-pw" not in str(raised.value)


def test_url_helpers():
    url = "mysql://app:p%40ss@db.example:3307/shop?sslaccept=strict"
    assert mysql.is_mysql_url(url) and mysql.is_mysql_url("mariadb://h/d")
    assert not mysql.is_mysql_url(POSTGRES_URL) and not mysql.is_mysql_url(None)
    assert mysql.database_name(url) == "shop"
    assert mysql.database_name("mysql://h/caf%C3%A9") == "café"
    assert mysql.server_address(url) == "db.example:3307"
    assert mysql.server_address("mariadb://root@127.0.0.1/x") == "127.0.0.1:3306"
    assert mysql.with_database(url, "other") == (
        "mysql://app:p%40ss@db.example:3307/other?sslaccept=strict"
    )


def test_provider_and_announced_scheme_follow_the_database_url():
    assert LocalServer("dev").provider == "postgresql"
    pg = LocalServer("executor", database_url=POSTGRES_URL)
    assert (pg.provider, pg.server_kind, pg.postgres_url) == (
        "postgresql",
        "PostgreSQL",
        POSTGRES_URL,
    )
    my = LocalServer("executor", database_url="mariadb://root@127.0.0.1/x")
    assert (my.provider, my.server_kind, my.postgres_url) == ("mysql", "MySQL/MariaDB", None)


def test_hide_password_in_quoted_urls():
    url = "mysql://app:p%40ss@h/d"
    text = "error parsing connection string 'mariadb://app:p%40ss@h/d'"
    assert (
        hide_password(text, url) == "error parsing connection string 'mariadb://app:<hidden>@h/d'"
    )
    assert hide_password("mysql://app:p@ss@h/d", url) == "mysql://app:<hidden>@h/d"
    assert hide_password(text, "mysql://app@h/d") == text
