"""HTTP hygiene: keep-alive reuse, idle sockets, errors that leak no key, headers, redirects, TLS.

Where the local Prisma servers cannot show a behaviour (cookies, redirects, TLS), a small
recording proxy sits in front of a real server and forwards every request to it unchanged."""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import urllib3

from django_prisma import dbapi
from django_prisma.dbapi import parse_url


def _key(url: str) -> str:
    return url.split("api_key=", 1)[1]


class RecordingProxy:
    """Forwards to ``upstream_url``'s server (or answers a redirect), recording request headers;
    ``extra_headers`` are added to every response."""

    def __init__(self, upstream_url, *, host="127.0.0.1", ssl_context=None):
        self.requests = []
        self.extra_headers = []
        self.redirect_to = None
        endpoint = parse_url(upstream_url)
        upstream = urllib3.HTTPConnectionPool(endpoint.host, endpoint.port, maxsize=8)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def handle_one(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                proxy.requests.append((self.command, self.path, dict(self.headers)))
                if proxy.redirect_to:
                    self.send_response(307)
                    self.send_header("Location", proxy.redirect_to + self.path)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                skip = {"host", "content-length", "connection"}
                headers = {k: v for k, v in self.headers.items() if k.lower() not in skip}
                answer = upstream.urlopen(
                    self.command, self.path, body=body, headers=headers, retries=False
                )
                self.send_response(answer.status)
                skip |= {"keep-alive", "transfer-encoding", "date"}
                for name, value in answer.headers.items():
                    if name.lower() not in skip:
                        self.send_header(name, value)
                for name, value in proxy.extra_headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.data)))
                self.end_headers()
                self.wfile.write(answer.data)

            do_GET = do_POST = handle_one

        self.server = ThreadingHTTPServer((host, 0), Handler)
        if ssl_context is not None:
            self.server.socket = ssl_context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.url = f"prisma+postgres://{host}:{self.port}/?api_key={_key(upstream_url)}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxy(executor_server):
    p = RecordingProxy(executor_server.url)
    yield p
    p.close()


# -- connection strings --------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, origin",
    [
        ("prisma+postgres://localhost:5555/?api_key=k", "http://localhost:5555"),
        ("prisma://localhost:5555/?api_key=k", "http://localhost:5555"),
        ("prisma+postgres://127.0.0.1/?api_key=k", "http://127.0.0.1:80"),
        ("prisma+postgres://[::1]:5/?api_key=k", "http://[::1]:5"),
        (
            "prisma+postgres://accelerate.prisma-data.net/?api_key=k",
            "https://accelerate.prisma-data.net:443",
        ),
        ("prisma://db.example.com:8443/some/path?api_key=k", "https://db.example.com:8443"),
        ("prisma+postgres://127.0.0.2:7000/?api_key=k", "https://127.0.0.2:7000"),
        (
            "prisma+postgres://localhost.evil.example/?api_key=k",
            "https://localhost.evil.example:443",
        ),
    ],
)
def test_url_origin(url, origin):
    endpoint = parse_url(url)
    assert endpoint.origin == origin
    assert endpoint.api_key == "k"


@pytest.mark.parametrize(
    "url",
    [
        "postgres://localhost/?api_key=k",
        "https://localhost/?api_key=k",
        "prisma+postgres://localhost/",
        "prisma+postgres://localhost/?api_key=",
        "prisma+postgres:///?api_key=k",
        "localhost:5432",
        "prisma+postgres://localhost:notaport/?api_key=k",
    ],
)
def test_bad_urls_are_interface_errors(url):
    with pytest.raises(dbapi.InterfaceError):
        parse_url(url)


def test_api_key_argument(server):
    base, key = dbapi.split_api_key(server.url)
    assert key and "api_key" not in base
    conn = dbapi.connect(base, api_key=key, autocommit=True)
    cur = conn.cursor()
    cur.execute("SELECT 1")
    assert cur.fetchone() == (1,)
    assert key not in repr(conn) and key not in repr(conn.transport)
    conn.close()


def test_prisma_scheme_is_accepted(server):
    url = server.url.replace("prisma+postgres://", "prisma://", 1)
    assert url.startswith("prisma://")
    conn = dbapi.connect(url, autocommit=True)
    cur = conn.cursor()
    cur.execute("SELECT 41 + 1")
    assert cur.fetchone() == (42,)
    conn.close()


