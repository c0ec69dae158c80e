"""An Accelerate-cache emulator: an HTTP proxy in front of a real local Prisma server that
implements the documented cache semantics (protocol doc §3, §10). The one allowed stand-in: the
hosted cache cannot be reached from here.

* ``POST /query`` with ``cache-control: max-age=<ttl>,stale-while-revalidate=<swr>``: keyed by
  the API key and the request body. Fresh (age < ttl) → served from the cache, status ``ttl``, the
  server is not asked; stale (age < ttl + swr) → served, status ``swr``, refreshed in the
  background; otherwise → forwarded, stored, status ``miss``. Without a strategy → forwarded,
  status ``none``. ``accelerate-cache-tags`` are stored with the entry.
* ``POST /invalidate`` ``{"tags": [...]}`` or ``{"tags": "all"}`` evicts; a bad body → 400.
* Responses carry ``accelerate-cache-status``, ``last-modified`` (when the result was produced),
  ``cf-ray`` (``<id>-<region>``) and ``accelerate-signature``.
* ``cache=False`` makes it a plain server (no cache, no cache headers: Prisma Postgres without
  Accelerate, ``prisma dev``) that still counts what reaches the database.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import urllib3

from django_prisma.dbapi.url import parse_url

REGION = "EMU"
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "host",
    "proxy-connection",
    "te",
    "upgrade",
}
CACHE_REQUEST_HEADERS = {"cache-control", "accelerate-cache-tags"}


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body) if self.body else None


@dataclass
class Entry:
    status: int
    headers: list
    body: bytes
    stored: float
    tags: frozenset = field(default_factory=frozenset)


class AccelerateEmulator:
    def __init__(self, upstream_url: str, *, cache: bool = True, api_key: str | None = None):
        self.upstream = parse_url(upstream_url, api_key or "unused")
        self.cache = cache
        self.entries: dict[str, Entry] = {}
        self.requests: list[Recorded] = []  # everything received
        self.forwarded: list[Recorded] = []  # everything that reached the real server
        self.invalidations: list = []
        self.fail_invalidate: tuple[int, bytes] | None = None  # (status, body) to answer with
        self._lock = threading.Lock()
        self._refreshing: set[str] = set()
        self._http = urllib3.PoolManager(maxsize=8, retries=False)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> AccelerateEmulator:
        emulator = self

        class Handler(_Handler):
            pass

        Handler.emulator = emulator
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self._http.clear()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"prisma+postgres://localhost:{self.port}/"

    def url(self, api_key: str) -> str:
        return f"{self.base_url}?api_key={api_key}"

    # -- what the tests look at ---------------------------------------------------------------
    def queries(self, *, forwarded: bool = False) -> list[Recorded]:
        source = self.forwarded if forwarded else self.requests
        with self._lock:
            return [r for r in source if r.path == "/query"]

    @property
    def database_reads(self) -> int:
        """Autocommit ``/query`` requests that reached the real server."""
        return len(self.queries(forwarded=True))

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()
            self.forwarded.clear()
            self.invalidations.clear()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._refreshing:
                    return True
            time.sleep(0.01)
        return False

    # -- proxying -----------------------------------------------------------------------------
    def forward(self, method: str, path: str, headers: dict, body: bytes):
        clean = {
            k: v
            for k, v in headers.items()
            if k.lower() not in HOP_BY_HOP and k.lower() not in CACHE_REQUEST_HEADERS
        }
        with self._lock:
            self.forwarded.append(Recorded(method, path, dict(headers), body))
        response = self._http.request(
            method,
            f"{self.upstream.origin}{path}",
            body=body or None,
            headers=clean,
            redirect=False,
            retries=False,
            preload_content=True,
            decode_content=False,
        )
        kept = [(k, v) for k, v in response.headers.items() if k.lower() not in HOP_BY_HOP]
        return response.status, kept, response.data

    def handle(self, method: str, path: str, headers: dict, body: bytes):
        lower = {k.lower(): v for k, v in headers.items()}
        with self._lock:
            self.requests.append(Recorded(method, path, lower, body))
        if path == "/invalidate" and self.fail_invalidate is not None:
            status, text = self.fail_invalidate
            return status, [("content-type", "text/plain")], text
        if path == "/invalidate" and method == "POST" and self.cache:
            return self._invalidate(body)
        if path != "/query" or method != "POST" or not self.cache:
            return self.forward(method, path, headers, body)
        ttl, swr = parse_cache_control(lower.get("cache-control"))
        if ttl is None and swr is None:
            status, kept, data = self.forward(method, path, headers, body)
            return status, kept + self._info_headers("none", time.time(), None), data
        key = hashlib.sha256(lower.get("authorization", "").encode() + b"\0" + body).hexdigest()
        fresh, stale = ttl or 0, (ttl or 0) + (swr or 0)
        tags = frozenset(t for t in (lower.get("accelerate-cache-tags") or "").split(",") if t)
        with self._lock:
            entry = self.entries.get(key)
        now = time.time()
        if entry is not None and now - entry.stored < stale:
            state = "ttl" if now - entry.stored < fresh else "swr"
            if state == "swr":
                self._refresh(key, method, path, headers, body, tags)
            return (
                entry.status,
                entry.headers + self._info_headers(state, entry.stored, key),
                entry.body,
            )
        status, kept, data = self.forward(method, path, headers, body)
        if status == 200 and stale > 0:
            with self._lock:
                self.entries[key] = Entry(status, kept, data, now, tags)
        return status, kept + self._info_headers("miss", now, key), data

    def _refresh(self, key, method, path, headers, body, tags) -> None:
        with self._lock:
            if key in self._refreshing:
                return
            self._refreshing.add(key)

        def run():
            try:
                started = time.time()
                status, kept, data = self.forward(method, path, headers, body)
                if status == 200:
                    with self._lock:
                        if key in self.entries:  # not invalidated meanwhile
                            self.entries[key] = Entry(status, kept, data, started, tags)
            finally:
                with self._lock:
                    self._refreshing.discard(key)

        threading.Thread(target=run, daemon=True).start()

    def _invalidate(self, body: bytes):
        try:
            tags = json.loads(body)["tags"]
        except (ValueError, KeyError, TypeError):
            tags = None
        valid = tags == "all" or (
            isinstance(tags, list) and tags and all(isinstance(t, str) and t for t in tags)
        )
        if not valid:
            return 400, [("content-type", "text/plain")], b"Invalid input"
        with self._lock:
            self.invalidations.append(tags)
            if tags == "all":
                self.entries.clear()
            else:
                wanted = set(tags)
                for key in [k for k, e in self.entries.items() if e.tags & wanted]:
                    del self.entries[key]
        return 200, [("content-type", "application/json")], b"{}"

    @staticmethod
    def _info_headers(status: str, stored: float, key: str | None) -> list:
        stamp = format_datetime(datetime.fromtimestamp(stored, UTC), usegmt=True)
        headers = [
            ("accelerate-cache-status", status),
            ("cf-ray", f"{secrets.token_hex(8)}-{REGION}"),
        ]
        if status != "none":
            headers.append(("last-modified", stamp))
        if key is not None:
            headers.append(("accelerate-signature", key[:32]))
        return headers


def parse_cache_control(value: str | None) -> tuple[int | None, int | None]:
    """(max-age, stale-while-revalidate) of a request's cache-control header."""
    found = {}
    for part in (value or "").split(","):
        name, _, number = part.strip().partition("=")
        if number.strip().isdigit():
            found[name.strip().lower()] = int(number)
    return found.get("max-age"), found.get("stale-while-revalidate")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    emulator: AccelerateEmulator

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass

    def _serve(self):
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            status, headers, data = self.emulator.handle(
                self.command, self.path, dict(self.headers.items()), body
            )
        except Exception as error:  # the upstream is down or broke the connection
            status, headers, data = 502, [("content-type", "text/plain")], str(error).encode()
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _serve
