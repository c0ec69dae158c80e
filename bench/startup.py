"""Process start → first result, and a new connection over TLS: CPU and requests.

    .venv/bin/python bench/startup.py [--rounds 10] [--baseline /path/to/older/checkout]

Part 1, a minimal project (contenttypes, auth, one model; no cache settings, no Prisma schema,
no contrib.postgres) in fresh interpreters: CPU time of ``django.setup()`` and of the first
ORM query (get by pk, which connects), HTTP requests that query cost, and which optional
modules got imported — django_prisma over plain HTTP and over HTTPS verified against the
system trust store, against Django's own PostgreSQL backend (psycopg) on the database behind
the same executor, and against ``--baseline`` (another checkout of django_prisma, run from its
own directory) if given. The variants alternate in every round.

Part 2, TLS: per new DB-API connection and its first query — what every request costs under
CONN_MAX_AGE=0 — the CPU time of this process and whether the TLS session was resumed.

TLS is a local HTTPS forwarder in front of the executor, its certificate from a throw-away CA
made with ``openssl``. The CA joins the system trust store twice over, as a system would hold
it: in a hashed directory of the system's CAs (``SSL_CERT_DIR``) and in a copy of the system's
bundle file (``SSL_CERT_FILE``, part 2 only: a process that names a bundle file loads all of
it). Every checkout measured is compiled to bytecode first, as an installed package is (an
editable checkout run with PYTHONDONTWRITEBYTECODE would compile its sources in every process,
which Django and psycopg, installed, do not).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from django_prisma.devserver import throwaway_executor  # noqa: E402

CHILD = r"""
import json, os, sys, time
t0 = time.process_time()
import django
django.setup()
t1 = time.process_time()
from minapp.models import Item
item = Item.objects.get(pk=1)
t2 = time.process_time()
from django.db import connection
raw = connection.connection
requests = getattr(getattr(raw, "transport", None), "requests_sent", None)
optional = ("django_prisma.cache", "django_prisma.psl", "django.contrib.postgres",
            "django_prisma.page_first")
print(json.dumps({
    "setup_ms": (t1 - t0) * 1e3, "first_query_ms": (t2 - t1) * 1e3, "requests": requests,
    "optional": sorted(m for m in sys.modules if m.startswith(optional)), "name": item.name,
}))
"""


def write_project(directory: Path, prisma_url: str, tls_url: str, database_url: str) -> None:
    (directory / "minapp").mkdir()
    (directory / "minapp" / "__init__.py").write_text("")
    (directory / "minapp" / "models.py").write_text(
        "from django.db import models\n\n\nclass Item(models.Model):\n"
        "    name = models.TextField()\n\n    class Meta:\n        db_table = 'startup_item'\n"
    )
    url = psycopg.conninfo.conninfo_to_dict(database_url)
    native = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": url["dbname"],
        "USER": url.get("user", "postgres"),
        "HOST": url.get("host", "127.0.0.1"),
        "PORT": url.get("port", "5432"),
    }
    (directory / "minsettings.py").write_text(
        "import os\nSECRET_KEY = 'x'\nUSE_TZ = True\n"
        "DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'\n"
        f"PRISMA = {{'ENGINE': 'django_prisma', 'URL': {prisma_url!r}}}\n"
        f"PRISMA_TLS = {{'ENGINE': 'django_prisma', 'URL': {tls_url!r}}}\n"
        f"NATIVE = {native!r}\n"
        "DATABASES = {'default': {'native': NATIVE, 'prisma': PRISMA, 'prisma-tls': PRISMA_TLS}"
        "[os.environ['BENCH_ENGINE']]}\n"
        "INSTALLED_APPS = ['django.contrib.contenttypes', 'django.contrib.auth', "
        "'django_prisma', 'minapp']\n"
    )


def compile_bytecode(code_root: Path) -> None:
    """What ``pip install`` does for a package: its modules compiled once, not per process."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(code_root / "django_prisma")], check=True
    )


