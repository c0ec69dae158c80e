"""A minimal, strict HTTP/1.1 client connection: one keep-alive socket, one write per request.

A DB-API connection sends one request at a time to one origin, so a pool, a proxy layer and a
general header parser are overhead: this writes the request in a single system call, reads the
status line, the headers and a ``Content-Length`` or chunked body, and reports failures in the
kinds the caller needs to tell apart (not sent at all / the answer was lost / too slow / the
answer was not valid HTTP).

Framing is parsed as strictly as h11 does: a response whose length is ambiguous (a
``Content-Length`` that is not plain digits, two lengths, a length next to
``Transfer-Encoding``, a malformed chunk) could make the next response on the same socket be
read from the middle of this one, so it is refused and the connection discarded.
"""

from __future__ import annotations

import functools
import select
import socket
import ssl
import time
from collections.abc import Iterator
from io import BufferedReader

MAX_LINE = 65536
MAX_HEADERS = 256
# Checked with bytes methods, not regular expressions: compiling those cost half a millisecond
# of every process's first query.
_TOKEN_CHARS = b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_HEX_CHARS = b"0123456789ABCDEFabcdef"
_WHITESPACE = " \t\n\r\x0b\x0c"  # what \s matches in a bytes pattern
# X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, _DEPTH_ZERO_SELF_SIGNED_CERT, _SELF_SIGNED_CERT_IN_CHAIN,
# _UNABLE_TO_GET_ISSUER_CERT_LOCALLY, _UNABLE_TO_VERIFY_LEAF_SIGNATURE
ISSUER_UNKNOWN = frozenset({2, 18, 19, 20, 21})


class ConnectFailed(OSError):
    """The connection could not be made: the request was certainly not sent."""


class NotSent(OSError):
    """The connection failed before a single byte of the request was written to it."""


class AnswerLost(OSError):
    """The request may have been sent, but no complete answer came back."""


class AnswerTimeout(OSError):
    """The server did not answer within the read timeout (the request may have run)."""


class MalformedResponse(AnswerLost):
    """The server's answer is not valid HTTP/1.1 framing (the request may have run)."""


class TLSFailed(OSError):
    """The TLS handshake failed (certificate, hostname, protocol)."""

    def __init__(self, message: str, *, issuer_unknown: bool = False) -> None:
        super().__init__(message)
        # The certificate chain leads to no CA of the trust store in use (another store may
        # know it); not a wrong host name, an expired certificate, a protocol failure.
        self.issuer_unknown = issuer_unknown


class Headers:
    """Response headers: case-insensitive ``get`` and ``getlist`` (Set-Cookie repeats)."""

    __slots__ = ("_items",)

    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._items = items

    def get(self, name: str, default: str | None = None) -> str | None:
        name = name.lower()
        for key, value in self._items:
            if key == name:
                return value
        return default

    def getlist(self, name: str) -> list[str]:
        name = name.lower()
        return [value for key, value in self._items if key == name]

    def __contains__(self, name: str) -> bool:
        return self.get(name) is not None

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def items(self) -> list[tuple[str, str]]:
        return list(self._items)

    def keys(self) -> list[str]:
        return [key for key, _ in self._items]

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


