"""``manage.py dbshell`` on django_prisma.mysql: ``python -m django_prisma.shell`` speaking MySQL
(DJANGO_PRISMA_DIALECT=mysql), the API key in the environment only."""

from __future__ import annotations

import os
import subprocess
import sys

from django.db import connections


def shell_command(*parameters: str):
    connection = connections["mysql"]
    return connection.client.settings_to_cmd_args_env(connection.settings_dict, list(parameters))


def run_shell(sql_input: str, *parameters: str) -> subprocess.CompletedProcess:
    argv, env = shell_command(*parameters)
    return subprocess.run(
        argv, input=sql_input, capture_output=True, text=True, env={**os.environ, **env},
        timeout=60,
    )  # fmt: skip


def test_the_shell_speaks_mysql(mydb):
    result = run_shell(
        "SELECT 1 AS one,\n 'it''s \\\\ 😀' AS two, `id` FROM users;\n"
        "INSERT INTO users (email, created_at) VALUES ('a@b.c', NOW(6));\n"
        "SELECT email FROM users;\n"
        "SELEC broken;\n"
        "SET @x = 1;\n"
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout.splitlines()
    assert out[:3] == ["one | two | id", "----+-----+---", "(0 rows)"]
    assert out[3:8] == ["OK (1)", "email", "-----", "a@b.c", "(1 row)"]
    assert out[8].startswith('ERROR: (1064, "You have an error in your SQL syntax;')
    assert out[9] == (
        "ERROR: SET acts on the MySQL session, which over HTTP is a pooled connection shared "
        "with other requests: it would stay behind for them (the isolation level is "
        "OPTIONS['isolation_level'])"
    )


def test_command_option_and_the_key_stays_off_the_command_line(mydb, mysql_server):
    argv, env = shell_command("-c", "SELECT 1")
    token = mysql_server.url.split("api_key=")[1]
    assert argv[:3] == [sys.executable, "-m", "django_prisma.shell"]
    assert all(token not in part for part in argv)
    assert env["DJANGO_PRISMA_TOKEN"] == token and env["DJANGO_PRISMA_DIALECT"] == "mysql"
    result = run_shell("", "-c", "SELECT DATABASE() AS db, 40 + 2 AS answer")
    assert result.returncode == 0, result.stderr
    database = mysql_server.database_url.rsplit("/", 1)[1]
    assert result.stdout.splitlines()[2].split(" | ") == [database, "42    "]
    assert token not in result.stdout + result.stderr