# -- keep-alive ----------------------------------------------------------------------------


def test_keep_alive_reuses_one_socket(conn):
    cur = conn.cursor()
    for i in range(40):
        cur.execute("SELECT %s::int", [i])
        assert cur.fetchone() == (i,)
    # One more: the first execution describes the statement's result once (dbapi/describe.py).
    assert conn.transport.requests_sent == 41
    assert conn.transport.connections_opened == 1


def test_a_forked_process_never_uses_its_parents_socket(conn):
    """A process forked while a connection is open (a pre-forking server, Celery's prefork
    pool or its embedded beat) opens a socket of its own at its first request: on the parent's
    both would write to one stream and read each other's answers. The parent's stays open."""
    cur = conn.cursor()
    cur.execute("SELECT 1")
    parents = conn.transport._conn
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report, and leave without running anything of pytest's
        try:
            child = conn.cursor()
            child.execute("SELECT 2")
            report = f"{child.fetchone()} {conn.transport.connections_opened}"
            os.write(write_end, report.encode())
        finally:
            os._exit(0)
    os.close(write_end)
    _, status = os.waitpid(pid, 0)
    assert status == 0
    with os.fdopen(read_end) as reader:
        assert reader.read() == "(2,) 2"  # its own socket
    cur.execute("SELECT 3")
    assert cur.fetchone() == (3,)
    assert conn.transport._conn is parents and conn.transport.connections_opened == 1


def test_reuse_after_the_dev_server_closed_idle_sockets(dev_server):
    """prisma dev closes keep-alive sockets idle for 5 s. One connection relies on the driver's
    proactive reconnect, the other (idle limit disabled) on detecting the dead socket."""
    table = f"t_idle_{int(time.time() * 1000)}"
    proactive = dbapi.connect(dev_server.url, autocommit=True)
    reused = dbapi.connect(dev_server.url, autocommit=True)
    reused.transport.idle_timeout = 3600
    try:
        proactive.cursor().execute(f"CREATE TABLE {table} (id int)")
        reused.cursor().execute("SELECT 1")
        time.sleep(6)
        for conn, value in ((proactive, 1), (reused, 2)):
            cur = conn.cursor()
            cur.execute(f"INSERT INTO {table} VALUES (%s)", [value])  # a write: never retried
            assert cur.rowcount == 1
            cur.execute(f"SELECT count(*) FROM {table} WHERE id = %s", [value])
            assert cur.fetchone() == (1,)
    finally:
        proactive.cursor().execute(f"DROP TABLE IF EXISTS {table}")
        proactive.close()
        reused.close()


# -- failures ------------------------------------------------------------------------------


def test_wrong_api_key_on_dev(dev_server):
    secret = "sk_SECRET_should_never_be_printed_123"
    base, _ = dbapi.split_api_key(dev_server.url)
    conn = dbapi.connect(base, api_key=secret, autocommit=True)
    with pytest.raises(dbapi.OperationalError) as info:
        conn.cursor().execute("SELECT 1")
    assert info.value.http_status == 401
    assert "API key" in str(info.value)
    assert secret not in str(info.value) and secret not in repr(info.value)
    assert secret not in repr(conn) and secret not in repr(conn.endpoint)
    conn.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_port_is_operational_error():
    conn = dbapi.connect(
        f"prisma+postgres://127.0.0.1:{_free_port()}/?api_key=SECRETKEY", autocommit=True
    )
    started = time.monotonic()
    with pytest.raises(dbapi.OperationalError) as info:
        conn.cursor().execute("SELECT 1")
    assert time.monotonic() - started < 5
    assert "cannot connect" in str(info.value)
    assert "SECRETKEY" not in str(info.value)
    conn.close()


def test_read_timeout_read_vs_write(executor_server, table_name):
    """A read that times out may be reported plainly; a write that times out may have run, and
    the driver says so (OutcomeUnknown) instead of retrying it."""
    conn = dbapi.connect(executor_server.url, autocommit=True, read_timeout=0.5)
    try:
        with pytest.raises(dbapi.OperationalError) as info:
            conn.cursor().execute("SELECT 1 FROM pg_sleep(1.5)")
        assert not isinstance(info.value, dbapi.OutcomeUnknown)
        assert "0.5" in str(info.value)
        before = conn.transport.requests_sent
        with pytest.raises(dbapi.OutcomeUnknown):
            conn.cursor().execute(f"CREATE TABLE {table_name} AS SELECT 1 AS x FROM pg_sleep(1.5)")
        assert conn.transport.requests_sent - before == 1  # not retried
        time.sleep(1.2)
        cur = conn.cursor()
        cur.execute(f"SELECT x FROM {table_name}")  # it did run, once
        assert cur.fetchall() == [(1,)]
    finally:
        conn.cursor().execute(f"DROP TABLE IF EXISTS {table_name}")
        conn.close()


