"""One HTTP session per DB-API connection: a keep-alive socket, headers, cookies, safe retries."""

from __future__ import annotations

import logging
import os
import platform
import ssl
import threading
import time
from http.cookies import SimpleCookie
from typing import Any

from .. import __version__ as VERSION
from . import errors, tls
from . import exceptions as exc
from .dialect import POSTGRESQL, Dialect
from .http import (
    AnswerLost,
    AnswerTimeout,
    ConnectFailed,
    Headers,
    HTTPConnection,
    MalformedResponse,
    NotSent,
    TLSFailed,
)
from .url import Endpoint

USER_AGENT = f"django-prisma/{VERSION} (Python {platform.python_version()})"
DEFAULT_ENGINE_HASH = "7.2.0"
logger = logging.getLogger("django_prisma.dbapi")
JWT_HEADER = "accelerate-query-engine-jwt"
# What Prisma's servers (Node) announce with "Keep-Alive: timeout=5"; they close idle sockets
# 1 s later (measured: 6.0 s on prisma dev and the executor).
DEFAULT_ANNOUNCED_IDLE = 5.0
IDLE_MARGIN = 0.25

# How many forks separate this process from the one that imported the module: a connection
# opened in an ancestor is never used (see Transport._connection_for_request).
_forks = 0


class Response:
    __slots__ = ("status", "body", "headers")

    def __init__(self, status: int, body: bytes, headers: Headers) -> None:
        self.status = status
        self.body = body
        self.headers = headers