def run_child(project: Path, engine: str, code_root: Path, extra_env: dict) -> dict:
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="minsettings",
        BENCH_ENGINE=engine,
        PYTHONPATH=f"{code_root}{os.pathsep}{project}",
        **extra_env,
    )
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        env=env,
        cwd=project,  # not this checkout: "-c" puts the working directory first on sys.path
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode:
        raise RuntimeError(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def startup(args, server, trust) -> dict:
    with psycopg.connect(server.database_url, autocommit=True) as pg:
        pg.execute("CREATE TABLE startup_item (id bigserial PRIMARY KEY, name text)")
        pg.execute("INSERT INTO startup_item (name) VALUES ('first')")
    variants = {
        "django_prisma": ("prisma", ROOT),
        "django_prisma TLS": ("prisma-tls", ROOT),
        "native psycopg": ("native", ROOT),
    }
    if args.baseline:
        baseline = Path(args.baseline).resolve()
        variants["django_prisma baseline"] = ("prisma", baseline)
        variants["django_prisma TLS baseline"] = ("prisma-tls", baseline)
    results = {name: [] for name in variants}
    names = list(variants)
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        write_project(project, server.url, trust.url, server.database_url)
        for i in range(args.rounds + 1):
            for name in names[i % len(names) :] + names[: i % len(names)]:
                engine, code_root = variants[name]
                result = run_child(project, engine, code_root, trust.directory_env)
                if i:  # the first round warms the file cache
                    results[name].append(result)
    return results


# -- TLS -------------------------------------------------------------------------------------


def make_certificate(directory: Path) -> tuple[Path, Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        raise SystemExit("the openssl command is needed for the TLS part")

    def run(*argv):
        subprocess.run([openssl, *argv], check=True, capture_output=True, cwd=directory)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-keyout", "ca.key",
        "-out", "ca.pem", "-subj", "/CN=bench CA")  # fmt: skip
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
        "-subj", "/CN=127.0.0.2")  # fmt: skip
    (directory / "ext").write_text("subjectAltName=IP:127.0.0.2\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "1", "-out", "server.pem", "-extfile", "ext")  # fmt: skip
    return directory / "ca.pem", directory / "server.pem", directory / "server.key"


class TLSForwarder:
    """Accepts TLS on 127.0.0.2 and pipes the plain bytes to the executor on 127.0.0.1."""

    def __init__(self, upstream_port: int, cert: Path, key: Path):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.listener = socket.create_server(("127.0.0.2", 0))
        self.listener.settimeout(0.5)
        self.port = self.listener.getsockname()[1]
        self.upstream_port = upstream_port
        self.stop = threading.Event()
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while not self.stop.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self.serve, args=(client,), daemon=True).start()

    def serve(self, client):
        # Each piece forwarded as it comes: no Nagle delay against the client's delayed ACK.
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            tls = self.context.wrap_socket(client, server_side=True)
        except OSError:
            client.close()
            return
        upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def pipe(source, target):
            try:
                while data := source.recv(65536):
                    target.sendall(data)
            except OSError:
                pass
            finally:
                for sock in (source, target):
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        threading.Thread(target=pipe, args=(upstream, tls), daemon=True).start()
        pipe(tls, upstream)

    def close(self):
        self.stop.set()
        self.listener.close()


TLS_CHILD = r"""
import json, sys, time
from django_prisma import dbapi
url, count = sys.argv[1], int(sys.argv[2])
cpu, wall, resumed = [], [], 0
for i in range(count + 1):
    started, started_cpu = time.perf_counter(), time.process_time()
    conn = dbapi.connect(url, autocommit=True)
    cur = conn.cursor()
    cur.execute("SELECT 1")
    cur.fetchone()
    if i:  # the first connection of the process has no session to resume
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
        resumed += bool(getattr(conn.transport._conn, "session_reused", False))
    conn.close()
print(json.dumps({"cpu": cpu, "wall": wall, "resumed": resumed}))
"""


