"""DATABASES entry → DB-API connection arguments, with a clear error for every wrong setting."""

from __future__ import annotations

import logging
import os
import re
from urllib.parse import parse_qsl, urlsplit

from django.core.exceptions import ImproperlyConfigured

from .dbapi.exceptions import InterfaceError
from .dbapi.info import known_database
from .dbapi.url import parse_url, split_api_key

# OPTIONS understood by the driver, with the type each must have.
DRIVER_OPTIONS: dict[str, type | tuple[type, ...]] = {
    "atomic_autocommit_writes": bool,
    "replay_errors": bool,
    "transaction_timeout": int,
    "transaction_max_wait": int,
    "connect_timeout": (int, float),
    "read_timeout": (int, float),
    "engine_hash": str,
    "ca_bundle": str,
    "ca_bundle_only": bool,
    "idle_timeout": (int, float),
}


# What psycopg's connection parameters would say about where a connection goes, for tools that
# describe a connection from get_connection_params() before it has a driver connection to ask
# (sentry-sdk's "connect" spans: server.address, server.port, db.name): the Prisma server's host
# and port, and the database once this process has learnt its name (dbapi/info.py). They are not
# the driver's arguments: driver_arguments() leaves them out.
DESCRIPTIVE_PARAMS = ("host", "port", "dbname")


def driver_arguments(params: dict) -> dict:
    """The arguments of the driver's ``connect()`` among ``get_connection_params()``."""
    return {name: value for name, value in params.items() if name not in DESCRIPTIVE_PARAMS}


