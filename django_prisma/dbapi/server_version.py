"""PostgreSQL's version number behind a Prisma server, asked at most once per process and server.

psycopg reads the version from the connection handshake, for free. Prisma's servers tell it
nowhere (not in /connection-info, not in a response header), so knowing it costs a statement:
it is asked only when something needs it (Django's features for PostgreSQL 15+/16+/17+, the
version check), and the answer is shared by every connection of the process to that server.
"""

from __future__ import annotations

import threading

_versions: dict[str, int] = {}
_lock = threading.Lock()


def known_server_version(origin: str) -> int | None:
    """The version already learnt from ``origin`` in this process, without asking."""
    return _versions.get(origin)


def server_version(connection) -> int:
    """``server_version_num`` (e.g. 170005) of the server behind the DB-API ``connection``."""
    origin = connection.endpoint.origin
    version = _versions.get(origin)
    if version is None:
        with _lock:
            version = _versions.get(origin)
            if version is None:
                cursor = connection.cursor()
                try:
                    cursor.execute("SHOW server_version_num")
                    version = _versions[origin] = int(cursor.fetchone()[0])
                finally:
                    cursor.close()
    return version