def test_bad_engine_hash_on_dev_is_interface_error(dev_server):
    conn = dbapi.connect(dev_server.url, autocommit=True, engine_hash="9.9.9")
    with pytest.raises(dbapi.InterfaceError) as info:
        conn.cursor().execute("SELECT 1")
    assert "engine_hash" in str(info.value) and "9.9.9" in str(info.value)
    conn.close()
    ok = dbapi.connect(dev_server.url, autocommit=True, engine_hash="0.0.0")
    ok.cursor().execute("SELECT 1")
    ok.close()


# -- headers (through the recording proxy) -------------------------------------------------


def test_request_headers(proxy):
    conn = dbapi.connect(proxy.url, autocommit=True)
    conn.cursor().execute("SELECT 1")
    conn.close()
    method, path, headers = proxy.requests[-1]
    assert (method, path) == ("POST", "/query")
    assert headers["User-Agent"].startswith("django-prisma/")
    assert headers["Authorization"] == f"Bearer {_key(proxy.url)}"
    assert headers["Prisma-Engine-Hash"] == "7.2.0"
    assert headers["Content-Type"] == "application/json"


def test_cookies_and_jwt_are_kept_and_replayed_per_connection(proxy):
    proxy.extra_headers = [
        ("Set-Cookie", "sticky=node-7; Path=/; HttpOnly"),
        ("Accelerate-Query-Engine-Jwt", "jwt-1"),
    ]
    conn = dbapi.connect(proxy.url)
    cur = conn.cursor()
    cur.results_exact = True  # no description of the results: the requests counted are these
    cur.execute("SELECT 1")  # /transaction/start + query
    proxy.extra_headers = [("Accelerate-Query-Engine-Jwt", "jwt-2")]
    cur.execute("SELECT 2")
    conn.commit()
    first, second, third, commit = proxy.requests
    assert "Cookie" not in first[2] and "Accelerate-Query-Engine-Jwt" not in first[2]
    assert second[2]["Cookie"] == "sticky=node-7"
    assert second[2]["Accelerate-Query-Engine-Jwt"] == "jwt-1"
    assert third[2]["Accelerate-Query-Engine-Jwt"] == "jwt-1"
    assert commit[1].endswith("/commit")
    assert commit[2]["Accelerate-Query-Engine-Jwt"] == "jwt-2"
    assert commit[2]["Cookie"] == "sticky=node-7"
    other = dbapi.connect(proxy.url, autocommit=True)
    other.cursor().execute("SELECT 3")
    assert "Cookie" not in proxy.requests[-1][2]  # cookies are per connection
    other.close()
    conn.close()


def test_redirects_are_not_followed(executor_server):
    target = RecordingProxy(executor_server.url)
    redirector = RecordingProxy(executor_server.url)
    redirector.redirect_to = f"http://127.0.0.1:{target.port}"
    try:
        conn = dbapi.connect(redirector.url, autocommit=True)
        with pytest.raises(dbapi.OperationalError) as info:
            conn.cursor().execute("SELECT 1")
        assert "redirect" in str(info.value) and "307" in str(info.value)
        conn.close()
        assert len(redirector.requests) == 1
        assert target.requests == []  # the key was never sent to the redirect target
    finally:
        target.close()
        redirector.close()


