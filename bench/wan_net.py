"""An emulated wide-area link on this machine, for bench/wan.py.

Two network namespaces of our own, a client side and a server side, joined by a TUN device in
each; a userspace loop (this kernel has no netem) moves every packet from one TUN device to the
other after holding it ``delay`` ms, so the round trip is ``2 × delay``. The server side gets
proxies whose listening sockets live in the server namespace while their upstream sockets live in
this machine's namespace (a socket belongs to the namespace it was created in): a TLS terminator
in front of Prisma's executor, plain TCP forwarders in front of PostgreSQL. They count what
crosses them (connections, TLS handshakes and resumptions, request/response rounds, and the time
the upstream server took to answer each round), in memory-mapped files that any process can read.

Only the addresses below, inside the namespaces made here, carry traffic; every loop is bounded
in time and stops when its parent dies; ``Link.close()`` (also at exit) removes everything.
"""

from __future__ import annotations

import ctypes
import fcntl
import heapq
import mmap
import os
import selectors
import signal
import socket
import ssl
import struct
import subprocess
import threading
import time
from contextlib import suppress
from multiprocessing import Process

CLIENT_ADDRESS = "10.231.0.1"
SERVER_ADDRESS = "10.231.0.2"
MAX_SECONDS = 3 * 3600  # every loop here stops by itself after this

_CLONE_NEWNET = 0x40000000
_TUNSETIFF = 0x400454CA
_IFF_TUN, _IFF_NO_PI = 0x0001, 0x1000
_libc = ctypes.CDLL("libc.so.6", use_errno=True)


def _setns(fd: int) -> None:
    if _libc.setns(fd, _CLONE_NEWNET) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"setns: {os.strerror(errno)}")


class Namespace:
    """A named network namespace (``ip netns``); ``with ns.entered():`` creates sockets in it."""

    def __init__(self, name: str):
        self.name = name
        subprocess.run(["ip", "netns", "add", name], check=True)
        self.path = f"/var/run/netns/{name}"
        self.ip("link", "set", "lo", "up")

    def ip(self, *args: str) -> None:
        subprocess.run(["ip", "-n", self.name, *args], check=True)

    def entered(self):
        return _Entered(self.path)

    def delete(self) -> None:
        subprocess.run(["ip", "netns", "del", self.name], check=False, capture_output=True)


class _Entered:
    """This thread in another namespace for the duration of a ``with`` block."""

    def __init__(self, path: str):
        self.path = path

    def __enter__(self):
        self.home = os.open(f"/proc/self/task/{threading.get_native_id()}/ns/net", os.O_RDONLY)
        target = os.open(self.path, os.O_RDONLY)
        try:
            _setns(target)
        finally:
            os.close(target)

    def __exit__(self, *exc):
        try:
            _setns(self.home)
        finally:
            os.close(self.home)


def _open_tun(name: str) -> int:
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, _TUNSETIFF, struct.pack("16sH", name.encode(), _IFF_TUN | _IFF_NO_PI))
    os.set_blocking(fd, False)
    return fd


