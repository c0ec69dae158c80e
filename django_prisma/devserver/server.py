"""A local Prisma server as a child process: ``@prisma/dev``, or Prisma's executor in front of a
PostgreSQL or a MySQL/MariaDB."""

from __future__ import annotations

import json
import logging
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from types import ModuleType
from typing import IO
from urllib.parse import urlsplit, urlunsplit

from . import mysql, postgres
from .messages import hide_password, readable_error
from .runtime import Progress, ensure_runtime, node_binary

KINDS = ("dev", "executor")
# The database behind a server, as Prisma's schemas name it (``datasource { provider = … }``).
PROVIDERS = ("postgresql", "mysql")

logger = logging.getLogger("django_prisma.devserver")


class ServerStartError(RuntimeError):
    pass


class DatabaseMissingError(ServerStartError):
    """The executor's database does not exist (``create_database=True`` creates it).

    ``server`` names the kind of database server: "PostgreSQL" or "MySQL/MariaDB"."""

    def __init__(self, database: str, address: str, server: str = "PostgreSQL"):
        self.database = database
        self.address = address
        self.server = server
        super().__init__(f"database {database!r} does not exist on the {server} at {address}")


def provider_of(database_url: str | None) -> str:
    """``"mysql"`` for a ``mysql://`` or ``mariadb://`` URL, else ``"postgresql"``."""
    return "mysql" if mysql.is_mysql_url(database_url) else "postgresql"


