"""A minimal HTTP/1.1 client connection: one keep-alive socket, one ``sendall`` per request.

A DB-API connection sends one request at a time to one origin, so a pool, a proxy layer and a
general header parser are overhead: this writes the request in a single system call, reads the
status line, the headers and a ``Content-Length`` or chunked body, and reports failures in three
kinds the caller needs to tell apart (nothing was sent / the answer was lost / too slow).
"""

from __future__ import annotations

import select
import socket
import ssl


class ConnectFailed(OSError):
    """The connection could not be made: the request was certainly not sent."""


class AnswerLost(OSError):
    """The request may have been sent, but no complete answer came back."""


class AnswerTimeout(OSError):
    """The server did not answer within the read timeout (the request may have run)."""


class TLSFailed(OSError):
    """The TLS handshake failed (certificate, hostname, protocol)."""


class Headers:
    """Response headers: case-insensitive ``get`` and ``getlist`` (Set-Cookie repeats)."""

    __slots__ = ("_items",)

    def __init__(self, items: list[tuple[str, str]]):
        self._items = items

    def get(self, name: str, default=None):
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

    def items(self):
        return list(self._items)

    def keys(self):
        return [key for key, _ in self._items]

    def __iter__(self):
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


class HTTPConnection:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        connect_timeout: float | None,
        read_timeout: float | None,
        ssl_context: ssl.SSLContext | None = None,
    ):
        self.host = host
        self.port = port
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.ssl_context = ssl_context
        self._sock = None
        self._reader = None
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

    def dropped(self) -> bool:
        """Whether the idle socket was closed by the server (it became readable)."""
        sock = self._sock
        if sock is None:
            return True
        try:
            readable, _, _ = select.select([sock], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)

    def connect(self) -> None:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
        except TimeoutError as error:
            raise ConnectFailed(f"connection timed out after {self.connect_timeout} s") from error
        except OSError as error:
            raise ConnectFailed(str(error)) from error
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.ssl_context is not None:
            try:
                sock = self.ssl_context.wrap_socket(sock, server_hostname=self.host)
            except ssl.SSLError as error:
                sock.close()
                raise TLSFailed(str(error)) from error
            except OSError as error:
                sock.close()
                raise ConnectFailed(str(error)) from error
        sock.settimeout(self.read_timeout)
        self._sock = sock
        self._reader = sock.makefile("rb")

    def close(self) -> None:
        sock, reader = self._sock, self._reader
        self._sock = self._reader = None
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

    def request(self, method: str, path: str, header_block: bytes, body: bytes | None):
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
        try:
            self._sock.sendall(head + body if len(body) < 65536 else head)
            if len(body) >= 65536:
                self._sock.sendall(body)
        except OSError as error:
            self.close()
            raise AnswerLost(f"sending the request failed: {error}") from error
        try:
            return self._read_response(method)
        except TimeoutError as error:
            self.close()
            raise AnswerTimeout(str(error)) from error
        except (OSError, ValueError) as error:
            self.close()
            raise AnswerLost(str(error) or type(error).__name__) from error

    def _read_response(self, method: str):
        reader = self._reader
        status_line = reader.readline(65537)
        if not status_line:
            raise AnswerLost("the server closed the connection without answering")
        parts = status_line.split(None, 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
            raise AnswerLost(f"malformed status line {status_line[:80]!r}")
        status = int(parts[1])
        items = []
        while True:
            line = reader.readline(65537)
            if not line:
                raise AnswerLost("the connection closed inside the response headers")
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode("latin-1").partition(":")
            items.append((name.strip().lower(), value.strip()))
        headers = Headers(items)
        if status in (204, 304) or 100 <= status < 200 or method == "HEAD":
            body = b""
        elif "chunked" in (headers.get("transfer-encoding") or "").lower():
            body = self._read_chunked()
        else:
            length = headers.get("content-length")
            if length is not None:
                size = int(length)
                body = reader.read(size)
                if len(body) != size:
                    raise AnswerLost(f"the response was cut short ({len(body)} of {size} bytes)")
            else:  # the body runs until the server closes the connection
                body = reader.read()
                self.close()
                return status, headers, body
        if (headers.get("connection") or "").lower() == "close":
            self.close()
        return status, headers, body

    def _read_chunked(self) -> bytes:
        reader = self._reader
        chunks = []
        while True:
            line = reader.readline(65537)
            if not line:
                raise AnswerLost("the connection closed inside a chunked response")
            size = int(line.split(b";", 1)[0].strip(), 16)
            if size == 0:
                while reader.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            chunk = reader.read(size)
            if len(chunk) != size:
                raise AnswerLost("a chunked response was cut short")
            chunks.append(chunk)
            reader.readline(65537)