# -- TLS -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def self_signed_cert(tmp_path_factory):
    """A self-signed certificate for 127.0.0.2: a loopback address the driver treats as remote,
    hence HTTPS with verification."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=127.0.0.2",
            "-addext",
            "subjectAltName=IP:127.0.0.2",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_proxy(executor_server, self_signed_cert):
    cert, key = self_signed_cert
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    try:
        p = RecordingProxy(executor_server.url, host="127.0.0.2", ssl_context=context)
    except OSError as error:
        pytest.skip(f"cannot listen on 127.0.0.2 here: {error}")
    yield p
    p.close()


def test_tls_with_an_untrusted_certificate_is_refused(tls_proxy):
    conn = dbapi.connect(tls_proxy.url, autocommit=True)
    assert conn.endpoint.secure
    with pytest.raises(dbapi.OperationalError) as info:
        conn.cursor().execute("SELECT 1")
    assert "TLS" in str(info.value) or "certificate" in str(info.value)
    assert tls_proxy.requests == []  # no request got through the handshake
    conn.close()


def test_tls_with_ca_bundle(tls_proxy, self_signed_cert):
    cert, _ = self_signed_cert
    conn = dbapi.connect(tls_proxy.url, autocommit=True, ca_bundle=str(cert))
    cur = conn.cursor()
    cur.execute("SELECT %s || ' over TLS'", ["hello"])
    assert cur.fetchone() == ("hello over TLS",)
    conn.close()
    assert tls_proxy.requests[0][2]["Authorization"].startswith("Bearer ")


def test_tls_context_is_shared_and_sessions_are_resumed(tls_proxy, self_signed_cert):
    """Every new DB-API connection (CONN_MAX_AGE=0 opens one per request) reuses the process's
    SSLContext and resumes the TLS session of the previous connection to the same server."""
    cert, _ = self_signed_cert
    reused = []
    contexts = set()
    for i in range(3):
        conn = dbapi.connect(tls_proxy.url, autocommit=True, ca_bundle=str(cert))
        cur = conn.cursor()
        cur.execute("SELECT %s::int", [i])
        assert cur.fetchone() == (i,)
        reused.append(conn.transport._conn.session_reused)
        contexts.add(id(conn.transport._ssl_context))
        conn.close()
    assert len(contexts) == 1
    assert reused[1:] == [True, True]


def _make_self_signed(directory, name, ip="127.0.0.2"):
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", f"/CN={name}"]
        + ["-addext", f"subjectAltName=IP:{ip}"],
        check=True,
        capture_output=True,
    )
    return cert


@pytest.mark.parametrize("only", [False, True])
def test_ca_bundle_adds_to_the_system_store_unless_ca_bundle_only(
    tls_proxy, self_signed_cert, tmp_path, monkeypatch, only
):
    """The proxy's certificate stands in for a CA of the system store (OpenSSL reads the store
    from SSL_CERT_FILE); ca_bundle is an unrelated CA. Adding it keeps the system's trust;
    ca_bundle_only replaces it."""
    cert, _ = self_signed_cert
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    other_ca = _make_self_signed(tmp_path, f"other-{only}")
    conn = dbapi.connect(
        tls_proxy.url, autocommit=True, ca_bundle=str(other_ca), ca_bundle_only=only
    )
    cur = conn.cursor()
    if only:
        with pytest.raises(dbapi.OperationalError, match="certificate"):
            cur.execute("SELECT 1")
    else:
        cur.execute("SELECT 1")
        assert cur.fetchone() == (1,)
    conn.close()


def _hashed_directory(directory, *certs):
    """A CA directory as c_rehash makes it: each certificate under its subject hash."""
    directory.mkdir()
    for cert in certs:
        digest = subprocess.run(
            ["openssl", "x509", "-hash", "-noout", "-in", str(cert)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        shutil.copyfile(cert, directory / f"{digest}.0")
    return directory


def test_the_system_store_is_read_lazily_from_its_hashed_directory(
    tls_proxy, self_signed_cert, tmp_path, monkeypatch
):
    """Where the system's CAs are a hashed directory (SSL_CERT_DIR stands for it here), the
    context looks CAs up in it instead of parsing the whole bundle file: it verifies the
    server's certificate all the same, and costs well under a millisecond to build."""
    from django_prisma.dbapi import tls

    cert, _ = self_signed_cert
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.setenv("SSL_CERT_DIR", str(_hashed_directory(tmp_path / "certs", cert)))
    monkeypatch.setattr(tls, "_contexts", {})
    assert tls.hashed_system_directory() == str(tmp_path / "certs")
    # SSL_CERT_FILE naming the system's own bundle (as some images set it) changes nothing; a
    # file of its own is loaded whole.
    monkeypatch.setenv("SSL_CERT_FILE", ssl.get_default_verify_paths().openssl_cafile)
    if os.path.exists(ssl.get_default_verify_paths().openssl_cafile):
        assert tls.hashed_system_directory() == str(tmp_path / "certs")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    assert tls.hashed_system_directory() is None
    monkeypatch.delenv("SSL_CERT_FILE")
    started = time.process_time()
    context = tls.client_context()
    assert time.process_time() - started < 0.005
    assert tls.complete_context(context) is not None  # it was the partial one
    monkeypatch.setattr(tls, "_contexts", {})
    conn = dbapi.connect(tls_proxy.url, autocommit=True)
    cur = conn.cursor()
    cur.execute("SELECT 1")
    assert cur.fetchone() == (1,)
    assert tls.complete_context(conn.transport._ssl_context) is not None
    conn.close()