class Trust:
    """The throw-away CA in a hashed copy of the system's CA directory, and the TLS forwarder
    whose certificate it signed; ``directory_env`` makes a process trust it."""

    def __init__(self, directory: Path, server):
        ca, cert, cert_key = make_certificate(directory)
        self.directory = directory / "certs"
        self.directory.mkdir()
        system = ssl.get_default_verify_paths().capath
        for entry in os.scandir(system) if system else ():
            if not entry.name.endswith(".pem"):  # the hashed names (links)
                (self.directory / entry.name).symlink_to(os.path.realpath(entry.path))
        digest = subprocess.run(
            ["openssl", "x509", "-hash", "-noout", "-in", str(ca)],
            check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        shutil.copyfile(ca, self.directory / f"{digest}.0")
        self.directory_env = {"SSL_CERT_DIR": str(self.directory)}
        self.forwarder = TLSForwarder(int(server.url.split(":")[2].split("/")[0]), cert, cert_key)
        key = server.url.split("api_key=", 1)[1]
        self.url = f"prisma+postgres://127.0.0.2:{self.forwarder.port}/?api_key={key}"

    def close(self):
        self.forwarder.close()


def tls_connections(args, trust) -> dict:
    roots = {"django_prisma": ROOT}
    if args.baseline:
        roots["django_prisma baseline"] = Path(args.baseline).resolve()
    results = {name: {"cpu": [], "wall": [], "resumed": 0} for name in roots}
    for _ in range(args.rounds):
        for name, root in roots.items():
            done = subprocess.run(
                [sys.executable, "-c", TLS_CHILD, trust.url, str(args.connections)],
                env=dict(os.environ, PYTHONPATH=str(root), **trust.directory_env),
                cwd=root,
                capture_output=True,
                text=True,
                timeout=300,
            )
            if done.returncode:
                raise RuntimeError(done.stderr)
            row = json.loads(done.stdout.strip().splitlines()[-1])
            for field in ("cpu", "wall"):
                results[name][field] += row[field]
            results[name]["resumed"] += row["resumed"]
    return results


def _grouped(modules: list[str]) -> str:
    groups: dict[str, int] = {}
    for module in modules:
        top = next(p for p in OPTIONAL if module == p or module.startswith(p + "."))
        groups[top] = groups.get(top, 0) + 1
    return ", ".join(f"{name} ({count})" for name, count in groups.items()) or "none"


OPTIONAL = ("django_prisma.cache", "django_prisma.psl", "django.contrib.postgres",
            "django_prisma.page_first")  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--baseline", help="another django_prisma checkout to compare with")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "DJANGO_PRISMA_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = parser.parse_args(argv)
    compile_bytecode(ROOT)
    if args.baseline:
        compile_bytecode(Path(args.baseline).resolve())
    with (
        throwaway_executor(args.postgres, "dp_startup") as server,
        tempfile.TemporaryDirectory() as tmp,
    ):
        trust = Trust(Path(tmp), server)
        try:
            results = startup(args, server, trust)
            tls = tls_connections(args, trust)
        finally:
            trust.close()
    print("command:", shlex.join([sys.executable, *sys.argv]))
    print(f"\nPart 1: fresh interpreter, {args.rounds} alternating rounds, medians")
    print(f"{'variant':<24}{'setup CPU ms':>13}{'1st query CPU ms':>18}{'requests':>10}  optional")
    for name, rows in results.items():
        setup = statistics.median(r["setup_ms"] for r in rows)
        first = statistics.median(r["first_query_ms"] for r in rows)
        requests = rows[-1]["requests"]
        optional = _grouped(rows[-1]["optional"])
        print(f"{name:<24}{setup:>13.1f}{first:>18.1f}{requests!s:>10}  {optional}")
    print(
        f"\nPart 2: {args.rounds} x {args.connections} new DB-API connections over TLS "
        "(system trust store, hashed directory), each with one query; medians"
    )
    print(f"{'variant':<24}{'CPU ms':>8}{'wall ms':>9}  TLS sessions resumed")
    for name, row in tls.items():
        print(
            f"{name:<24}{statistics.median(row['cpu']) * 1e3:>8.2f}"
            f"{statistics.median(row['wall']) * 1e3:>9.2f}  {row['resumed']} of {len(row['cpu'])}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
