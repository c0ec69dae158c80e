"""The API key never leaks (exceptions, DEBUG logs, connection.queries, reprs, dbshell, Django's
technical 500 page); HTTPS certificates are verified; redirects are not followed with the key."""

from __future__ import annotations

import logging
import os
import shutil
import ssl
import subprocess
import sys
import warnings

import pytest
from django.db import connection as default_connection
from django.db.utils import ConnectionHandler, Error
from django.test import RequestFactory, override_settings
from django.views.debug import ExceptionReporter

from django_prisma import dbapi

from .conftest import api_key, upstream
from .proxy import FaultProxy


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wrapper(alias: str, settings_dict: dict):
    """A Django connection built from a DATABASES entry exactly as Django builds it."""
    handler = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.dummy"}, alias: settings_dict}
    )
    return handler, handler[alias]


def _failing_operations(url_with_key: str, key: str, proxy: FaultProxy | None):
    """Run operations that fail in many ways; yield every exception."""
    errors = []
    conn = dbapi.connect(url_with_key, autocommit=True, read_timeout=1.0)
    cur = conn.cursor()
    for sql in ("SELECT * FROM no_such_table", "SELECT 1/0", "SELEKT", "SELECT 'a\x00'"):
        try:
            cur.execute(sql)
        except dbapi.Error as error:
            errors.append(error)
    if proxy is not None:
        for fault, options in (
            ("status", {"status": 503, "body": b"busy"}),
            ("reset_after", {}),
            ("stall", {}),
            ("status", {"status": 401, "body": b"Invalid API Key"}),
        ):
            proxy.arm(fault, r"/query", **options)
            try:
                cur.execute("INSERT INTO no_such_table VALUES (1)")
            except dbapi.Error as error:
                errors.append(error)
            proxy.disarm()
    wrong = dbapi.connect(url_with_key.replace(key, key[::-1]), autocommit=True)
    try:
        wrong.cursor().execute("SELECT 1")
    except dbapi.Error as error:
        errors.append(error)
    refused = dbapi.connect(f"prisma+postgres://127.0.0.1:{_free_port()}/?api_key={key}")
    try:
        refused.cursor().execute("SELECT 1")
    except dbapi.Error as error:
        errors.append(error)
    return errors, [conn, wrong, refused, cur]


def test_key_is_in_no_exception_repr_or_log(fault_proxy, caplog):
    key = fault_proxy.key
    caplog.set_level(logging.DEBUG)
    logging.getLogger("urllib3").setLevel(logging.DEBUG)
    errors, objects = _failing_operations(fault_proxy.prisma_url, key, fault_proxy)
    assert len(errors) >= 10
    kinds = {cls.__name__ for e in errors for cls in type(e).__mro__}
    assert {"ProgrammingError", "DataError", "OutcomeUnknown", "OperationalError"} <= kinds
    for error in errors:
        for text in (str(error), repr(error), repr(error.args), repr(error.meta), str(error.diag)):
            assert key not in text
    for obj in objects + [objects[0].transport, objects[0].endpoint]:
        assert key not in repr(obj) and key not in str(obj)
    assert caplog.records, "nothing was logged at DEBUG"
    for record in caplog.records:
        text = record.getMessage() + (
            logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
        )
        assert key not in text, record.getMessage()
    for obj in objects[:3]:
        obj.close()


@pytest.mark.django_db
def test_key_is_not_in_connection_queries_or_django_logs(caplog):
    key = default_connection.settings_dict["TOKEN"]
    assert key
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    default_connection.force_debug_cursor = True
    try:
        with default_connection.cursor() as cursor:
            cursor.execute("SELECT %s::text", [key[:4] + "…"])
            with pytest.raises(Error):
                cursor.execute("SELECT * FROM no_such_table")
        assert default_connection.queries
        assert key not in repr(default_connection.queries)
    finally:
        default_connection.force_debug_cursor = False
    assert any(r.name == "django.db.backends" for r in caplog.records)
    assert all(key not in r.getMessage() for r in caplog.records)
    assert key not in repr(default_connection) and key not in repr(default_connection.connection)