def test_a_certificate_the_hashed_directory_does_not_know_is_tried_with_the_whole_store(
    tls_proxy, self_signed_cert, tmp_path, monkeypatch
):
    """The server's CA is in the bundle file (SSL_CERT_FILE) but not in the hashed directory:
    the handshake is made again with the complete store, no request is sent twice, and the
    rest of the process uses the complete store."""
    from django_prisma.dbapi import tls

    cert, _ = self_signed_cert
    unrelated = _hashed_directory(tmp_path / "certs", _make_self_signed(tmp_path, "unrelated"))
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    monkeypatch.setattr(tls, "hashed_system_directory", lambda: str(unrelated))
    monkeypatch.setattr(tls, "_contexts", {})
    partial = tls.client_context()
    conn = dbapi.connect(tls_proxy.url, autocommit=True)
    cur = conn.cursor()
    cur.execute("SELECT 1")
    assert cur.fetchone() == (1,)
    # One attempt ended at the handshake; every other request arrived once.
    assert len(tls_proxy.requests) == conn.transport.requests_sent - 1
    assert conn.transport.connections_opened == 2
    complete = conn.transport._ssl_context
    assert complete is not partial and tls.complete_context(complete) is None
    assert tls.client_context() is complete
    conn.close()
    # A certificate no store knows is refused after the same single second try.
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "unrelated.pem"))
    monkeypatch.setattr(tls, "_contexts", {})
    conn = dbapi.connect(tls_proxy.url, autocommit=True)
    with pytest.raises(dbapi.OperationalError, match="certificate verify failed"):
        conn.cursor().execute("SELECT 1")
    assert conn.transport.connections_opened == 2
    conn.close()


# -- connections opened in advance (OPTIONS["preconnect"]) ------------------------------------


def _preconnected(url, **options):
    """Start a connection in advance to ``url``'s server and wait for its handshakes."""
    from django_prisma.dbapi import transport

    endpoint = parse_url(url)
    assert transport.preconnect(endpoint, **options)
    pending = transport._preconnects[
        transport._preconnect_key(
            endpoint, options.get("ca_bundle"), options.get("ca_bundle_only", False)
        )
    ]
    pending.thread.join(10)
    return pending


def test_the_first_connection_uses_the_one_opened_in_advance(tls_proxy, self_signed_cert):
    """The TCP and TLS handshakes were made in advance with no request sent; the first
    DB-API connection to that server takes that socket (one connection, not two) and its
    requests run on it; the next one opens its own."""
    cert, _ = self_signed_cert
    pending = _preconnected(tls_proxy.url, ca_bundle=str(cert))
    assert pending.connected and tls_proxy.requests == []
    conn = dbapi.connect(tls_proxy.url, autocommit=True, ca_bundle=str(cert))
    cur = conn.cursor()
    cur.execute("SELECT 1")
    assert cur.fetchone() == (1,)
    assert conn.transport._conn is pending.conn
    assert conn.transport.connections_opened == 1
    assert conn.transport._conn._sock.gettimeout() == conn.transport.read_timeout
    assert len(tls_proxy.requests) == conn.transport.requests_sent
    second = dbapi.connect(tls_proxy.url, autocommit=True, ca_bundle=str(cert))
    second.cursor().execute("SELECT 1")
    assert second.transport._conn is not pending.conn
    assert second.transport._conn.session_reused  # the session of the adopted connection
    second.close()
    conn.close()