class Secret(str):
    """The API key, as a str whose repr hides it: Django's debug page prints the local variables
    of every frame (``conn_params`` in ``connect()`` when the first query fails), and cleanses
    only settings named like TOKEN, not locals."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'********************'"


# OPTIONS the backend reads itself; a type where the code that reads it does not check it.
BACKEND_OPTIONS = {
    "isolation_level": None,
    "cache": None,
    "page_first_joins": bool,
    "preconnect": bool,
}

# OPTIONS of earlier versions that did nothing, refused with what to do instead.
REMOVED_OPTIONS = {
    "chunk_size": "QuerySet.iterator(chunk_size=n) sets the chunk size of each iteration",
}

# Connection settings of libpq, psycopg and Django's PostgreSQL backend that mean nothing over
# HTTP: tools add them to every PostgreSQL-like entry (django-extensions' shell_plus sets
# fallback_application_name, dj-database-url and django-environ copy sslmode and the like from
# the URL). They are accepted and ignored, with a DEBUG log on "django_prisma.settings". TLS is
# always used for remote hosts and always verified (extra CAs: OPTIONS["ca_bundle"]).
IGNORED_OPTIONS = frozenset(
    {
        # naming the client in pg_stat_activity
        "application_name",
        "fallback_application_name",
        # TLS and authentication of a PostgreSQL socket
        "sslmode",
        "sslnegotiation",
        "sslcompression",
        "sslcert",
        "sslkey",
        "sslpassword",
        "sslcertmode",
        "sslrootcert",
        "sslcrl",
        "sslcrldir",
        "sslsni",
        "sslkeylogfile",
        "ssl_min_protocol_version",
        "ssl_max_protocol_version",
        "requiressl",
        "requirepeer",
        "require_auth",
        "channel_binding",
        "gssencmode",
        "gsslib",
        "gssdelegation",
        "krbsrvname",
        # the TCP socket and choosing among several hosts
        "keepalives",
        "keepalives_idle",
        "keepalives_interval",
        "keepalives_count",
        "tcp_user_timeout",
        "target_session_attrs",
        "load_balance_hosts",
        # psycopg and Django's PostgreSQL backend: statements are sent as literals, results are
        # decoded from JSON (always UTF-8)
        "server_side_binding",
        "prepare_threshold",
        "cursor_factory",
    }
)
UTF8_NAMES = frozenset({"utf8", "utf-8", "unicode"})
MYSQL_UTF8_NAMES = frozenset({"utf8mb4", "utf8mb3", "utf8"})

# OPTIONS django_prisma.mysql's backend reads itself.
MYSQL_BACKEND_OPTIONS = {
    "isolation_level": None,
    "cache": None,
    "preconnect": bool,
    # Run by the backend when it connects; SETs of session variables hold for each statement
    # (MariaDB's SET STATEMENT), see django_prisma/dbapi/mysql/session.py.
    "init_command": str,
    "sql_mode": str,
    "page_first_joins": bool,
}
# MySQLdb's connection settings that mean nothing over HTTP (the socket, its TLS, the client's
# own option files and flags): accepted and ignored, with a DEBUG log, as libpq's are.
MYSQL_IGNORED_OPTIONS = frozenset(
    {
        "ssl",
        "ssl_mode",
        "unix_socket",
        "read_default_file",
        "read_default_group",
        "client_flag",
        "local_infile",
        "use_unicode",
        "compress",
        "named_pipe",
        "auth_plugin",
        "server_public_key_path",
        "write_timeout",
        "conv",
        "autocommit",
    }
)

logger = logging.getLogger("django_prisma.settings")


def normalize(settings_dict: dict) -> None:
    """Move an API key found in URL (or in OPTIONS["api_key"], where dj-database-url and
    django-environ put a URL's query parameters) to TOKEN, so that the debug page (which hides
    TOKEN but shows URL) never shows it; keys that disagree are an error. Runs when the app is
    ready and when the connection is created."""
    url = settings_dict.get("URL")
    keys = {}
    if settings_dict.get("TOKEN"):
        keys["TOKEN"] = str(settings_dict["TOKEN"])
    if url and "api_key=" in url:
        base, key = split_api_key(url)
        settings_dict["URL"] = base
        if key:
            keys["the URL's api_key"] = key
    options = settings_dict.get("OPTIONS") or {}
    if "api_key" in options:
        # A new OPTIONS dict: a copy of the entry (dbshell's) must not change the original's.
        settings_dict["OPTIONS"] = {k: v for k, v in options.items() if k != "api_key"}
        if options["api_key"] not in (None, ""):
            keys['OPTIONS["api_key"]'] = str(options["api_key"])
    if len(set(keys.values())) > 1:
        raise ImproperlyConfigured(
            f"settings.DATABASES: the API keys in {' and '.join(keys)} differ; give the key once"
        )
    if keys:
        settings_dict["TOKEN"] = next(iter(keys.values()))


def url_and_token(settings_dict: dict) -> tuple[str | None, str | None]:
    """The server URL and API key a DATABASES entry names (URL, or HOST/PORT; TOKEN or
    PASSWORD), without checking them."""
    url = settings_dict.get("URL")
    host = settings_dict.get("HOST")
    if not url and host:
        port = settings_dict.get("PORT")
        url = f"prisma+postgres://{host}{':' + str(port) if port else ''}/"
    token = settings_dict.get("TOKEN") or settings_dict.get("PASSWORD") or None
    if url and not token:
        token = split_api_key(url)[1]
    return url or None, token


def connection_params(settings_dict: dict) -> dict:
    """The driver's arguments for a ``django_prisma`` (PostgreSQL) DATABASES entry, with
    the ``DESCRIPTIVE_PARAMS``."""
    params, options = _endpoint_params(settings_dict)
    dbname = known_database(parse_url(params["url"], params["api_key"]))
    if dbname is not None:
        params["dbname"] = dbname
    ignored = sorted(name for name in options if name in IGNORED_OPTIONS)
    if ignored:
        logger.debug("OPTIONS with no meaning over HTTP, ignored: %s", ", ".join(ignored))
    for name in ignored:
        del options[name]
    check_client_encoding(options.pop("client_encoding", None))
    parameters = server_parameters(options.pop("options", None))
    if parameters:
        params["session_parameters"] = parameters
    _driver_options(options, params, BACKEND_OPTIONS, IGNORED_OPTIONS, extra_known=("options",))
    return params


def mysql_connection_params(settings_dict: dict) -> dict:
    """The driver's arguments for a ``django_prisma.mysql`` DATABASES entry, with the
    ``DESCRIPTIVE_PARAMS`` but the database's name."""
    params, options = _endpoint_params(settings_dict)
    ignored = sorted(name for name in options if name in MYSQL_IGNORED_OPTIONS)
    if ignored:
        logger.debug("OPTIONS with no meaning over HTTP, ignored: %s", ", ".join(ignored))
    for name in ignored:
        del options[name]
    charset = options.pop("charset", None)
    if charset is not None and str(charset).lower() not in MYSQL_UTF8_NAMES:
        raise ImproperlyConfigured(
            f"OPTIONS['charset'] = {charset!r}: results travel as JSON, always UTF-8; use "
            "'utf8mb4' (or leave it out)"
        )
    _driver_options(
        options,
        params,
        MYSQL_BACKEND_OPTIONS,
        MYSQL_IGNORED_OPTIONS,
        extra_known=(),
        refused=("replay_errors",),
    )
    return params