class LocalServer:
    """Start with :meth:`start`; ``url`` is the connection string: ``prisma+postgres://`` for a
    PostgreSQL-backed server (``dev``, or ``executor`` with a ``postgres://`` URL), ``prisma://``
    for an executor in front of a MySQL/MariaDB (``mysql://`` or ``mariadb://`` URL).
    ``provider`` says which: "postgresql" or "mysql".

    The child reads our stdin and exits on EOF, so it cannot outlive this process.
    """

    def __init__(
        self,
        kind: str = "dev",
        *,
        database_url: str | None = None,
        name: str | None = None,
        port: int | None = None,
        fresh_database: bool = False,
        drop_database_on_exit: bool = False,
        max_transaction_timeout: str | None = None,
        create_database: bool = False,
        progress: Progress | None = None,
        persistent: bool = False,
    ):
        """``create_database``: create the executor's database when it does not exist (the
        default refuses with :class:`DatabaseMissingError`). ``progress`` receives one-line
        reports of slow first-time work (installing the npm runtime, creating the database);
        default: INFO on the ``django_prisma.devserver`` logger."""
        if kind not in KINDS:
            raise ValueError(f"unknown local server kind {kind!r}: use one of {KINDS}")
        if kind == "executor" and not database_url:
            raise ValueError("the executor server needs database_url='postgres://…' or 'mysql://…'")
        self.kind = kind
        self.database_url = database_url
        self.provider = provider_of(database_url) if kind == "executor" else "postgresql"
        self.name = name or f"django-prisma-{uuid.uuid4().hex[:8]}"
        self.port = port
        self.fresh_database = fresh_database
        self.drop_database_on_exit = drop_database_on_exit
        self.max_transaction_timeout = max_transaction_timeout
        self.create_database = create_database
        self.progress = progress or logger.info
        # dev only: keep the database on disk under ``name`` (@prisma/dev's data directory).
        self.persistent = persistent
        self.url: str | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def __repr__(self):
        state = "running" if self.running else "stopped"
        return f"<LocalServer {self.kind} port={self.port} {state}>"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _command(self, node: str, runtime) -> list[str]:
        cmd = [node, "--no-warnings", str(runtime / "launcher.mjs"), self.kind]
        cmd += ["--name", self.name]
        if self.port:
            cmd += ["--port", str(self.port)]
        if self.kind == "executor":
            cmd += ["--database-url", self._executor_database_url]
            if self.fresh_database:
                cmd += ["--recreate-database", "1"]
            if self.drop_database_on_exit:
                cmd += ["--drop-database-on-exit", "1"]
        if self.kind == "dev" and self.persistent:
            cmd += ["--persistence", "stateful"]
        if self.max_transaction_timeout:
            cmd += ["--max-transaction-timeout", self.max_transaction_timeout]
        return cmd

    def start(self, timeout: float = 120.0) -> LocalServer:
        if self.provider == "mysql" and not mysql.database_name(self._executor_database_url):
            # MySQL has no default database to fall back on (PostgreSQL has the user's).
            raise ServerStartError(
                f"the {self.server_kind} URL names no database (add /DATABASE after HOST:PORT)"
            )
        runtime = ensure_runtime(self.progress)
        node = node_binary(runtime)
        if self.kind == "executor" and self.create_database and not self.fresh_database:
            self._create_missing_database()
        self._log = tempfile.TemporaryFile(mode="w+b")
        self.process = process = subprocess.Popen(
            self._command(node, runtime),
            cwd=runtime,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env={**os.environ, "NODE_ENV": "production"},
        )
        line = self._read_ready_line(process, timeout)
        info = json.loads(line)
        if not info.get("ready"):
            self.stop()
            self._raise_if_database_missing()
            raise ServerStartError(
                f"the local {self.kind} server failed: "
                + hide_password(readable_error(info.get("error")), self.database_url)
            )
        self.url = info["url"]
        self.port = info["port"]
        return self

    @property
    def _executor_database_url(self) -> str:
        """The database behind an executor (``__init__`` refuses an executor without one)."""
        if self.database_url is None:
            raise ValueError(f"the local {self.kind} server has no database URL")
        return self.database_url

    @property
    def _database_server(self) -> ModuleType:
        """The helpers for the database behind an executor (same functions in both)."""
        return mysql if self.provider == "mysql" else postgres

    @property
    def server_kind(self) -> str:
        """The database server behind an executor, for messages: "PostgreSQL" or
        "MySQL/MariaDB"."""
        return self._database_server.SERVER_KIND

    def _create_missing_database(self) -> None:
        server = self._database_server
        name = server.database_name(self.database_url)
        if not name:
            raise ServerStartError(f"the {self.server_kind} URL names no database to create")
        where = server.server_address(self.database_url)
        try:
            created = server.create_database(self.database_url)
        except server.refusals() as error:  # the server refused, or cannot be reached
            raise ServerStartError(
                f"could not create database {name!r} on {where}: "
                + hide_password(str(error), self.database_url)
            ) from error
        if created:
            self.progress(f"created database {name!r} on the {self.server_kind} at {where}")

    def _raise_if_database_missing(self) -> None:
        # Asked only after a failed start, so a working start pays nothing for it.
        if self.kind != "executor" or self.fresh_database:
            return
        server = self._database_server
        if server.database_exists(self.database_url) is False:
            raise DatabaseMissingError(
                server.database_name(self.database_url),
                server.server_address(self.database_url),
                self.server_kind,
            )

    def _read_ready_line(self, process: subprocess.Popen[bytes], timeout: float) -> bytes:
        stdout = process.stdout
        assert stdout is not None  # started with stdout=PIPE
        deadline = time.monotonic() + timeout
        buffer = b""
        with selectors.DefaultSelector() as sel:
            sel.register(stdout, selectors.EVENT_READ)
            while b"\n" not in buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not sel.select(remaining):
                    self.stop()
                    raise ServerStartError(
                        f"the local {self.kind} server did not start within {timeout:.0f} s"
                        f"{self._stderr_tail()}"
                    )
                chunk = os.read(stdout.fileno(), 65536)
                if not chunk:
                    process.wait(5)
                    raise ServerStartError(
                        f"the local {self.kind} server exited with code "
                        f"{process.returncode}{self._stderr_tail()}"
                    )
                buffer += chunk
        return buffer.split(b"\n", 1)[0]

    def _stderr_tail(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        text = self._log.read().decode("utf-8", "replace").strip()
        return f":\n{hide_password(text[-3000:], self.database_url)}" if text else ""

    @property
    def postgres_url(self) -> str | None:
        """The PostgreSQL URL behind an executor server (None for ``prisma dev`` and for a
        MySQL/MariaDB-backed executor)."""
        return self.database_url if self.provider == "postgresql" else None

    def stop(self, timeout: float = 15.0) -> None:
        proc, self.process = self.process, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for stream in (proc.stdin, proc.stdout):
            if stream:
                stream.close()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> LocalServer:
        return self.start() if not self.running else self

    def __exit__(self, *exc) -> None:
        self.stop()


def throwaway_executor(server_url: str, prefix: str = "django_prisma", **options) -> LocalServer:
    """Prisma's executor in front of a fresh database on ``server_url``'s server, dropped when
    the server stops (not started yet: use it as a context manager).

    ``server_url``: any database URL of the server (its database is not touched), PostgreSQL
    (``postgres://…``) or MySQL/MariaDB (``mysql://…``, ``mariadb://…``), with credentials
    that may create and drop databases. The new database is named ``PREFIX_`` + 10 hex digits
    (MySQL allows 64 characters in all) and created empty (utf8mb4 on MySQL/MariaDB);
    ``options`` go to :class:`LocalServer`. The server's ``url`` is ``prisma+postgres://…``
    for PostgreSQL, ``prisma://…`` for MySQL/MariaDB; ``database_url`` is the new database's.
    """
    database = with_database(server_url, f"{prefix}_{uuid.uuid4().hex[:10]}")
    return LocalServer(
        "executor", database_url=database, fresh_database=True, drop_database_on_exit=True,
        **options,
    )  # fmt: skip


def with_database(database_url: str, database: str) -> str:
    """The same server (PostgreSQL or MySQL/MariaDB), credentials and parameters, another
    database."""
    parts = urlsplit(database_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, ""))


def dev_state_dir(name: str) -> Path:
    """Where ``@prisma/dev`` keeps the database of a persistent server named ``name``: its
    data directory (env-paths' "prisma-dev", suffixed "-nodejs") and the name."""
    home = Path.home()
    if sys.platform == "darwin":
        base = home / "Library" / "Application Support" / "prisma-dev-nodejs"
    elif sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        base = Path(local) / "prisma-dev-nodejs" / "Data"
    else:
        data = os.environ.get("XDG_DATA_HOME") or str(home / ".local" / "share")
        base = Path(data) / "prisma-dev-nodejs"
    return base / name


def discard_dev_state(name: str) -> bool:
    """Delete the kept database of the persistent dev server ``name``, if there is one."""
    state = dev_state_dir(name)
    if not (state / ".pglite").is_dir():
        return False
    shutil.rmtree(state)
    return True