# -- the delay loop -------------------------------------------------------------------------------
def _delay_loop(client_fd: int, server_fd: int, delay_map: mmap.mmap, parent: int) -> None:
    """Move packets between the two TUN devices, each after ``delay`` ms (read from shared
    memory at every packet, so the parent can change it between measurements)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    delay_ms = memoryview(delay_map).cast("d")
    selector = selectors.DefaultSelector()
    peer = {client_fd: server_fd, server_fd: client_fd}
    for fd in peer:
        selector.register(fd, selectors.EVENT_READ)
    queue: list = []
    sequence = 0
    deadline = time.monotonic() + MAX_SECONDS
    try:
        while time.monotonic() < deadline and os.getppid() == parent:
            timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else 0.5
            for key, _ in selector.select(timeout):
                while True:
                    try:
                        packet = os.read(key.fd, 65536)
                    except BlockingIOError:
                        break
                    sequence += 1
                    due = time.monotonic() + delay_ms[0] / 1000
                    heapq.heappush(queue, (due, sequence, peer[key.fd], packet))
            now = time.monotonic()
            while queue and queue[0][0] <= now:
                _, _, fd, packet = heapq.heappop(queue)
                with suppress(OSError):
                    os.write(fd, packet)
    finally:
        delay_ms.release()


# -- proxies ------------------------------------------------------------------------------------
STAT_FIELDS = ("connections", "tls_handshakes", "tls_resumed", "rounds", "upstream_seconds")


class Stats:
    """Counters of one proxy (doubles) in a memory-mapped file that any process can open."""

    def __init__(self, path: str, create: bool = False):
        size = 8 * len(STAT_FIELDS)
        self.path = path
        with open(path, "w+b" if create else "r+b") as file:
            if create:
                file.write(bytes(size))
                file.flush()
            self.map = mmap.mmap(file.fileno(), size)
        self.values = memoryview(self.map).cast("d")
        self.lock = threading.Lock()

    def add(self, field: str, amount: float = 1.0) -> None:
        with self.lock:
            self.values[STAT_FIELDS.index(field)] += amount

    def snapshot(self) -> dict:
        return {field: self.values[i] for i, field in enumerate(STAT_FIELDS)}

    def close(self) -> None:
        self.values.release()
        self.map.close()


def difference(after: dict, before: dict) -> dict:
    return {field: after[field] - before[field] for field in STAT_FIELDS}


def _pump_rounds(client: socket.socket, upstream: socket.socket, stats: Stats) -> None:
    """Copy both ways; a round is a burst from the client followed by the server's answer, and
    the upstream time of a round runs from the client's last byte to the server's first."""
    selector = selectors.DefaultSelector()
    selector.register(client, selectors.EVENT_READ)
    selector.register(upstream, selectors.EVENT_READ)
    last_from_client = None
    awaiting_answer = False
    deadline = time.monotonic() + MAX_SECONDS
    try:
        while time.monotonic() < deadline:
            for key, _ in selector.select(60):
                source = key.fileobj
                try:
                    data = source.recv(65536)
                except ssl.SSLWantReadError:
                    continue
                if not data:
                    return
                if source is client:
                    if not awaiting_answer:
                        stats.add("rounds")
                        awaiting_answer = True
                    last_from_client = time.monotonic()
                    upstream.sendall(data)
                else:
                    if awaiting_answer and last_from_client is not None:
                        stats.add("upstream_seconds", time.monotonic() - last_from_client)
                    awaiting_answer = False
                    client.sendall(data)
                # TLS may hold decrypted bytes that select() cannot see.
                while source is client and isinstance(client, ssl.SSLSocket) and client.pending():
                    more = client.recv(65536)
                    if not more:
                        return
                    upstream.sendall(more)
    except OSError:
        return
    finally:
        for sock in (client, upstream):
            with suppress(OSError):
                sock.close()


class Proxy:
    """Listens on ``SERVER_ADDRESS:port`` in the server namespace, forwards to
    ``127.0.0.1:upstream_port`` here; terminates TLS when given a server context."""

    def __init__(
        self, server_ns: Namespace, port: int, upstream_port: int, stats_path: str, tls=None
    ):
        self.upstream_port = upstream_port
        self.tls = tls
        self.stats = Stats(stats_path, create=True)
        with server_ns.entered():
            self.listener = socket.create_server((SERVER_ADDRESS, port), backlog=64)
        self.port = port
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        deadline = time.monotonic() + MAX_SECONDS
        while time.monotonic() < deadline:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        self.stats.add("connections")
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            if self.tls is not None:
                client = self.tls.wrap_socket(client, server_side=True)
                self.stats.add("tls_handshakes")
                if client.session_reused:
                    self.stats.add("tls_resumed")
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            with suppress(OSError):
                client.close()
            return
        _pump_rounds(client, upstream, self.stats)

    def close(self) -> None:
        with suppress(OSError):
            self.listener.close()
        self.stats.close()


class Link:
    """The two namespaces, their TUN devices and the delay loop."""

    def __init__(self, tag: str | None = None):
        tag = tag or str(os.getpid())
        self.client_ns = self.server_ns = None
        self.loop = None
        # The delay, shared with the loop's process: an anonymous shared mapping.
        self.delay_map = mmap.mmap(-1, 8)
        self.delay_ms = memoryview(self.delay_map).cast("d")
        try:
            self.client_ns = Namespace(f"dpwan-c{tag}")
            self.server_ns = Namespace(f"dpwan-s{tag}")
            fds = []
            for ns, address, peer in (
                (self.client_ns, CLIENT_ADDRESS, SERVER_ADDRESS),
                (self.server_ns, SERVER_ADDRESS, CLIENT_ADDRESS),
            ):
                with ns.entered():
                    fds.append(_open_tun("dpwan0"))
                ns.ip("addr", "add", address, "peer", peer, "dev", "dpwan0")
                ns.ip("link", "set", "dpwan0", "up")
            self.loop = Process(
                target=_delay_loop, args=(*fds, self.delay_map, os.getpid()), daemon=True
            )
            self.loop.start()
            for fd in fds:
                os.close(fd)
        except BaseException:
            self.close()
            raise

    def set_rtt(self, rtt_ms: float) -> None:
        self.delay_ms[0] = rtt_ms / 2

    def client_command(self, *argv: str) -> list[str]:
        """A command line that runs ``argv`` in the client namespace."""
        return ["ip", "netns", "exec", self.client_ns.name, *argv]

    def close(self) -> None:
        if self.loop is not None and self.loop.is_alive():
            self.loop.terminate()
            self.loop.join(5)
        for ns in (self.client_ns, self.server_ns):
            if ns is not None:
                ns.delete()
        with suppress(Exception):
            self.delay_ms.release()
            self.delay_map.close()


def make_certificates(directory: str) -> tuple[str, str, str]:
    """A throw-away CA and a server certificate for ``SERVER_ADDRESS`` (an IP SAN): returns the
    paths of the CA certificate, the server certificate and its key."""
    ca_key, ca_crt = f"{directory}/ca.key", f"{directory}/ca.crt"
    key, csr, crt = f"{directory}/server.key", f"{directory}/server.csr", f"{directory}/server.crt"
    ext = f"{directory}/server.ext"
    run = lambda *args: subprocess.run(["openssl", *args], check=True, capture_output=True)  # noqa: E731
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", ca_key, "-out", ca_crt, "-days", "2", "-subj", "/CN=django-prisma wan bench CA")  # fmt: skip
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
        "-out", csr, "-subj", f"/CN={SERVER_ADDRESS}")  # fmt: skip
    with open(ext, "w") as f:
        f.write(f"subjectAltName=IP:{SERVER_ADDRESS}\nextendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key, "-CAcreateserial",
        "-out", crt, "-days", "2", "-extfile", ext)  # fmt: skip
    return ca_crt, crt, key


def server_tls_context(crt: str, key: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.load_cert_chain(crt, key)
    return context
