"""A real TCP proxy between the driver and a local Prisma server that injects faults.

It speaks just enough HTTP/1.1 to find request and response boundaries: each client request is
read whole, matched against the armed faults, and (unless the fault says otherwise) forwarded on a
fresh upstream socket; the response is read whole and written back on the client's keep-alive
socket. Everything stays on loopback.
"""

from __future__ import annotations

import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

FAULTS = (
    "delay",  # forward after a pause, answer normally
    "reset_before",  # read the request, reset the client socket, never forward
    "reset_after",  # forward, let the server answer, then reset the client socket
    "truncate",  # forward, send the response head and half of its body, close
    "status",  # answer `status` (with or without body) without forwarding
    "status_after",  # forward (the server runs it), then answer `status` instead
    "stall",  # read the request, never forward, never answer
    "stall_after",  # forward, never answer
    "close_after",  # forward, answer, then close the keep-alive socket (FIN)
)

REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass
class Rule:
    fault: str
    path: re.Pattern
    method: str | None = None
    times: int = 1
    status: int = 503
    body: bytes = b""
    delay: float = 0.3
    headers: tuple = ()
    fired: int = 0

    def matches(self, method: str, path: str) -> bool:
        return (
            self.fired < self.times
            and (self.method is None or self.method == method)
            and self.path.search(path) is not None
        )


@dataclass
class Seen:
    method: str
    path: str
    fault: str | None
    forwarded: bool = False
    headers: dict = field(default_factory=dict)


def _read_head(sock: socket.socket, buffer: bytes) -> tuple[bytes, bytes] | None:
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buffer += chunk
    head, rest = buffer.split(b"\r\n\r\n", 1)
    return head, rest


def _headers(head: bytes) -> tuple[str, list[tuple[str, str]]]:
    lines = head.decode("latin-1").split("\r\n")
    pairs = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        pairs.append((name.strip(), value.strip()))
    return lines[0], pairs


def _get(pairs, name: str) -> str | None:
    for key, value in pairs:
        if key.lower() == name:
            return value
    return None


def _read_exact(sock: socket.socket, rest: bytes, length: int) -> bytes:
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return rest


def _reset(sock: socket.socket) -> None:
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


