"""The PostgreSQL behind an executor server: does its database exist, create it when asked.

Asked through psycopg (a dependency of Django's PostgreSQL backend), on the server's maintenance
database, so that a missing database is told from an unreachable server without reading error
messages.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

# Query parameters of Prisma's PostgreSQL URLs that libpq would refuse.
PRISMA_ONLY_PARAMETERS = {
    "schema",
    "connection_limit",
    "pool_timeout",
    "socket_timeout",
    "pgbouncer",
    "statement_cache_size",
    "sslaccept",
    "sslidentity",
    "sslpassword",
}
# Where to ask about other databases, in Django's order (it falls back from "postgres" too).
MAINTENANCE_DATABASES = ("postgres", "template1")
# What messages call the server.
SERVER_KIND = "PostgreSQL"


def refusals() -> tuple[type[Exception], ...]:
    """What :func:`create_database` raises when the server refuses or cannot be reached."""
    import psycopg

    return (psycopg.Error,)


def database_name(postgres_url: str) -> str:
    return unquote(urlsplit(postgres_url).path.lstrip("/"))


def server_address(postgres_url: str) -> str:
    """host:port, for messages (never the credentials)."""
    parts = urlsplit(postgres_url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 5432}"


def libpq_url(postgres_url: str, database: str) -> str:
    """The same server and credentials on ``database``, with only parameters libpq knows."""
    parts = urlsplit(postgres_url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in PRISMA_ONLY_PARAMETERS]
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, urlencode(query), ""))


def database_exists(postgres_url: str) -> bool | None:
    """Whether the URL's database exists; None when no maintenance database can be asked."""
    import psycopg

    for maintenance in MAINTENANCE_DATABASES:
        try:
            with psycopg.connect(
                libpq_url(postgres_url, maintenance), autocommit=True, connect_timeout=10
            ) as conn:
                row = conn.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", (database_name(postgres_url),)
                ).fetchone()
                return row is not None
        except psycopg.OperationalError:
            continue
    return None


def create_database(postgres_url: str) -> bool:
    """Create the URL's database unless it exists; True when this call created it."""
    import psycopg
    from psycopg import errors, sql

    if database_exists(postgres_url):
        return False
    name = database_name(postgres_url)
    last_error: psycopg.OperationalError | None = None
    for maintenance in MAINTENANCE_DATABASES:
        try:
            with psycopg.connect(
                libpq_url(postgres_url, maintenance), autocommit=True, connect_timeout=10
            ) as conn:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                return True
        except errors.DuplicateDatabase:
            return False  # created meanwhile by someone else: it exists, which is what was asked
        except psycopg.OperationalError as error:
            if error.sqlstate:  # the server answered: a refusal, not an unreachable database
                raise
            last_error = error
    assert last_error is not None  # MAINTENANCE_DATABASES is not empty
    raise last_error