def _readable_now(sock: socket.socket) -> bool:
    """Whether ``sock`` has something to read (data, EOF, a reset) without waiting.

    ``select.select`` refuses descriptors ≥ 1024 (FD_SETSIZE), which a process with many open
    files hands out; ``poll`` has no such limit.
    """
    if isinstance(sock, ssl.SSLSocket) and sock.pending():
        return True
    poller = select.poll()
    poller.register(sock, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


class HTTPConnection:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        connect_timeout: float | None,
        read_timeout: float | None,
        ssl_context: ssl.SSLContext | None = None,
        tls_session: ssl.SSLSession | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.ssl_context = ssl_context
        self.tls_session = tls_session
        self.session_reused: bool | None = False
        self.keep_alive_timeout: float | None = None  # as the last response announced it
        self.connect_seconds = 0.0  # the TCP handshake: about one round trip
        self._sock: socket.socket | None = None
        self._reader: BufferedReader | None = None
        # An ASCII name as bytes: the socket and ssl modules pass it on as it is, where a str
        # goes through the "idna" codec (and its import, ~0.7 ms on a process's first query).
        self._host_name: str | bytes = host.encode("ascii") if host.isascii() else host
        host_header = f"[{host}]" if ":" in host else host
        default_port = 443 if ssl_context else 80
        self._host_line = (
            f"Host: {host_header}\r\n"
            if port == default_port
            else f"Host: {host_header}:{port}\r\n"
        ).encode("latin-1")

    @property
    def connected(self) -> bool:
        return self._sock is not None

    @property
    def current_tls_session(self) -> ssl.SSLSession | None:
        """The TLS session to resume on a next connection (TLS 1.3 tickets arrive after the
        handshake, so this is read after a response)."""
        sock = self._sock
        return sock.session if isinstance(sock, ssl.SSLSocket) else None

    def dropped(self) -> bool:
        """Whether the idle socket was closed by the server (it became readable: EOF or RST;
        data nobody asked for makes the socket unusable just the same)."""
        sock = self._sock
        if sock is None:
            return True
        try:
            return _readable_now(sock)
        except (OSError, ValueError):
            return True

    def usable_before_first_request(self) -> bool:
        """For a connection that has sent nothing yet: take in what the server sent after the
        handshake (TLS 1.3 session tickets, which make the socket readable, so ``dropped`` would
        misread them) and say whether it is still open with nothing unasked-for to read."""
        sock = self._sock
        if not isinstance(sock, ssl.SSLSocket):
            return not self.dropped()
        timeout = sock.gettimeout()
        try:
            sock.setblocking(False)
            sock.recv(1)  # returns only at EOF or with data nobody asked for
        except ssl.SSLWantReadError:
            return True  # nothing more to read: the tickets (if any) were processed
        except (OSError, ValueError):
            return False
        finally:
            if self._sock is not None:
                sock.settimeout(timeout)
        return False

    def set_timeouts(self, connect_timeout: float | None, read_timeout: float | None) -> None:
        """Change the timeouts, also of the socket if connected."""
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        if self._sock is not None:
            self._sock.settimeout(read_timeout)

    def connect(self) -> None:
        started = time.monotonic()
        try:
            # (typeshed says str; the socket module takes bytes for a host name as well)
            address = (self._host_name, self.port)
            sock = socket.create_connection(address, timeout=self.connect_timeout)  # type: ignore[arg-type]
        except TimeoutError as error:
            raise ConnectFailed(f"connection timed out after {self.connect_timeout} s") from error
        except OSError as error:
            raise ConnectFailed(str(error)) from error
        self.connect_seconds = time.monotonic() - started
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.ssl_context is not None:
            sock = self._start_tls(self.ssl_context, sock)
        sock.settimeout(self.read_timeout)
        self._sock = sock
        self._reader = sock.makefile("rb")

    def _start_tls(self, context: ssl.SSLContext, sock: socket.socket) -> ssl.SSLSocket:
        try:
            tls = context.wrap_socket(
                sock,
                server_hostname=self._host_name,  # bytes: see __init__
                session=self.tls_session,
            )
        except ssl.SSLError as error:
            sock.close()
            unknown = getattr(error, "verify_code", None) in ISSUER_UNKNOWN
            raise TLSFailed(str(error), issuer_unknown=unknown) from error
        except OSError as error:
            sock.close()
            raise ConnectFailed(str(error)) from error
        self.session_reused = tls.session_reused
        return tls

    def close(self) -> None:
        sock, reader = self._sock, self._reader
        self._sock = None
        self._reader = None
        if reader is not None:
            try:
                reader.close()
            except OSError:
                pass
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass

    def request(
        self, method: str, path: str, header_block: bytes, body: bytes | None
    ) -> tuple[int, Headers, bytes]:
        """Send one request and read its response: (status, headers, body bytes).

        ``header_block`` is the encoded ``Name: value\\r\\n`` lines, without Host and length.
        """
        if self._sock is None:
            self.connect()
        body = body or b""
        head = b"%s %s HTTP/1.1\r\n%s%sContent-Length: %d\r\n\r\n" % (
            method.encode("ascii"),
            path.encode("ascii"),
            self._host_line,
            header_block,
            len(body),
        )
        self._send(head + body if len(body) < 65536 else head, body if len(body) >= 65536 else b"")
        try:
            return self._read_response(method)
        except TimeoutError as error:
            self.close()
            raise AnswerTimeout(str(error)) from error
        except (OSError, ValueError) as error:
            self.close()
            if isinstance(error, AnswerLost):
                raise
            raise AnswerLost(str(error) or type(error).__name__) from error

    def _send(self, first: bytes, rest: bytes) -> None:
        # The first send() tells "nothing written" (a socket the server already closed or
        # reset: safe to send again elsewhere) from "some bytes left" (the server may have the
        # whole request).
        sock = self._sock
        if sock is None:
            raise NotSent("the connection is closed")
        try:
            written = sock.send(first)
        except OSError as error:
            self.close()
            raise NotSent(f"sending the request failed: {error}") from error
        try:
            if written < len(first):
                sock.sendall(memoryview(first)[written:])
            if rest:
                sock.sendall(rest)
        except OSError as error:
            self.close()
            raise AnswerLost(f"sending the request failed: {error}") from error

    def _connected_reader(self) -> BufferedReader:
        reader = self._reader
        if reader is None:  # closed on the way (a response read to its end, or a failure)
            raise AnswerLost("the connection is closed")
        return reader

    def _read_response(self, method: str) -> tuple[int, Headers, bytes]:
        status, version, items = self._read_head()
        while 100 <= status < 200:  # interim answers (100 Continue, 103 Early Hints)
            if status == 101:
                raise MalformedResponse("the server switched protocols (HTTP 101)")
            status, version, items = self._read_head()
        framing = _Framing(items)
        if status in (204, 304) or method == "HEAD":
            body = b""
        elif framing.chunked:
            body = self._read_chunked()
        elif framing.length is None:  # the body runs until the server closes the connection
            body = self._connected_reader().read()
            self.close()
            return status, Headers(items), body
        else:
            body = self._connected_reader().read(framing.length)
            if len(body) != framing.length:
                raise AnswerLost(
                    f"the response was cut short ({len(body)} of {framing.length} bytes)"
                )
        if framing.keeps_alive(version):
            self.keep_alive_timeout = framing.idle_timeout()
        else:
            self.close()
        return status, Headers(items), body

    def _read_head(self) -> tuple[int, int, list[tuple[str, str]]]:
        line = self._connected_reader().readline(MAX_LINE + 1)
        if not line:
            raise AnswerLost("the server closed the connection without answering")
        if not line.endswith(b"\n") and len(line) <= MAX_LINE:
            raise AnswerLost("the connection closed inside the status line")
        status, version = _status_line(line)
        return status, version, self._read_fields("headers")

    def _read_fields(self, where: str) -> list[tuple[str, str]]:
        """Header (or trailer) lines up to the empty line, validated like h11 does."""
        block = self._buffered_block()
        if block is not None:  # the usual case: validate and split the whole block at once
            return _parse_block(block, where) if block else []
        items: list[tuple[str, str]] = []
        reader = self._connected_reader()
        while True:
            line = reader.readline(MAX_LINE + 1)
            if not line:
                raise AnswerLost(f"the connection closed inside the response {where}")
            if line in (b"\r\n", b"\n"):
                return items
            if not line.endswith(b"\n"):
                if len(line) <= MAX_LINE:
                    raise AnswerLost(f"the connection closed inside the response {where}")
                raise MalformedResponse(f"a response {where} line is too long")
            if len(items) >= MAX_HEADERS:
                raise MalformedResponse(f"more than {MAX_HEADERS} response {where} lines")
            items.append(_parse_field(line.rstrip(b"\r\n"), where))

    def _buffered_block(self) -> bytes | None:
        """The header lines (without the final empty line) if all of them already arrived,
        consumed from the reader; else None, and nothing is consumed."""
        reader = self._connected_reader()
        buffered = reader.peek(MAX_LINE)
        if buffered.startswith(b"\r\n"):
            reader.read(2)
            return b""
        end = buffered.find(b"\r\n\r\n")
        if end < 0:
            return None
        return reader.read(end + 4)[:end]

    def _read_chunked(self) -> bytes:
        reader = self._connected_reader()
        chunks: list[bytes] = []
        while True:
            line = reader.readline(MAX_LINE + 1)
            if not line:
                raise AnswerLost("the connection closed inside a chunked response")
            size_field = line.rstrip(b"\r\n").split(b";", 1)[0].rstrip(b" \t")
            if not line.endswith(b"\n") or not _is_hex(size_field):
                raise MalformedResponse(f"malformed chunk size line {line[:80]!r}")
            size = int(size_field, 16)
            if size == 0:
                self._read_fields("trailers")
                return b"".join(chunks)
            chunk = reader.read(size)
            if len(chunk) != size:
                raise AnswerLost("a chunked response was cut short")
            chunks.append(chunk)
            end = reader.readline(3)
            if end not in (b"\r\n", b"\n"):
                if not end:
                    raise AnswerLost("a chunked response was cut short")
                raise MalformedResponse("a chunk is longer than its announced size")


def _status_line(line: bytes) -> tuple[int, int]:
    """(status, minor version) of ``HTTP/1.x NNN[ reason]`` ended by LF or CRLF; anything else
    is refused."""
    text = line[:-2] if line.endswith(b"\r\n") else line[:-1] if line.endswith(b"\n") else b""
    code = text[9:12]
    if (
        text[:7] != b"HTTP/1."
        or text[7:8] not in (b"0", b"1")
        or text[8:9] != b" "
        or len(code) != 3
        or not code.isdigit()  # bytes.isdigit: ASCII digits only
        or (len(text) > 12 and text[12:13] != b" ")
        or b"\r" in text
        or b"\n" in text
    ):
        raise MalformedResponse(f"malformed status line {line[:80]!r}")
    return int(code), int(text[7:8])


def _is_token(name: bytes) -> bool:
    return bool(name) and not name.translate(None, _TOKEN_CHARS)


def _is_hex(field: bytes) -> bool:
    return 0 < len(field) <= 15 and not field.translate(None, _HEX_CHARS)


def _parse_block(block: bytes, where: str) -> list[tuple[str, str]]:
    if block.count(b"\n") >= MAX_HEADERS:
        raise MalformedResponse(f"more than {MAX_HEADERS} response {where} lines")
    return [_parse_field(line, where) for line in block.split(b"\r\n")]


def _parse_field(line: bytes, where: str) -> tuple[str, str]:
    """``name: value`` (no CR/LF) → (lower-case name, value); anything else is refused, also a
    continuation line (obsolete folding) or a space before the colon."""
    name, colon, value = line.partition(b":")
    if not colon or not _is_token(name) or b"\r" in value or b"\n" in value or b"\0" in value:
        raise MalformedResponse(f"malformed response {where} line {line[:80]!r}")
    return name.decode("ascii").lower(), value.strip(b" \t").decode("latin-1")


class _Framing:
    """What the headers say about the body's length and the connection's reuse; a response
    whose length could be read in two ways (RFC 9112 §6.3) is refused."""

    __slots__ = ("length", "chunked", "connection", "keep_alive")

    def __init__(self, items: list[tuple[str, str]]):
        lengths = []
        encodings = []
        self.connection = []
        self.keep_alive = None
        for name, value in items:
            if name == "content-length":
                lengths.append(value)
            elif name == "transfer-encoding":
                encodings.append(value)
            elif name == "connection":
                self.connection.append(value)
            elif name == "keep-alive":
                self.keep_alive = value
        self.length = _one_length(lengths)
        self.chunked = bool(encodings)
        if encodings:
            if lengths:
                raise MalformedResponse(
                    "the response has both Content-Length and Transfer-Encoding"
                )
            if len(encodings) > 1 or encodings[0].strip().lower() != "chunked":
                raise MalformedResponse(
                    f"unsupported Transfer-Encoding {', '.join(encodings)[:40]!r} (only chunked)"
                )

    def keeps_alive(self, version: int) -> bool:
        if version == 1 and self.connection in ([], ["keep-alive"]):
            return True
        tokens = {
            token.strip().lower()
            for value in self.connection
            for token in value.split(",")
            if token.strip()
        }
        if "close" in tokens:
            return False
        return version == 1 or "keep-alive" in tokens

    def idle_timeout(self) -> float | None:
        """``Keep-Alive: timeout=N``: how long the server promises to keep an idle connection."""
        return _timeout_parameter(self.keep_alive) if self.keep_alive else None


def _one_length(lengths: list[str]) -> int | None:
    if not lengths:
        return None
    if len(lengths) > 1:
        raise MalformedResponse(f"the response has {len(lengths)} Content-Length headers")
    length = lengths[0]
    if not (length.isascii() and length.isdigit() and len(length) <= 18):
        raise MalformedResponse(f"invalid Content-Length {lengths[0][:40]!r}")
    return int(lengths[0])


@functools.lru_cache(maxsize=16)  # a server sends the same value every time
def _timeout_parameter(value: str) -> float | None:
    """The ``timeout`` parameter: the word after the start or a ``,``, ``;`` or whitespace,
    ``=`` (whitespace around it allowed), 1 to 6 digits ended by the end, ``,``, ``;`` or
    whitespace; case-insensitive."""
    text = value.lower()
    start = text.find("timeout")
    while start >= 0:
        if start == 0 or text[start - 1] in ",;" + _WHITESPACE:
            rest = text[start + 7 :].lstrip(_WHITESPACE)
            if rest.startswith("="):
                rest = rest[1:].lstrip(_WHITESPACE)
                digits = rest[: len(rest) - len(rest.lstrip("0123456789"))]
                end = rest[len(digits) : len(digits) + 1]
                if 1 <= len(digits) <= 6 and (not end or end in ",;" + _WHITESPACE):
                    return float(digits)
        start = text.find("timeout", start + 1)
    return None
