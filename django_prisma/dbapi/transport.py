"""One HTTP session per DB-API connection: a keep-alive socket, headers, cookies, safe retries."""

from __future__ import annotations

import platform
import ssl
import time
from http.cookies import SimpleCookie

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

from . import exceptions as exc
from .errors import error_from_response
from .url import Endpoint

VERSION = "0.1.0"
USER_AGENT = (
    f"django-prisma/{VERSION} (Python {platform.python_version()}; urllib3 {urllib3.__version__})"
)
DEFAULT_ENGINE_HASH = "7.2.0"
JWT_HEADER = "accelerate-query-engine-jwt"


class Response:
    __slots__ = ("status", "body", "headers")

    def __init__(self, status: int, body: bytes, headers):
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
        keepalive_idle: float = 4.0,
        user_agent: str | None = None,
    ):
        self.endpoint = endpoint
        self.timeout = urllib3.Timeout(connect=connect_timeout, read=read_timeout)
        self.keepalive_idle = keepalive_idle
        self.ca_bundle = ca_bundle
        self._base_headers = {
            "Authorization": f"Bearer {endpoint.api_key}",
            "Prisma-Engine-Hash": engine_hash,
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": user_agent or USER_AGENT,
        }
        self._cookies: dict[str, str] = {}
        self._jwt: str | None = None
        self._pool = None
        self._last_used = 0.0
        self.requests_sent = 0

    def __repr__(self) -> str:
        return f"<Transport {self.endpoint.origin}>"

    def _new_pool(self):
        ep = self.endpoint
        if ep.secure:
            context = ssl.create_default_context(cafile=self.ca_bundle)
            return urllib3.HTTPSConnectionPool(
                ep.host,
                ep.port,
                maxsize=1,
                block=False,
                retries=False,
                timeout=self.timeout,
                ssl_context=context,
                cert_reqs="CERT_REQUIRED",
            )
        return urllib3.HTTPConnectionPool(
            ep.host, ep.port, maxsize=1, block=False, retries=False, timeout=self.timeout
        )

    def _pool_for_request(self):
        # Servers close idle keep-alive sockets (prisma dev: after 5 s); a request written into a
        # socket the server is closing may or may not run, so never reuse one that old.
        if self._pool is None or time.monotonic() - self._last_used > self.keepalive_idle:
            self.close()
            self._pool = self._new_pool()
        return self._pool

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    def _headers(self, extra) -> dict:
        headers = dict(self._base_headers)
        if self._cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self._cookies.items())
        if self._jwt:
            headers["Accelerate-Query-Engine-Jwt"] = self._jwt
        if extra:
            headers.update(extra)
        return headers

    def _remember(self, headers) -> None:
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
        headers: dict | None = None,
    ) -> Response:
        """Send one request; raise the mapped exception for anything but 2xx.

        ``idempotent`` says whether running the request twice is harmless: only then is a request
        that failed after it may have reached the server sent again.
        """
        attempts = 2
        for attempt in range(attempts):
            pool = self._pool_for_request()
            try:
                self.requests_sent += 1
                raw = pool.urlopen(
                    method,
                    path,
                    body=body,
                    headers=self._headers(headers),
                    redirect=False,
                    retries=False,
                    preload_content=True,
                    assert_same_host=False,
                )
            except (NewConnectionError, ConnectTimeoutError) as error:
                self.close()
                if attempt + 1 < attempts:
                    continue
                raise exc.OperationalError(
                    f"cannot connect to the Prisma server at {self.endpoint.origin}: "
                    f"{_reason(error)}"
                ) from None
            except SSLError as error:
                self.close()
                raise exc.OperationalError(
                    f"TLS failure talking to {self.endpoint.origin}: {_reason(error)}"
                ) from None
            except ReadTimeoutError:
                self.close()
                if idempotent:
                    raise exc.OperationalError(
                        f"the Prisma server at {self.endpoint.origin} did not answer within "
                        f"{self.timeout.read_timeout} s"
                    ) from None
                raise exc.OutcomeUnknown(
                    f"the Prisma server at {self.endpoint.origin} did not answer within "
                    f"{self.timeout.read_timeout} s; the statement may or may not have run, "
                    "so it was not retried"
                ) from None
            except (ProtocolError, HTTPError) as error:
                self.close()
                if idempotent and attempt + 1 < attempts:
                    continue
                if idempotent:
                    raise exc.OperationalError(
                        f"the connection to the Prisma server at {self.endpoint.origin} failed: "
                        f"{_reason(error)}"
                    ) from None
                raise exc.OutcomeUnknown(
                    f"the connection to the Prisma server at {self.endpoint.origin} failed after "
                    f"the request was sent ({_reason(error)}); it may or may not have run, so "
                    "it was not retried"
                ) from None
            self._last_used = time.monotonic()
            self._remember(raw.headers)
            if 200 <= raw.status < 300:
                return Response(raw.status, raw.data, raw.headers)
            if raw.status in (502, 504) and not idempotent:
                # A gateway's "bad gateway" / "gateway timeout" may come after the origin ran the
                # request: for a write that is an unknown outcome, not a clean failure.
                raise exc.OutcomeUnknown(
                    f"the Prisma server at {self.endpoint.origin} answered HTTP {raw.status} "
                    "(a gateway failure); the statement may or may not have run, so it was not "
                    "retried",
                    http_status=raw.status,
                )
            if 300 <= raw.status < 400:
                raise exc.OperationalError(
                    f"the Prisma server answered a redirect (HTTP {raw.status}); redirects are "
                    "not followed, so that the API key is never sent elsewhere"
                )
            raise error_from_response(raw.status, raw.data, raw.headers)
        raise AssertionError("unreachable")


def _reason(error: BaseException) -> str:
    reason = getattr(error, "reason", None) or error
    text = str(reason)
    # urllib3 messages name the pool object; keep only what helps the user.
    return text.split(": ", 1)[-1] if "HTTPConnection" in text else text