class Transport:
    def __init__(
        self,
        endpoint: Endpoint,
        *,
        connect_timeout: float = 10.0,
        read_timeout: float | None = 330.0,
        engine_hash: str = DEFAULT_ENGINE_HASH,
        ca_bundle: str | None = None,
        ca_bundle_only: bool = False,
        idle_timeout: float | None = None,
        user_agent: str | None = None,
        dialect: Dialect = POSTGRESQL,
    ) -> None:
        self.endpoint = endpoint
        # The database behind the server: how its errors read (dialect.py).
        self.dialect = dialect
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        # None: as long as the server announces it keeps idle connections, minus a margin.
        self.idle_timeout = idle_timeout
        self.ca_bundle = ca_bundle
        self.ca_bundle_only = ca_bundle_only
        if ca_bundle_only and not ca_bundle:
            raise exc.InterfaceError("ca_bundle_only needs a ca_bundle (a PEM file of CAs)")
        self._base_headers = {
            "Authorization": f"Bearer {endpoint.api_key}",
            "Prisma-Engine-Hash": engine_hash,
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": user_agent or USER_AGENT,
        }
        self._cookies: dict[str, str] = {}
        self._base_block: bytes | None = None
        self._jwt: str | None = None
        self._conn: HTTPConnection | None = None
        self._conn_forks = 0  # the value of _forks when _conn was made
        self._ssl_context: ssl.SSLContext | None = None
        self._last_used = 0.0
        self._fresh = False  # the connection has not answered yet (its TLS session is unknown)
        self.requests_sent = 0
        self.connections_opened = 0

    def __repr__(self) -> str:
        return f"<Transport {self.endpoint.origin}>"

    @property
    def timeout(self) -> tuple[float, float | None]:
        return (self.connect_timeout, self.read_timeout)

    @timeout.setter
    def timeout(self, value: Any) -> None:
        """Set both timeouts: a (connect, read) pair or an object with ``connect_timeout`` and
        ``read_timeout`` (such as ``urllib3.Timeout``); the next request uses a new socket."""
        if isinstance(value, tuple):
            self.connect_timeout, self.read_timeout = value
        else:
            self.connect_timeout = value.connect_timeout
            self.read_timeout = value.read_timeout
        self.close()

    def _new_connection(self) -> HTTPConnection:
        adopted = _adopt_preconnected(self)
        if adopted is not None:
            self.connections_opened += 1
            self._fresh = True
            self._ssl_context = adopted.ssl_context
            logger.debug("using the connection opened in advance to %s", self.endpoint.origin)
            return adopted
        ep = self.endpoint
        context = session = None
        if ep.secure:
            context = self._tls_context()
            session = tls.session_for(context, ep.origin)
        return HTTPConnection(
            ep.host,
            ep.port,
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            ssl_context=context,
            tls_session=session,
        )

    def _tls_context(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            try:
                self._ssl_context = tls.client_context(self.ca_bundle, self.ca_bundle_only)
            except (OSError, ValueError) as error:  # ssl.SSLError is an OSError
                raise exc.InterfaceError(
                    f"cannot load the CA certificates of ca_bundle {self.ca_bundle!r}: {error}"
                ) from None
        return self._ssl_context

    def _trust_the_complete_store(self) -> bool:
        """After a certificate whose issuer the context did not know: whether there is more to
        trust — the context read only the system's hashed CA directory (tls.py) — in which case
        the transport switches to the whole system store."""
        if self._ssl_context is None:
            return False
        complete = tls.complete_context(self._ssl_context)
        if complete is None:
            return False
        logger.debug("verifying %s against the complete system trust store", self.endpoint.origin)
        self._ssl_context = complete
        return True

    def idle_limit(self, conn: HTTPConnection) -> float:
        """How long ``conn`` may sit idle and still be reused.

        The server's idle clock starts when it has written a response, about half a round trip
        before this side reads it, and a request reaches it half a round trip after it is sent:
        it sees this side's idle time plus one round trip. A request crossing the server's close
        may or may not run, so stay below what the server announces by twice the round trip
        (estimated by the TCP connect) plus a scheduling margin.
        """
        if self.idle_timeout is not None:
            return self.idle_timeout
        announced = conn.keep_alive_timeout
        if announced is None:
            announced = DEFAULT_ANNOUNCED_IDLE
        return announced - IDLE_MARGIN - 2 * conn.connect_seconds

    def _connection_for_request(self) -> HTTPConnection:
        # Never reuse a connection idle for longer than the server keeps one, nor one the
        # server has already closed (it became readable: EOF or reset), nor one a forked
        # process inherited: parent and child would write to one stream and read each other's
        # answers (a pre-forking server or Celery worker that queried before forking). Closing
        # it here closes the child's copy of the socket only; the parent's stays open.
        conn = self._conn
        if (
            conn is None
            or self._conn_forks != _forks
            or (conn.connected and time.monotonic() - self._last_used > self.idle_limit(conn))
            or (conn.connected and conn.dropped())
        ):
            self.close()
            conn = self._conn = self._new_connection()
            self._conn_forks = _forks
        if not conn.connected:
            self.connections_opened += 1
            self._fresh = True
            logger.debug("opening a connection to %s", self.endpoint.origin)
        return conn

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = dict(self._base_headers)
        if self._cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self._cookies.items())
        if self._jwt:
            headers["Accelerate-Query-Engine-Jwt"] = self._jwt
        if extra:
            headers.update(extra)
        return headers

    def _header_block(self, extra: dict[str, str] | None) -> bytes:
        if not extra and not self._cookies and not self._jwt:
            if self._base_block is None:
                self._base_block = _encode(self._base_headers)
            return self._base_block
        return _encode(self._headers(extra))

    def _remember(self, headers: Headers) -> None:
        jwt = headers.get(JWT_HEADER)
        if jwt:
            self._jwt = jwt
        for raw in headers.getlist("set-cookie") if hasattr(headers, "getlist") else ():
            cookie = SimpleCookie()
            try:
                cookie.load(raw)
            except Exception:
                continue
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0":
                    self._cookies.pop(name, None)
                else:
                    self._cookies[name] = morsel.value

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        *,
        idempotent: bool,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """Send one request; raise the mapped exception for anything but 2xx.

        ``idempotent`` says whether running the request twice is harmless: only then is a request
        that failed after it may have reached the server sent again.
        """
        retries = 1  # one more attempt after a failure that left the request unsent or unrun
        origin = self.endpoint.origin
        while True:
            conn = self._connection_for_request()
            try:
                self.requests_sent += 1
                # The header block (it holds the API key) is never a local of this frame, which
                # tracebacks and Django's debug page would show.
                status, response_headers, data = conn.request(
                    method, path, self._header_block(headers), body
                )
            except ConnectFailed as error:
                self.close()
                if retries:
                    retries -= 1
                    continue
                raise errors.connect_failed(origin, str(error)) from None
            except NotSent as error:
                # Not a byte of the request was written: it cannot have run, whatever it is.
                self.close()
                if retries:
                    retries -= 1
                    continue
                raise errors.not_sent(origin, str(error)) from None
            except TLSFailed as error:
                self.close()
                if error.issuer_unknown and self._trust_the_complete_store():
                    continue  # the handshake failed: nothing was sent
                raise errors.tls_failed(origin, str(error)) from None
            except AnswerTimeout:
                self.close()
                raise errors.answer_timeout(
                    origin, self.read_timeout, idempotent=idempotent
                ) from None
            except MalformedResponse as error:
                # The server answered, but not in HTTP: sending again would likely get the same.
                self.close()
                raise errors.answer_malformed(origin, str(error), idempotent=idempotent) from None
            except AnswerLost as error:
                self.close()
                if idempotent and retries:
                    retries -= 1
                    continue
                raise errors.answer_lost(origin, str(error), idempotent=idempotent) from None
            self._last_used = time.monotonic()
            if self._fresh:
                self._fresh = False
                if self._ssl_context is not None and conn.connected:
                    tls.remember_session(
                        self._ssl_context, self.endpoint.origin, conn.current_tls_session
                    )
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug("%s %s%s: HTTP %s, %d bytes", method, origin, path, status, len(data))
            if response_headers.get(JWT_HEADER) or response_headers.get("set-cookie"):
                self._remember(response_headers)
            if 200 <= status < 300:
                return Response(status, data, response_headers)
            if status in (502, 504) and not idempotent:
                raise errors.gateway_failed(origin, status)
            if 300 <= status < 400:
                raise errors.redirected(status)
            raise errors.error_from_response(
                status, data, response_headers, self.dialect.database_error
            )


