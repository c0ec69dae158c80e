"""django_prisma vs Django's native backend over an emulated slow link: time and round trips.

    .venv/bin/python bench/wan.py [--rtts 0,10,20,80] [--warm 10] [--output bench/WAN.md]

The link is a userspace delay proxy on loopback addresses only (this kernel has no netem, and
a proxy needs no privileges): every chunk of bytes is delivered one half round trip after it
arrived, in order, per direction; a new connection's first bytes wait one more round trip (the
TCP handshake). Behind the proxy for django_prisma, a TLS terminator (127.0.0.2, a certificate
from a throw-away CA that a copy of the system trust store given by SSL_CERT_FILE trusts) in
front of Prisma's executor, so django_prisma speaks HTTPS as to a hosted server and its
handshakes cross the link; for the native backend the proxy forwards plain TCP to PostgreSQL
(psycopg without TLS: the native side is spared the TLS handshake of each connection). Nothing is sent anywhere but 127.0.0.1 and 127.0.0.2.

For each RTT, in a fresh process per backend (the two alternate): cold start (process start
→ first result of a get by pk), warm get-by-pk (median), a 5-statement ``atomic()`` (median),
and one query after 1, 4.5 and 8 s idle. Round trips are counted by the proxy: a client→server
turn after the server last spoke. The report goes to ``--output`` with this command.
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import json
import os
import shlex
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.startup import TLSForwarder, make_certificate  # noqa: E402
from django_prisma.devserver import throwaway_executor  # noqa: E402

IDLE = (1.0, 4.5, 8.0)


class DelayProxy:
    """Listens on ``listen_host``; each connection is relayed to ``upstream`` with ``rtt``."""

    def __init__(self, listen_host, upstream):
        self.rtt = 0.0
        self.upstream = upstream
        self.listener = socket.create_server((listen_host, 0))
        self.listener.settimeout(0.5)
        self.port = self.listener.getsockname()[1]
        self.turns: list[float] = []  # when a client started a new round trip
        self.connections: list[float] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stop.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client):
        with self.lock:
            self.connections.append(time.time())
            self.sockets.append(client)
        try:
            upstream = socket.create_connection(self.upstream, timeout=10)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        with self.lock:
            self.sockets.append(upstream)
        state = {"server_spoke": True}
        handshake_until = time.monotonic() + self.rtt
        threading.Thread(
            target=self._pipe, args=(upstream, client, state, False, 0.0), daemon=True
        ).start()
        self._pipe(client, upstream, state, True, handshake_until)

    def _pipe(self, source, target, state, from_client, not_before):
        queue: list[tuple[float, int, bytes]] = []
        ready = threading.Condition()
        counter = itertools.count()
        done = []

        def deliver():
            while True:
                with ready:
                    while not queue and not done:
                        ready.wait()
                    if not queue:
                        break
                    due, _, data = queue[0]
                    wait = due - time.monotonic()
                    if wait > 0:
                        ready.wait(wait)
                        continue
                    heapq.heappop(queue)
                try:
                    target.sendall(data)
                except OSError:
                    break
            try:
                target.shutdown(socket.SHUT_WR)
            except OSError:
                pass

        sender = threading.Thread(target=deliver, daemon=True)
        sender.start()
        try:
            while data := source.recv(65536):
                if from_client and state["server_spoke"]:
                    state["server_spoke"] = False
                    with self.lock:
                        self.turns.append(time.time())
                elif not from_client:
                    state["server_spoke"] = True
                due = max(time.monotonic() + self.rtt / 2, not_before)
                with ready:
                    heapq.heappush(queue, (due, next(counter), data))
                    ready.notify()
        except OSError:
            pass
        with ready:
            done.append(True)
            ready.notify()
        sender.join(timeout=self.rtt + 5)

    def count(self, start: float, end: float) -> tuple[int, int]:
        with self.lock:
            turns = sum(start <= t <= end for t in self.turns)
            connections = sum(start <= t <= end for t in self.connections)
        return turns, connections

    def close(self):
        self.stop.set()
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                try:
                    sock.close()
                except OSError:
                    pass


CHILD = r"""
import json, os, statistics, sys, time
started = float(sys.argv[1])
import django
django.setup()
from django.db import connection, transaction
from wanapp.models import Item
marks = {}
def mark(name, start):
    marks[name] = [start, time.time()]
t = time.time()
Item.objects.get(pk=1)
marks["cold"] = [started, time.time()]
warm = []
t0 = time.time()
for i in range(int(os.environ["WAN_WARM"])):
    s = time.perf_counter()
    Item.objects.get(pk=1 + i % 10)
    warm.append(time.perf_counter() - s)
mark("warm", t0)
atomic = []
t0 = time.time()
for _ in range(3):
    s = time.perf_counter()
    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=2)
        item.value += 1
        item.save()
        Item.objects.filter(pk=3).update(value=item.value)
        Item.objects.create(name="new", value=1)
        Item.objects.filter(name="new").delete()
    atomic.append(time.perf_counter() - s)
mark("atomic", t0)
idle = {}
for seconds in (1.0, 4.5, 8.0):
    time.sleep(seconds)
    t0 = time.time()
    s = time.perf_counter()
    Item.objects.get(pk=4)
    idle[str(seconds)] = time.perf_counter() - s
    mark(f"idle {seconds}", t0)
print(json.dumps({"marks": marks, "warm": statistics.median(warm),
                  "atomic": statistics.median(atomic), "idle": idle}))