def _endpoint_params(settings_dict: dict) -> tuple[dict, dict]:
    """``url`` and ``api_key`` checked, and a copy of OPTIONS without what no engine accepts."""
    normalize(settings_dict)
    url, token = url_and_token(settings_dict)
    if not url:
        raise ImproperlyConfigured(
            "settings.DATABASES is improperly configured for django_prisma: set URL to "
            "'prisma+postgres://HOST/?api_key=KEY' (or HOST and TOKEN)."
        )
    try:
        endpoint = parse_url(url, token)
    except InterfaceError as error:
        raise ImproperlyConfigured(f"settings.DATABASES URL for django_prisma: {error}") from None
    options = dict(settings_dict.get("OPTIONS") or {})
    params: dict = {"url": url, "api_key": Secret(token) if token else None}
    params.update(host=endpoint.host, port=endpoint.port)  # DESCRIPTIVE_PARAMS
    if options.pop("pool", None):
        raise ImproperlyConfigured(
            "OPTIONS['pool'] is not supported by django_prisma: the Prisma server keeps the pool "
            "of database connections; each Django connection is one keep-alive HTTP session"
        )
    for name in options.keys() & REMOVED_OPTIONS.keys():
        raise ImproperlyConfigured(
            f"OPTIONS[{name!r}] is no longer accepted by django_prisma (it had no effect): "
            f"{REMOVED_OPTIONS[name]}"
        )
    if isinstance(options.get("connect_timeout"), str):
        # libpq's form (and a URL query parameter's): a number of seconds as text.
        options["connect_timeout"] = _seconds(options["connect_timeout"])
    return params, options


def _driver_options(
    options: dict,
    params: dict,
    backend_options: dict,
    ignored_options: frozenset,
    *,
    extra_known: tuple[str, ...],
    refused: tuple[str, ...] = (),
) -> None:
    """Check the remaining OPTIONS: the backend's are left to it, the driver's go to ``params``
    with their types checked, anything else is refused naming the known keys."""
    for name, value in options.items():
        if name in backend_options:
            kind = backend_options[name]
            if kind is bool and not isinstance(value, bool):
                raise ImproperlyConfigured(
                    f"OPTIONS[{name!r}] must be True or False, not {value!r}"
                )
            if kind is str and not isinstance(value, str):
                raise ImproperlyConfigured(f"OPTIONS[{name!r}] must be a string, not {value!r}")
            continue
        expected = None if name in refused else DRIVER_OPTIONS.get(name)
        if expected is None:
            driver_names = [option for option in DRIVER_OPTIONS if option not in refused]
            known = ", ".join(sorted([*driver_names, *backend_options, *extra_known]))
            raise ImproperlyConfigured(
                f"unknown django_prisma OPTIONS key {name!r}; known keys: {known} (and the "
                f"client library's connection settings that mean nothing over HTTP, which are "
                f"ignored: {', '.join(sorted(ignored_options))})"
            )
        if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
            raise ImproperlyConfigured(
                f"OPTIONS[{name!r}] must be a number or string as documented, not {value!r}"
            )
        params[name] = value


def _seconds(text: str):
    try:
        return float(text)
    except ValueError:
        raise ImproperlyConfigured(
            f"OPTIONS['connect_timeout'] must be a number of seconds, not {text!r}"
        ) from None