def _encode(headers: dict[str, str]) -> bytes:
    lines = []
    for name, value in headers.items():
        text = f"{name}: {value}"
        if "\r" in text or "\n" in text:
            raise exc.InterfaceError(f"header {name!r} contains a line break")
        lines.append(text)
    return ("\r\n".join(lines) + "\r\n").encode("latin-1")


# -- connections opened in advance -----------------------------------------------------------------
# preconnect() opens a connection (TCP, TLS) in a background thread while the process does other
# work (Django imports the project's models); the first Transport to that server in this process
# takes it instead of waiting for the handshakes' round trips. Nothing is sent on it before
# then: no request, no API key; any Transport to the same server and trust configuration may use
# it, as it would a connection it opened itself.


class _Preconnect:
    def __init__(self, key: tuple[object, ...], conn: HTTPConnection) -> None:
        self.key = key
        self.conn = conn
        self.pid = os.getpid()
        self.deadline = time.monotonic() + (conn.connect_timeout or 0.0)
        self.opened_at = 0.0
        self.connected = False
        self.thread = threading.Thread(
            target=self._connect, name="django_prisma preconnect", daemon=True
        )

    def _connect(self) -> None:
        try:
            self.conn.connect()
        except Exception as error:  # the Transport connects itself and reports the failure
            logger.debug("connecting in advance failed: %s", error)
            return
        self.opened_at = time.monotonic()
        self.connected = True


_preconnects: dict[tuple[object, ...], _Preconnect] = {}
_preconnects_lock = threading.Lock()


def _preconnect_key(
    endpoint: Endpoint, ca_bundle: str | None, ca_bundle_only: bool
) -> tuple[object, ...]:
    bundle = os.path.abspath(ca_bundle) if ca_bundle else None
    return (endpoint.host, endpoint.port, endpoint.secure, bundle, bool(ca_bundle_only))


def preconnect(
    endpoint: Endpoint,
    *,
    connect_timeout: float = 10.0,
    ca_bundle: str | None = None,
    ca_bundle_only: bool = False,
) -> bool:
    """Start opening a connection to ``endpoint`` in the background, for the first Transport to
    it in this process; False if one is already pending or the trust configuration is invalid
    (the Transport reports that when it connects)."""
    key = _preconnect_key(endpoint, ca_bundle, ca_bundle_only)
    context = None
    if endpoint.secure:
        try:
            context = tls.client_context(ca_bundle, ca_bundle_only)
        except (OSError, ValueError):
            return False
    conn = HTTPConnection(
        endpoint.host,
        endpoint.port,
        connect_timeout=connect_timeout,
        read_timeout=None,
        ssl_context=context,
        tls_session=tls.session_for(context, endpoint.origin) if context else None,
    )
    with _preconnects_lock:
        pending = _preconnects.get(key)
        if pending is not None and pending.pid == os.getpid():
            return False
        _preconnects[key] = pending = _Preconnect(key, conn)
    pending.thread.start()
    return True


def _adopt_preconnected(transport: Transport) -> HTTPConnection | None:
    """The connection opened in advance to the transport's server, if there is a usable one:
    opened by this process (not inherited through fork), connected, not closed by the server,
    and not idle for longer than the server keeps a connection."""
    if not _preconnects:
        return None
    key = _preconnect_key(transport.endpoint, transport.ca_bundle, transport.ca_bundle_only)
    with _preconnects_lock:
        pending = _preconnects.pop(key, None)
    if pending is None or pending.pid != os.getpid():
        return None
    # Still connecting: it is ahead of a connection started now (but not waited for longer than
    # its own connect timeout).
    pending.thread.join(max(0.0, pending.deadline - time.monotonic()))
    conn = pending.conn
    idle = time.monotonic() - pending.opened_at
    if (
        pending.thread.is_alive()
        or not pending.connected
        or not conn.usable_before_first_request()
        or idle > DEFAULT_ANNOUNCED_IDLE - IDLE_MARGIN - 2 * conn.connect_seconds
    ):
        if not pending.thread.is_alive():
            conn.close()
        return None
    conn.set_timeouts(transport.connect_timeout, transport.read_timeout)
    return conn


def _after_fork_in_child() -> None:
    # A forked child must never use its parent's sockets (both would write to one stream):
    # connections opened in advance are forgotten, open ones replaced at their next request.
    global _forks
    _forks += 1
    _preconnects.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