class FaultProxy:
    def __init__(self, upstream: tuple[str, int], *, host: str = "127.0.0.1", ssl_context=None):
        self.upstream = upstream
        self.rules: list[Rule] = []
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        self.ssl_context = ssl_context
        self.listener = socket.create_server((host, 0))
        self.host = host
        self.port = self.listener.getsockname()[1]
        self.stopping = threading.Event()
        self.clients: set[socket.socket] = set()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    # -- control ---------------------------------------------------------------------------
    def arm(self, fault: str, path: str = r".", method: str | None = None, **options) -> Rule:
        assert fault in FAULTS, fault
        rule = Rule(fault, re.compile(path), method, **options)
        with self.lock:
            self.rules.append(rule)
        return rule

    def disarm(self) -> None:
        with self.lock:
            self.rules.clear()

    def mark(self) -> int:
        with self.lock:
            return len(self.seen)

    def requests(self, path: str = r".", since: int = 0) -> list[Seen]:
        pattern = re.compile(path)
        with self.lock:
            return [s for s in self.seen[since:] if pattern.search(s.path)]

    def url(self, api_key: str) -> str:
        return f"prisma+postgres://{self.host}:{self.port}/?api_key={api_key}"

    def close(self) -> None:
        self.stopping.set()
        self.listener.close()
        with self.lock:
            clients = list(self.clients)
        for sock in clients:
            try:
                sock.close()
            except OSError:
                pass

    # -- serving ---------------------------------------------------------------------------
    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        if self.ssl_context is not None:
            try:
                client = self.ssl_context.wrap_socket(client, server_side=True)
            except OSError:
                client.close()
                return
        with self.lock:
            self.clients.add(client)
        buffer = b""
        try:
            while not self.stopping.is_set():
                parsed = _read_head(client, buffer)
                if parsed is None:
                    return
                head, rest = parsed
                start, pairs = _headers(head)
                method, path = start.split(" ")[:2]
                length = int(_get(pairs, "content-length") or 0)
                rest = _read_exact(client, rest, length)
                body, buffer = rest[:length], rest[length:]
                if not self._one(client, method, path, pairs, body):
                    return
        except OSError:
            return
        finally:
            with self.lock:
                self.clients.discard(client)
            try:
                client.close()
            except OSError:
                pass

    def _pick(self, method: str, path: str, pairs) -> tuple[Rule | None, Seen]:
        with self.lock:
            rule = next((r for r in self.rules if r.matches(method, path)), None)
            if rule is not None:
                rule.fired += 1
            seen = Seen(method, path, rule.fault if rule else None, headers=dict(pairs))
            self.seen.append(seen)
        return rule, seen

    def _forward(self, seen: Seen, method: str, path: str, pairs, body: bytes) -> bytes:
        """Send the request upstream on a fresh socket; the raw response (head + body)."""
        seen.forwarded = True
        lines = [f"{method} {path} HTTP/1.1"]
        lines += [f"{k}: {v}" for k, v in pairs if k.lower() not in ("connection", "keep-alive")]
        lines.append("Connection: close")
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        with socket.create_connection(self.upstream, timeout=120) as up:
            up.sendall(request)
            parsed = _read_head(up, b"")
            if parsed is None:
                raise OSError("upstream closed without answering")
            head, rest = parsed
            _, response_pairs = _headers(head)
            length = _get(response_pairs, "content-length")
            if length is not None:
                rest = _read_exact(up, rest, int(length))[: int(length)]
            else:  # chunked or close-delimited: read to the end, pass the bytes on as they are
                while chunk := up.recv(65536):
                    rest += chunk
            return head + b"\r\n\r\n" + rest

    def _stall(self, client: socket.socket, limit: float = 60.0) -> None:
        """Hold the socket open, silent, until the client gives up (bounded)."""
        client.settimeout(0.2)
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline and not self.stopping.is_set():
            try:
                if client.recv(1) == b"":
                    return
            except TimeoutError:
                continue
            except OSError:
                return

    def _one(self, client: socket.socket, method: str, path: str, pairs, body: bytes) -> bool:
        """Handle one request; False ends the client connection."""
        rule, seen = self._pick(method, path, pairs)
        fault = rule.fault if rule else None
        if fault == "reset_before":
            _reset(client)
            return False
        if fault == "stall":
            self._stall(client)
            return False
        if fault == "status":
            self._answer(client, rule)
            return True
        if fault == "delay":
            time.sleep(rule.delay)
        try:
            response = self._forward(seen, method, path, pairs, body)
        except OSError:  # server down: close, as a dead origin would
            if self.upstream_refused_resets:
                _reset(client)
            return False
        if fault == "reset_after":
            _reset(client)
            return False
        if fault == "stall_after":
            self._stall(client)
            return False
        if fault == "status_after":
            self._answer(client, rule)
            return True
        if fault == "truncate":
            head, _, rest = response.partition(b"\r\n\r\n")
            client.sendall(head + b"\r\n\r\n" + rest[: max(1, len(rest) // 2)])
            return False
        client.sendall(response)
        return fault != "close_after"

    upstream_refused_resets = True

    def _answer(self, client: socket.socket, rule: Rule) -> None:
        reason = REASONS.get(rule.status, "Error")
        head = (
            f"HTTP/1.1 {rule.status} {reason}\r\n"
            f"Content-Type: text/html\r\nContent-Length: {len(rule.body)}\r\n"
            + "".join(f"{name}: {value}\r\n" for name, value in rule.headers)
            + "Connection: keep-alive\r\n\r\n"
        )
        client.sendall(head.encode("latin-1") + rule.body)
