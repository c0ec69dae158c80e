"""What we know about the server behind a database alias: its endpoint, and whether it has a
cache (learnt from the first cached read: Accelerate answers ``accelerate-cache-status``)."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass

from django_prisma.dbapi.url import Endpoint, parse_url

ACCELERATE_HOST = "accelerate.prisma-data.net"
ACCELERATE_ORIGIN = f"https://{ACCELERATE_HOST}"


@dataclass
class ServerState:
    endpoint: Endpoint
    namespace: str  # stable id of the database, for keys in a shared Django cache
    has_cache: bool | None = None  # None: not known yet


_states: dict[tuple[str, str | None], ServerState] = {}
_lock = threading.Lock()


def endpoint_of(connection) -> Endpoint:
    return state_of(connection).endpoint


def state_of(connection) -> ServerState:
    params = connection.get_connection_params()
    key = (params["url"], params.get("api_key"))
    state = _states.get(key)
    if state is None:
        endpoint = parse_url(params["url"], params.get("api_key"))
        digest = hashlib.sha256(f"{endpoint.origin}|{endpoint.api_key}".encode()).hexdigest()
        with _lock:
            state = _states.setdefault(key, ServerState(endpoint, digest[:16]))
    return state


def invalidate_endpoint(endpoint: Endpoint) -> Endpoint:
    """Where ``POST /invalidate`` goes: the server itself when it is local (``prisma dev``, a
    local executor), Accelerate's global endpoint otherwise (as @prisma/extension-accelerate)."""
    if endpoint.is_local:
        return endpoint
    return Endpoint(host=ACCELERATE_HOST, port=443, secure=True, api_key=endpoint.api_key)


def forget() -> None:
    """Forget what was learnt about servers (tests)."""
    with _lock:
        _states.clear()
