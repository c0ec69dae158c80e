import os
import subprocess
import sys

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


def run_shell(sql_input: str, *args: str) -> subprocess.CompletedProcess:
    argv, env = connection.client.settings_to_cmd_args_env(connection.settings_dict, list(args))
    return subprocess.run(
        argv, input=sql_input, capture_output=True, text=True, env={**os.environ, **env}, timeout=60
    )


def test_dbshell_runs_sql_and_prints_a_table():
    result = run_shell("SELECT 1 AS one,\n 'x' AS two;\nSELEC broken;\n")
    assert result.returncode == 0, result.stderr
    assert "one | two" in result.stdout and "(1 row)" in result.stdout
    assert "ERROR:" in result.stdout and "syntax error" in result.stdout


def test_dbshell_command_option_and_no_key_on_the_command_line():
    argv, env = connection.client.settings_to_cmd_args_env(connection.settings_dict, [])
    token = connection.settings_dict["TOKEN"]
    assert token and all(token not in part for part in argv)
    assert env["DJANGO_PRISMA_TOKEN"] == token
    result = run_shell("", "-c", "SELECT 40 + 2 AS answer")
    assert "42" in result.stdout and token not in result.stdout + result.stderr
    assert argv[0] == sys.executable