def test_dbshell_output_never_shows_the_key(executor_server):
    key = api_key(executor_server.url)
    env = {**os.environ, "DJANGO_PRISMA_URL": executor_server.url, "DJANGO_PRISMA_TOKEN": ""}
    runs = [
        ("-c", "SELECT 'shell ok' AS greeting"),
        ("-c", "SELECT * FROM no_such_table"),
    ]
    outputs = []
    for args in runs:
        done = subprocess.run(
            [sys.executable, "-m", "django_prisma.shell", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        outputs.append(done.stdout + done.stderr)
    bad = {**env, "DJANGO_PRISMA_URL": f"prisma+postgres://127.0.0.1:{_free_port()}/?api_key={key}"}
    done = subprocess.run(
        [sys.executable, "-m", "django_prisma.shell"],
        input="SELECT 1;\n",
        env=bad,
        capture_output=True,
        text=True,
        timeout=60,
    )
    outputs.append(done.stdout + done.stderr)
    assert "shell ok" in outputs[0]
    assert "ERROR" in outputs[1] and "no_such_table" in outputs[1]
    assert "cannot connect" in outputs[2]
    for output in outputs:
        assert key not in output


def _view(wrapper):
    """What a view does; the traceback starts here, as in a request (the test's own frame,
    which holds the key, is not part of it)."""
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table WHERE secret = %s", ["x"])
    except Exception:  # noqa: BLE001 - rendered by the caller
        return sys.exc_info()
    return None


@pytest.mark.django_db
@pytest.mark.parametrize("failure", ["refused", "sql_error", "gateway"])
def test_technical_500_page_hides_the_key(failure, fault_proxy):
    """Django's own ExceptionReporter, as DEBUG=True shows it, for an error raised while the
    backend connects (the first query runs inside connect()) or queries."""
    key = fault_proxy.key
    port = _free_port() if failure == "refused" else fault_proxy.port
    settings_dict = {
        "ENGINE": "django_prisma",
        "URL": f"prisma+postgres://127.0.0.1:{port}/?api_key={key}",
    }
    databases = {"default": default_connection.settings_dict, "leaky": settings_dict}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with override_settings(DEBUG=True, DATABASES=databases):
            handler, wrapper = _wrapper("leaky", settings_dict)
            if failure == "gateway":
                fault_proxy.arm("status", r".", status=502, times=10)
            exc_info = _view(wrapper)
            assert exc_info is not None, "no error"
            request = RequestFactory().get("/boom", HTTP_AUTHORIZATION=f"Bearer {key}")
            reporter = ExceptionReporter(request, *exc_info)
            html = reporter.get_traceback_html()
            text = reporter.get_traceback_text()
            wrapper.close()
    assert "no_such_table" in html or "cannot connect" in html or "502" in html
    assert "no_such_table" in text or "cannot connect" in text or "502" in text
    assert key not in html and key not in text


# -- TLS -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    """A CA, a server certificate for 127.0.0.2 signed by it, and one for another address."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make test certificates")
    d = tmp_path_factory.mktemp("pki")

    def run(*args):
        subprocess.run([openssl, *map(str, args)], check=True, capture_output=True, cwd=d)

    run(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-subj",
        "/CN=django-prisma test CA",
    )
    for name, san in (("good", "IP:127.0.0.2"), ("wrong", "IP:127.0.0.9,DNS:elsewhere.test")):
        run(
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            f"{name}.key",
            "-out",
            f"{name}.csr",
            "-subj",
            f"/CN={name}",
        )
        (d / f"{name}.ext").write_text(f"subjectAltName={san}\n")
        run(
            "x509",
            "-req",
            "-in",
            f"{name}.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "1",
            "-out",
            f"{name}.pem",
            "-extfile",
            f"{name}.ext",
        )
    return d


def _tls_proxy(executor_server, certificates, name):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificates / f"{name}.pem", certificates / f"{name}.key")
    try:
        return FaultProxy(upstream(executor_server.url), host="127.0.0.2", ssl_context=context)
    except OSError as error:
        pytest.skip(f"cannot listen on 127.0.0.2: {error}")


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["untrusted", "trusted", "wrong_host"])
def test_https_certificates_are_verified(case, executor_server, certificates):
    proxy = _tls_proxy(executor_server, certificates, "wrong" if case == "wrong_host" else "good")
    key = api_key(executor_server.url)
    options = {} if case == "untrusted" else {"ca_bundle": str(certificates / "ca.pem")}
    settings_dict = {
        "ENGINE": "django_prisma",
        "URL": f"prisma+postgres://127.0.0.2:{proxy.port}/?api_key={key}",
        "OPTIONS": options,
    }
    handler, wrapper = _wrapper("tls", settings_dict)
    try:
        if case == "trusted":
            with wrapper.cursor() as cursor:
                cursor.execute("SELECT %s::text", ["over TLS"])
                assert cursor.fetchone() == ("over TLS",)
            assert proxy.requests()[0].headers["Authorization"] == f"Bearer {key}"
        else:
            with pytest.raises(Error) as info:
                with wrapper.cursor() as cursor:
                    cursor.execute("SELECT 1")
            message = str(info.value)
            assert "TLS failure" in message
            expected = "CERTIFICATE_VERIFY_FAILED" if case == "untrusted" else "127.0.0.2"
            assert expected in message or "hostname" in message.lower(), message
            assert key not in message
            assert proxy.requests() == []  # nothing, and so no key, got past the handshake
    finally:
        wrapper.close()
        proxy.close()


def test_plain_http_only_for_loopback_names():
    for host in ("localhost", "127.0.0.1", "[::1]"):
        assert not dbapi.parse_url(f"prisma+postgres://{host}:1/?api_key=k").secure
    for host in ("127.0.0.2", "localhost.example.com", "db.prisma.io", "10.0.0.1"):
        assert dbapi.parse_url(f"prisma+postgres://{host}/?api_key=k").secure


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirects_are_not_followed_with_the_key(status, executor_server):
    target = FaultProxy(upstream(executor_server.url))
    redirector = FaultProxy(upstream(executor_server.url))
    key = api_key(executor_server.url)
    redirector.arm(
        "status",
        r".",
        status=status,
        times=100,
        headers=(("Location", f"http://127.0.0.1:{target.port}/query"),),
    )
    try:
        for autocommit in (True, False):
            conn = dbapi.connect(redirector.url(key), autocommit=autocommit)
            with pytest.raises(dbapi.OperationalError) as info:
                conn.cursor().execute("SELECT 1")
            assert f"HTTP {status}" in str(info.value) and "not followed" in str(info.value)
            conn.close()
        assert redirector.requests() and target.requests() == []
    finally:
        target.close()
        redirector.close()