def check_client_encoding(encoding) -> None:
    """Results travel as JSON, always UTF-8: other client encodings cannot be honoured."""
    if encoding is not None and str(encoding).lower() not in UTF8_NAMES:
        raise ImproperlyConfigured(
            f"OPTIONS['client_encoding'] = {encoding!r} is not supported by django_prisma: "
            "results travel as JSON, always UTF-8 (leave it out or use 'UTF8')"
        )


_PARAMETER_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\Z")


# Run-time parameters that change how results print, which the Prisma server then misreads (a
# timestamptz printed in another zone is read as UTC; another DateStyle does not parse).
RESULT_FORMAT_PARAMETERS = frozenset({"timezone", "datestyle", "intervalstyle"})


def server_parameters(options) -> list[tuple[str, str]]:
    """libpq's OPTIONS["options"] (``-c search_path=app,public -c statement_timeout=5s`` or
    ``--search_path=app``) → (name, value) pairs. There is no session to set them on: each
    statement (or each transaction) sets them with a transaction-local set_config()."""
    if options is None or options == "":
        return []
    if not isinstance(options, str):
        raise ImproperlyConfigured(f"OPTIONS['options'] must be a string, not {options!r}")
    words = _split_options(options)
    parameters = []
    while words:
        word = words.pop(0)
        if word == "-c" and words:
            setting = words.pop(0)
        elif word.startswith("-c") and len(word) > 2:
            setting = word[2:]
        elif word.startswith("--") and "=" in word:
            setting = word[2:]
        else:
            raise ImproperlyConfigured(
                f"OPTIONS['options'] = {options!r}: django_prisma understands only "
                f"'-c name=value' (or '--name=value') run-time parameters, not {word!r}"
            )
        name, sep, value = setting.partition("=")
        name = name.replace("-", "_")
        if not sep or not _PARAMETER_NAME.match(name):
            raise ImproperlyConfigured(
                f"OPTIONS['options'] = {options!r}: {setting!r} is not name=value"
            )
        if name.lower() in RESULT_FORMAT_PARAMETERS:
            raise ImproperlyConfigured(
                f"OPTIONS['options'] = {options!r}: {name} cannot be set for django_prisma: the "
                "Prisma server reads results in UTC and ISO formats and would return wrong "
                "values (the time zone follows Django's TIME_ZONE and USE_TZ)"
            )
        parameters.append((name, value))
    return parameters


def _split_options(options: str) -> list[str]:
    """Words separated by whitespace; a backslash keeps the next character (as libpq does)."""
    words, word, escaped, started = [], [], False, False
    for char in options:
        if escaped:
            word.append(char)
            escaped = False
        elif char == "\\":
            escaped = started = True
        elif char.isspace():
            if started:
                words.append("".join(word))
            word, started = [], False
        else:
            word.append(char)
            started = True
    if started:
        words.append("".join(word))
    return words


def config(url: str | None = None, *, env: str = "DATABASE_URL", **entry) -> dict:
    """A DATABASES entry from a ``prisma+postgres://HOST/?api_key=KEY`` URL, by default the
    environment variable ``env`` — django_prisma's counterpart of ``dj_database_url.config()``:
    the key goes to TOKEN, other query parameters to OPTIONS (numbers and booleans as such),
    and keyword arguments (``CONN_MAX_AGE=60``, ``OPTIONS={...}``, ``TEST={...}``) are merged."""
    if url is None:
        url = os.environ.get(env)
        if not url:
            raise ImproperlyConfigured(f"the environment variable {env} is not set")
    try:
        parse_url(url)
    except InterfaceError as error:
        raise ImproperlyConfigured(f"django_prisma.config(): {error}") from None
    base, key = split_api_key(url)
    options = {
        name: _query_value(name, value)
        for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=True)
        if name != "api_key"
    }
    options.update(entry.pop("OPTIONS", None) or {})
    result = {"ENGINE": "django_prisma", "URL": base, "TOKEN": key, **entry}
    if options:
        result["OPTIONS"] = options
    return result


def _query_value(name: str, value: str):
    expected = DRIVER_OPTIONS.get(name) or BACKEND_OPTIONS.get(name)
    if expected is bool and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if expected in (int, (int, float)) and value.isdigit():
        return int(value)
    return value
