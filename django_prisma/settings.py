"""DATABASES entry → DB-API connection arguments, with a clear error for every wrong setting."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .dbapi.exceptions import InterfaceError
from .dbapi.url import parse_url, split_api_key

# OPTIONS understood by the driver, with the type each must have.
DRIVER_OPTIONS = {
    "atomic_autocommit_writes": bool,
    "transaction_timeout": int,
    "transaction_max_wait": int,
    "connect_timeout": (int, float),
    "read_timeout": (int, float),
    "engine_hash": str,
    "ca_bundle": str,
    "ca_bundle_only": bool,
    "idle_timeout": (int, float),
}


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
    "chunk_size": None,
    "page_first_joins": bool,
}


def normalize(settings_dict: dict) -> None:
    """Move an API key found in URL to TOKEN, so that the debug page (which hides TOKEN but
    shows URL) never shows it. Runs when the connection is created."""
    url = settings_dict.get("URL")
    if url and "api_key=" in url:
        base, key = split_api_key(url)
        settings_dict["URL"] = base
        if key and not settings_dict.get("TOKEN"):
            settings_dict["TOKEN"] = key


def connection_params(settings_dict: dict) -> dict:
    normalize(settings_dict)
    url = settings_dict.get("URL")
    host = settings_dict.get("HOST")
    if not url and host:
        port = settings_dict.get("PORT")
        url = f"prisma+postgres://{host}{':' + str(port) if port else ''}/"
    if not url:
        raise ImproperlyConfigured(
            "settings.DATABASES is improperly configured for django_prisma: set URL to "
            "'prisma+postgres://HOST/?api_key=KEY' (or HOST and TOKEN)."
        )
    token = settings_dict.get("TOKEN") or settings_dict.get("PASSWORD") or None
    try:
        parse_url(url, token)
    except InterfaceError as error:
        raise ImproperlyConfigured(f"settings.DATABASES URL for django_prisma: {error}") from None
    options = dict(settings_dict.get("OPTIONS") or {})
    params = {"url": url, "api_key": Secret(token) if token else None}
    if options.pop("pool", None):
        raise ImproperlyConfigured(
            "OPTIONS['pool'] is not supported by django_prisma: the Prisma server keeps the pool "
            "of database connections; each Django connection is one keep-alive HTTP session"
        )
    for name, value in options.items():
        if name in BACKEND_OPTIONS:
            if BACKEND_OPTIONS[name] is bool and not isinstance(value, bool):
                raise ImproperlyConfigured(
                    f"OPTIONS[{name!r}] must be True or False, not {value!r}"
                )
            continue
        expected = DRIVER_OPTIONS.get(name)
        if expected is None:
            known = ", ".join(sorted([*DRIVER_OPTIONS, *BACKEND_OPTIONS]))
            raise ImproperlyConfigured(
                f"unknown django_prisma OPTIONS key {name!r}; known keys: {known}"
            )
        if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
            raise ImproperlyConfigured(
                f"OPTIONS[{name!r}] must be a number or string as documented, not {value!r}"
            )
        params[name] = value
    return params
