"""Prisma connection strings: ``prisma+postgres://HOST[:PORT]/?api_key=KEY`` and ``prisma://…``."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from .exceptions import InterfaceError

SCHEMES = ("prisma+postgres", "prisma")
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


class Endpoint:
    """Where a connection string points, and its API key (hidden from repr): immutable, equal
    to another with the same fields. A plain class, not a dataclass: generating a dataclass's
    methods costs about half a millisecond of every process's start."""

    __slots__ = ("host", "port", "secure", "api_key")
    host: str
    port: int
    secure: bool
    api_key: str

    def __init__(self, host: str, port: int, secure: bool, api_key: str) -> None:
        for name, value in (
            ("host", host),
            ("port", port),
            ("secure", secure),
            ("api_key", api_key),
        ):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Endpoint is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Endpoint is immutable: cannot delete {name!r}")

    def _fields(self) -> tuple[str, int, bool, str]:
        return (self.host, self.port, self.secure, self.api_key)

    def __eq__(self, other: object) -> bool:
        if type(other) is not Endpoint:
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def replace(self, **changes: Any) -> Endpoint:
        """A copy with some fields changed."""
        fields = dict(zip(self.__slots__, self._fields(), strict=True))
        return Endpoint(**{**fields, **changes})

    @property
    def origin(self) -> str:
        scheme = "https" if self.secure else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}"

    @property
    def is_local(self) -> bool:
        return not self.secure

    def __repr__(self) -> str:
        return f"Endpoint({self.origin!r}, api_key=<hidden>)"

    def redacted_url(self) -> str:
        return f"prisma+postgres://{self.host}:{self.port}/?api_key=<hidden>"


def split_api_key(url: str) -> tuple[str, str | None]:
    """The URL without its ``api_key`` query parameter, and that key."""
    parts = urlsplit(url)
    query = parse_qs(parts.query, keep_blank_values=True)
    key = (query.pop("api_key", [None]) or [None])[0]
    base = f"{parts.scheme}://{parts.netloc}/"
    return base, key


def parse_url(url: str, api_key: str | None = None) -> Endpoint:
    if not isinstance(url, str) or "://" not in url:
        raise InterfaceError(
            "a Prisma connection string looks like prisma+postgres://HOST/?api_key=KEY"
        )
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise InterfaceError(
            f"unsupported scheme {parts.scheme!r}: use prisma+postgres:// or prisma://"
        )
    if not parts.hostname:
        raise InterfaceError("the Prisma connection string has no host")
    _, key_in_url = split_api_key(url)
    key = api_key or key_in_url
    if not key:
        raise InterfaceError("the Prisma connection string has no api_key (pass api_key=…)")
    host = parts.hostname
    local = host in LOCAL_HOSTS
    try:
        port = parts.port
    except ValueError:
        raise InterfaceError("the Prisma connection string has an invalid port") from None
    return Endpoint(host=host, port=port or (80 if local else 443), secure=not local, api_key=key)
