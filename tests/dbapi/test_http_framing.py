"""Strict HTTP framing and socket liveness, against a scripted TCP server and the executor.

The scripted server answers each request with raw bytes chosen by the test, so responses no
real server would send (ambiguous lengths, broken chunks) can be fed to the driver.
"""

from __future__ import annotations

import os
import resource
import select
import socket
import struct
import threading

import pytest

from django_prisma import dbapi
from django_prisma.dbapi import parse_url
from django_prisma.dbapi.http import HTTPConnection
from django_prisma.dbapi.transport import Transport

OK = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}'


class ScriptedServer:
    """Answers request *n* (counted over all connections) with ``answers[n]`` (the last one
    repeats); ``reset_after_answer`` resets each connection right after answering."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.requests = []
        self.connections = 0
        self.reset_after_answer = False
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self.url = f"prisma+postgres://127.0.0.1:{self.port}/?api_key=scripted"
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def _accept(self):
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, client):
        client.settimeout(10)
        buffer = b""
        with client:
            while not self._stop.is_set():
                while b"\r\n\r\n" not in buffer:
                    try:
                        data = client.recv(65536)
                    except OSError:
                        return
                    if not data:
                        return
                    buffer += data
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                while len(buffer) < length:
                    buffer += client.recv(65536)
                self.requests.append((head.split(b"\r\n", 1)[0], buffer[:length]))
                buffer = buffer[length:]
                index = min(len(self.requests), len(self.answers)) - 1
                client.sendall(self.answers[index])
                if self.reset_after_answer:
                    # SO_LINGER 0: close() sends a reset instead of a FIN.
                    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return

    def close(self):
        self._stop.set()
        self._listener.close()
        for thread in self._threads:
            thread.join(timeout=5)


@pytest.fixture
def scripted():
    servers = []

    def make(*answers):
        server = ScriptedServer(answers)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()


def transport_for(server) -> Transport:
    return Transport(parse_url(server.url), connect_timeout=5, read_timeout=5)


def response(head: bytes, body: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\n" + head + b"\r\n\r\n" + body


MALFORMED = {
    "negative length": response(b"Content-Length: -1", b"{}"),
    "underscore in length": response(b"Content-Length: 1_0", b"0123456789"),
    "plus sign in length": response(b"Content-Length: +2", b"{}"),
    "spaces inside the length": response(b"Content-Length: 1 0", b"0123456789"),
    "hex length": response(b"Content-Length: 0x2", b"{}"),
    "list of lengths": response(b"Content-Length: 2, 2", b"{}"),
    "duplicate lengths": response(b"Content-Length: 2\r\nContent-Length: 2", b"{}"),
    "conflicting lengths": response(b"Content-Length: 2\r\nContent-Length: 3", b"{}x"),
    "length and chunked": response(
        b"Content-Length: 2\r\nTransfer-Encoding: chunked", b"2\r\n{}\r\n0\r\n\r\n"
    ),
    "unknown transfer coding": response(b"Transfer-Encoding: gzip, chunked", b"0\r\n\r\n"),
    "chunk size not hex": response(b"Transfer-Encoding: chunked", b"zz\r\n{}\r\n0\r\n\r\n"),
    "negative chunk size": response(b"Transfer-Encoding: chunked", b"-2\r\n{}\r\n0\r\n\r\n"),
    "chunk longer than announced": response(b"Transfer-Encoding: chunked", b"1\r\n{}\r\n0\r\n\r\n"),
    "folded header line": response(b"Content-Length: 2\r\nX-A: b\r\n  folded", b"{}"),
    "space before the colon": response(b"Content-Length : 2", b"{}"),
    "status code of four digits": b"HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\n{}",
    "not HTTP/1": b"HTTP/2 200 OK\r\nContent-Length: 2\r\n\r\n{}",
    "not HTTP at all": b"SSH-2.0-OpenSSH_9.6\r\n",
    "switching protocols": b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n",
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_framing_is_refused_and_the_connection_discarded(scripted, case):
    server = scripted(MALFORMED[case], OK)
    transport = transport_for(server)
    with pytest.raises(dbapi.OperationalError) as info:
        transport.request("GET", "/health", idempotent=True)
    assert type(info.value) is dbapi.OperationalError
    assert "malformed HTTP response" in str(info.value)
    assert len(server.requests) == 1  # an answer came: never sent again
    assert transport._conn is None
    # The next request gets a new connection and a clean answer.
    assert transport.request("GET", "/health", idempotent=True).body == b'{"ok":true}'
    assert transport.connections_opened == 2
    transport.close()


def test_malformed_answer_to_a_write_is_an_unknown_outcome(scripted):
    server = scripted(MALFORMED["conflicting lengths"], OK)
    transport = transport_for(server)
    with pytest.raises(dbapi.OutcomeUnknown, match="malformed HTTP response"):
        transport.request("POST", "/query", b"{}", idempotent=False)
    assert len(server.requests) == 1
    transport.close()


def test_chunked_responses_are_decoded_and_the_connection_kept(scripted):
    chunked = response(
        b"Transfer-Encoding: chunked\r\nContent-Type: application/json",
        b'4;name=value\r\n{"ok\r\nA\r\n":"chunked\r\n1  \r\n}\r\n0\r\nX-Trailer: 1\r\n\r\n',
    )
    server = scripted(chunked, chunked, OK)
    transport = transport_for(server)
    for _ in range(2):
        assert transport.request("GET", "/health", idempotent=True).body == b'{"ok":"chunked}'
    assert transport.request("GET", "/health", idempotent=True).body == b'{"ok":true}'
    assert transport.connections_opened == 1
    assert server.connections == 1
    transport.close()


def test_interim_responses_are_skipped(scripted):
    server = scripted(b"HTTP/1.1 100 Continue\r\n\r\n" + OK)
    transport = transport_for(server)
    assert transport.request("GET", "/health", idempotent=True).body == b'{"ok":true}'
    transport.close()


def test_connection_close_is_honoured(scripted):
    closing = b"HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 2\r\n\r\n{}"
    server = scripted(closing)
    transport = transport_for(server)
    for _ in range(3):
        assert transport.request("GET", "/health", idempotent=True).body == b"{}"
    assert transport.connections_opened == 3
    transport.close()


def test_keep_alive_timeout_is_read_from_the_response(scripted):
    server = scripted(response(b"Keep-Alive: timeout=30, max=100\r\nContent-Length: 2", b"{}"))
    transport = transport_for(server)
    transport.request("GET", "/health", idempotent=True)
    assert transport._conn.keep_alive_timeout == 30.0
    assert 29 < transport.idle_limit(transport._conn) < 30
    transport.close()


def test_a_write_on_a_connection_reset_before_sending_is_sent_again(scripted, monkeypatch):
    """The server resets the idle connection; the reset arrives after the liveness check (here:
    the check is made to miss it) and the send fails before a byte is written: nothing reached
    the server, so even a write goes again on a new connection."""
    server = scripted(OK)
    server.reset_after_answer = True
    transport = transport_for(server)
    transport.request("POST", "/query", b"{}", idempotent=False)
    conn = transport._conn
    poller = select.poll()
    poller.register(conn._sock, select.POLLIN)
    assert poller.poll(5000), "the reset did not arrive"
    monkeypatch.setattr(HTTPConnection, "dropped", lambda self: False)
    assert transport.request("POST", "/query", b"{}", idempotent=False).body == b'{"ok":true}'
    assert len(server.requests) == 2  # the first write and the second, each once
    assert transport.connections_opened == 2
    transport.close()


def test_a_connection_closed_by_the_server_is_replaced_before_sending(scripted):
    server = scripted(OK)
    server.reset_after_answer = True
    transport = transport_for(server)
    transport.request("POST", "/query", b"{}", idempotent=False)
    poller = select.poll()
    poller.register(transport._conn._sock, select.POLLIN)
    assert poller.poll(5000)
    assert transport._conn.dropped()
    transport.request("POST", "/query", b"{}", idempotent=False)
    assert len(server.requests) == 2
    assert transport.connections_opened == 2
    transport.close()


@pytest.fixture
def many_open_files():
    """1,100 open descriptors, so that the driver's sockets get numbers above 1024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 1300:
        if hard != resource.RLIM_INFINITY and hard < 1300:
            pytest.skip(f"the descriptor limit ({hard}) is below 1,300")
        resource.setrlimit(resource.RLIMIT_NOFILE, (1300, hard))
    descriptors = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    yield
    for fd in descriptors:
        os.close(fd)
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_keep_alive_works_with_descriptors_above_1024(executor_server, many_open_files):
    conn = dbapi.connect(executor_server.url, autocommit=True)
    cur = conn.cursor()
    cur.results_exact = True  # int results: no one-time description request (dbapi/describe.py)
    for i in range(50):
        cur.execute("SELECT %s::int", [i])
        assert cur.fetchone() == (i,)
    assert conn.transport._conn._sock.fileno() >= 1024
    assert conn.transport.requests_sent == 50
    assert conn.transport.connections_opened == 1
    conn.close()