@pytest.mark.parametrize("why", ["another process", "idle too long", "closed by the server"])
def test_a_connection_opened_in_advance_is_not_used_when_it_should_not_be(executor_server, why):
    """Not from another process (a fork inherited it), not after an idle time the server may
    have closed it in, not once the server closed it: the transport connects anew."""
    pending = _preconnected(executor_server.url)
    if why == "another process":
        pending.pid = -1
    elif why == "idle too long":
        pending.opened_at -= 60
    else:
        pending.conn._sock.shutdown(socket.SHUT_RDWR)
    conn = dbapi.connect(executor_server.url, autocommit=True)
    cur = conn.cursor()
    cur.execute("SELECT 1")
    assert cur.fetchone() == (1,)
    assert conn.transport._conn is not pending.conn
    assert conn.transport.connections_opened == 1
    conn.close()


def test_a_failed_connection_in_advance_leaves_the_error_to_the_query(tls_proxy):
    """The server's certificate is not trusted: connecting in advance fails quietly, and the
    first query reports the TLS failure as it would have anyway."""
    pending = _preconnected(tls_proxy.url)
    assert not pending.connected
    conn = dbapi.connect(tls_proxy.url, autocommit=True)
    with pytest.raises(dbapi.OperationalError, match="certificate"):
        conn.cursor().execute("SELECT 1")
    assert tls_proxy.requests == []
    conn.close()


def test_preconnect_option_starts_the_handshakes_when_django_makes_the_app_config(
    executor_server, monkeypatch
):
    """OPTIONS["preconnect"] = True: creating the app config (before Django imports the
    models) starts the connection in advance; an invalid entry is left to the connection."""
    import django_prisma
    from django_prisma import apps
    from django_prisma.apps import preconnect_databases
    from django_prisma.dbapi import transport

    calls = []
    monkeypatch.setattr(apps, "preconnect_databases", lambda: calls.append(True))
    apps.DjangoPrismaConfig("django_prisma", django_prisma)
    assert calls == [True]

    from django_prisma.settings import connection_params

    databases = {
        "default": {
            "ENGINE": "django_prisma",
            "URL": executor_server.url,
            "OPTIONS": {"preconnect": True},
        },
        "broken": {"ENGINE": "django_prisma", "URL": "nope", "OPTIONS": {"preconnect": True}},
        "off": {"ENGINE": "django_prisma", "URL": executor_server.url.replace("?", "x?")},
    }
    assert "preconnect" not in connection_params(dict(databases["default"]))
    transport._preconnects.clear()
    preconnect_databases(databases)
    key = transport._preconnect_key(parse_url(executor_server.url), None, False)
    assert list(transport._preconnects) == [key]
    transport._preconnects[key].thread.join(10)
    assert transport._preconnects[key].connected
    conn = dbapi.connect(executor_server.url, autocommit=True)
    conn.cursor().execute("SELECT 1")
    assert key not in transport._preconnects
    conn.close()


def test_ca_bundle_only_needs_a_bundle_and_a_missing_bundle_is_reported(tls_proxy, tmp_path):
    with pytest.raises(dbapi.InterfaceError, match="ca_bundle_only needs a ca_bundle"):
        dbapi.connect(tls_proxy.url, ca_bundle_only=True)
    conn = dbapi.connect(tls_proxy.url, autocommit=True, ca_bundle=str(tmp_path / "none.pem"))
    with pytest.raises(dbapi.InterfaceError, match="cannot load the CA certificates"):
        conn.cursor().execute("SELECT 1")
    conn.close()


def test_idle_connections_are_reused_as_long_as_the_server_announces(executor_server):
    """Both Prisma servers announce "Keep-Alive: timeout=5" (and close after 6 s): a
    connection idle for 4.5 s is reused, one idle for longer than announced is replaced."""
    conn = dbapi.connect(executor_server.url, autocommit=True)
    transport = conn.transport
    cur = conn.cursor()
    cur.execute("SELECT 1")
    assert transport._conn.keep_alive_timeout == 5.0
    transport._last_used -= 4.5  # as if idle for 4.5 s
    cur.execute("SELECT 2")
    assert transport.connections_opened == 1
    transport._last_used -= 5.0
    cur.execute("SELECT 3")
    assert cur.fetchone() == (3,)
    assert transport.connections_opened == 2
    conn.close()


def test_idle_timeout_option(executor_server):
    conn = dbapi.connect(executor_server.url, autocommit=True, idle_timeout=1.0)
    cur = conn.cursor()
    cur.execute("SELECT 1")
    conn.transport._last_used -= 1.5
    cur.execute("SELECT 2")
    assert conn.transport.connections_opened == 2
    conn.close()