"""


def write_project(directory: Path, prisma_url: str, native: dict) -> None:
    (directory / "wanapp").mkdir()
    (directory / "wanapp" / "__init__.py").write_text("")
    (directory / "wanapp" / "models.py").write_text(
        "from django.db import models\n\n\nclass Item(models.Model):\n"
        "    name = models.TextField()\n    value = models.IntegerField()\n\n"
        "    class Meta:\n        db_table = 'wan_item'\n"
    )
    (directory / "wansettings.py").write_text(
        "import os\nSECRET_KEY = 'x'\nUSE_TZ = True\n"
        "DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'\n"
        f"PRISMA = {{'ENGINE': 'django_prisma', 'URL': {prisma_url!r}}}\n"
        f"NATIVE = {native!r}\n"
        "DATABASES = {'default': NATIVE if os.environ['WAN_ENGINE'] == 'native' else PRISMA}\n"
        "INSTALLED_APPS = ['django.contrib.contenttypes', 'django.contrib.auth', "
        "'django_prisma', 'wanapp']\n"
    )


def run_child(project: Path, engine: str, warm: int, cert_store: Path) -> dict:
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="wansettings",
        WAN_ENGINE=engine,
        WAN_WARM=str(warm),
        PYTHONPATH=f"{ROOT}{os.pathsep}{project}",
        SSL_CERT_FILE=str(cert_store),
    )
    started = time.time()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, repr(started)],
        env=env,
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rtts", default="0,10,20,80", help="round trip times in ms")
    parser.add_argument("--warm", type=int, default=10)
    parser.add_argument("--output", default=str(ROOT / "bench" / "WAN.md"))
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "DJANGO_PRISMA_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = parser.parse_args(argv)
    rtts = [float(v) for v in args.rtts.split(",")]
    rows = []
    proxies = []
    terminator = None
    try:
        with (
            throwaway_executor(args.postgres, "dp_wan") as server,
            tempfile.TemporaryDirectory() as tmp,
        ):
            tmp = Path(tmp)
            with psycopg.connect(server.database_url, autocommit=True) as pg:
                pg.execute("CREATE TABLE wan_item (id bigserial PRIMARY KEY, name text, value int)")
                pg.execute(
                    "INSERT INTO wan_item (name, value) SELECT 'i' || g, g FROM generate_series(1, 20) g"
                )
            ca, cert, key = make_certificate(tmp)
            store = tmp / "store.pem"
            system = ssl.get_default_verify_paths().cafile
            store.write_bytes((Path(system).read_bytes() if system else b"") + ca.read_bytes())
            executor_port = int(server.url.split(":")[2].split("/")[0])
            # The delay sits in front of the TLS terminator, so that the handshake's flights
            # cross the slow link too and count as round trips.
            terminator = TLSForwarder(executor_port, cert, key)
            https = DelayProxy("127.0.0.2", ("127.0.0.2", terminator.port))
            info = psycopg.conninfo.conninfo_to_dict(server.database_url)
            tcp = DelayProxy(
                "127.0.0.1", (info.get("host", "127.0.0.1"), int(info.get("port", 5432)))
            )
            proxies = [https, tcp]
            api_key = server.url.split("api_key=", 1)[1]
            native = {"ENGINE": "django.db.backends.postgresql", "NAME": info["dbname"],
                      "USER": info.get("user", "postgres"), "HOST": "127.0.0.1",
                      "PORT": str(tcp.port), "OPTIONS": {"sslmode": "disable"}}  # fmt: skip
            write_project(
                tmp, f"prisma+postgres://127.0.0.2:{https.port}/?api_key={api_key}", native
            )
            for index, rtt in enumerate(rtts):
                for proxy in proxies:
                    proxy.rtt = rtt / 1000
                order = [("django_prisma", "prisma", https), ("native psycopg", "native", tcp)]
                for name, engine, proxy in order if index % 2 == 0 else order[::-1]:
                    result = run_child(tmp, engine, args.warm, store)
                    counted = {phase: proxy.count(*span) for phase, span in result["marks"].items()}
                    rows.append((rtt, name, result, counted))
                    print(
                        f"{rtt:>4.0f} ms {name:<15} cold {(result['marks']['cold'][1] - result['marks']['cold'][0]) * 1e3:7.1f} ms",
                        flush=True,
                    )
    finally:
        for proxy in proxies:
            proxy.close()
        if terminator is not None:
            terminator.close()
    write_report(args, rows)
    return 0


def write_report(args, rows) -> None:
    lines = [
        "# django_prisma vs the native backend over an emulated slow link",
        "",
        "    " + shlex.join(["python", "bench/wan.py", *sys.argv[1:]]),
        "",
        (__doc__ or "").split("\n\n", 1)[1].strip(),
        "",
        "Times in ms (round trips counted at the proxy / new TCP connections). Warm get-by-pk"
        f" is the median of {args.warm}, atomic() the median of 3; idle rows are one query each.",
        "",
        "| RTT | backend | cold start | warm get | atomic() (5 statements) | after 1 s idle | after 4.5 s idle | after 8 s idle |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for rtt, name, result, counted in rows:
        marks = result["marks"]

        def cell(ms, phase, per=1, counted=counted):
            turns, connections = counted[phase]
            return f"{ms:.1f} ({turns / per:g} rt / {connections / per:g} conn)"

        cold = (marks["cold"][1] - marks["cold"][0]) * 1e3
        cells = [
            cell(cold, "cold"),
            cell(result["warm"] * 1e3, "warm", args.warm),
            cell(result["atomic"] * 1e3, "atomic", 3),
            *(cell(result["idle"][str(s)] * 1e3, f"idle {s}") for s in IDLE),
        ]
        lines.append(f"| {rtt:.0f} | {name} | " + " | ".join(cells) + " |")
    Path(args.output).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
