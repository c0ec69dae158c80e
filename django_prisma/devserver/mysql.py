"""The MySQL/MariaDB behind an executor server: its URLs, whether its database exists, creating
and dropping it.

No MySQL client library is needed: the questions are asked through Prisma's executor itself, by
the launcher's ``database`` mode, on the server's ``information_schema`` database (which every
server has and every user may read), so that a missing database is told from an unreachable
server without reading error messages.
"""

from __future__ import annotations

import json
import os
import subprocess
from urllib.parse import unquote, urlsplit, urlunsplit

from .messages import hide_password, readable_error
from .runtime import Progress, ensure_runtime, node_binary

SCHEMES = ("mysql", "mariadb")
DEFAULT_PORT = 3306
# What messages call the server (the launcher's too).
SERVER_KIND = "MySQL/MariaDB"
# Seconds for one question: the launcher gives up on an unreachable server after a few.
QUESTION_TIMEOUT = 60.0


class DatabaseQuestionError(RuntimeError):
    """The server could not be asked, or refused (the message never shows the password)."""


def refusals() -> tuple[type[Exception], ...]:
    """What :func:`create_database` raises when the server refuses or cannot be reached."""
    return (DatabaseQuestionError,)


def is_mysql_url(url: str | None) -> bool:
    return bool(url) and urlsplit(url).scheme in SCHEMES


def database_name(mysql_url: str) -> str:
    return unquote(urlsplit(mysql_url).path.lstrip("/"))


def server_address(mysql_url: str) -> str:
    """host:port, for messages (never the credentials)."""
    parts = urlsplit(mysql_url)
    return f"{parts.hostname or 'localhost'}:{parts.port or DEFAULT_PORT}"


def with_database(mysql_url: str, database: str) -> str:
    """The same MySQL/MariaDB server, credentials and parameters, another database."""
    parts = urlsplit(mysql_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, ""))


def database_exists(mysql_url: str, progress: Progress | None = None) -> bool | None:
    """Whether the URL's database exists; None when the server cannot be asked."""
    try:
        return bool(_ask(mysql_url, "exists", progress)["exists"])
    except DatabaseQuestionError:
        return None


def create_database(mysql_url: str, progress: Progress | None = None) -> bool:
    """Create the URL's database (utf8mb4) unless it exists; True when this call created it.

    Raises :class:`DatabaseQuestionError` when the server cannot be reached or refuses."""
    return bool(_ask(mysql_url, "create", progress)["created"])


def drop_database(mysql_url: str, progress: Progress | None = None) -> bool:
    """Drop the URL's database if it exists; True when this call dropped it.

    Raises :class:`DatabaseQuestionError` when the server cannot be reached or refuses."""
    return bool(_ask(mysql_url, "drop", progress)["dropped"])


def _ask(mysql_url: str, action: str, progress: Progress | None) -> dict:
    if not is_mysql_url(mysql_url):
        raise ValueError(f"{action}: not a MySQL/MariaDB URL (mysql://… or mariadb://…)")
    if not database_name(mysql_url):
        raise DatabaseQuestionError("the MySQL/MariaDB URL names no database")
    runtime = ensure_runtime(progress)
    command = [node_binary(runtime), "--no-warnings", str(runtime / "launcher.mjs"), "database"]
    command += ["--database-url", mysql_url, "--action", action]
    try:
        result = subprocess.run(
            command,
            cwd=runtime,
            capture_output=True,
            text=True,
            timeout=QUESTION_TIMEOUT,
            env={**os.environ, "NODE_ENV": "production"},
        )
    except subprocess.TimeoutExpired:
        raise DatabaseQuestionError(
            f"the {SERVER_KIND} at {server_address(mysql_url)} did not answer within "
            f"{QUESTION_TIMEOUT:.0f} s"
        ) from None
    answer = _last_json_line(result.stdout)
    if answer is None or not answer.get("ok"):
        error = answer.get("error") if answer else (result.stderr.strip() or result.stdout)
        raise DatabaseQuestionError(hide_password(readable_error(error), mysql_url))
    return answer


def _last_json_line(output: str) -> dict | None:
    for line in reversed(output.splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None
