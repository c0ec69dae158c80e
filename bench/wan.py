"""django_prisma far from its database: Django on django_prisma against Django's native backend
over an emulated wide-area link, at several round-trip times, alternating, in one run.

    sudo .venv/bin/python bench/wan.py [--rtt 0,10,20,80] [--iterations 20] [--quick]
                                       [--output bench/WAN.md]

Needs root (network namespaces and TUN devices; bench/wan_net.py builds the link, all of it
inside two namespaces made for the run and removed at exit) and the machine's PostgreSQL. It
starts Prisma's executor on a throw-away database and a throw-away TLS-enabled PostgreSQL cluster,
then, on the client side of the link, runs Django processes (bench/wan_client.py):

  prisma          django_prisma → HTTPS (TLS 1.3, terminated on the far side) → the executor
  native          Django's backend (psycopg, sslmode=prefer) → the local PostgreSQL (no TLS)
  native-require  Django's backend (psycopg, sslmode=require) → the TLS-enabled cluster

and counts, at the proxies on the far side, the TCP connections, TLS handshakes (and TLS session
resumptions), request/response rounds and the upstream server's own time per round. The report
gives the medians and, per round, the client-side time: the total less the upstream time and the
link's round trips.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

import wan_net  # noqa: E402

POSTGRES_URL = os.environ.get(
    "DJANGO_PRISMA_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"
)
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
BACKENDS = ("prisma", "native", "native-require")
# Cold starts also with OPTIONS["preconnect"]: the handshakes made while Django imports models.
COLD_BACKENDS = (*BACKENDS, "prisma-preconnect")
WARM = ("get_pk", "page", "atomic5", "new_connection")
ADMIN = ("changelist", "change_post", "changelist_new_connection", "change_post_new_connection")
IDLE = ("idle_1", "idle_4.5", "idle_8")
N_AUTHORS, N_BOOKS = 100, 2000
PORTS = {"prisma": 443, "native": 5432, "native-require": 5433}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the throw-away TLS PostgreSQL cluster ---------------------------------------------------------
class TlsPostgres:
    """A PostgreSQL cluster of its own with ssl=on (the machine's has TLS off)."""

    def __init__(self, directory: Path, crt: str, key: str):
        self.data = directory / "pgdata"
        self.port = free_port()
        self.data.mkdir(parents=True)
        shutil.chown(directory, "postgres")
        shutil.chown(self.data, "postgres")
        self._as_postgres(PG_BIN / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres")
        for source, name in ((crt, "server.crt"), (key, "server.key")):
            target = self.data / name
            shutil.copyfile(source, target)
            shutil.chown(target, "postgres")
            target.chmod(0o600)
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.data}'\nssl = on\n"
                "fsync = off\nsynchronous_commit = off\n"
            )
        self._as_postgres(
            PG_BIN / "pg_ctl", "-D", self.data, "-l", self.data / "log", "-w", "start"
        )
        self._as_postgres(PG_BIN / "createdb", "-h", "127.0.0.1", "-p", self.port, "wan")

    @staticmethod
    def _as_postgres(*argv) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *map(str, argv)], check=True, capture_output=True
        )

    def stop(self) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(self.data),
             "-m", "immediate", "stop"],
            check=False, capture_output=True,
        )  # fmt: skip


# -- data -----------------------------------------------------------------------------------------
def seed(databases: dict[str, dict]) -> None:
    """The same tables and rows in every database (Django's native backend, straight to each)."""
    from django.conf import settings

    settings.configure(
        SECRET_KEY="wan-bench",
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "django.contrib.sessions",
            "django.contrib.messages",
            "django.contrib.admin",
            "benchapp",
        ],
        DATABASES=databases,
    )
    import django
    from django.core.management import call_command

    django.setup()
    from benchapp.models import Author, Book, Event
    from django.contrib.auth.models import User
    from django.db import connections

    for alias in databases:
        call_command("migrate", database=alias, verbosity=0)
        with connections[alias].schema_editor() as editor:
            for model in (Author, Book, Event):
                editor.create_model(model)
        rnd = random.Random(14)
        authors = Author.objects.using(alias).bulk_create(
            Author(name=f"Author {i}", country="DE") for i in range(N_AUTHORS)
        )
        Book.objects.using(alias).bulk_create(
            Book(
                title=f"Book {i}",
                pages=rnd.randint(50, 1000),
                price=Decimal(rnd.randint(100, 99_999)) / 100,
                published=dt.date(1990, 1, 1) + dt.timedelta(days=rnd.randint(0, 12_000)),
                author_id=rnd.choice(authors).pk,
            )
            for i in range(N_BOOKS)
        )
        User.objects.db_manager(alias).create_superuser("wan", "wan@example.com", "wan")
        connections[alias].close()


# -- runs -----------------------------------------------------------------------------------------
def client_run(link, config: dict, timeout: float) -> dict:
    config = {**config, "spawned_at": time.time()}
    argv = link.client_command(sys.executable, str(BENCH / "wan_client.py"), json.dumps(config))
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    if proc.returncode != 0 or not proc.stdout.strip():
        raise RuntimeError(f"client {config['backend']} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rtt", default="0,10,20,80", help="round-trip times in ms")
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--cold-runs", type=int, default=5, help="new processes per backend")
    parser.add_argument("--idle-repeats", type=int, default=2)
    parser.add_argument("--no-admin", action="store_true", help="skip the admin scenarios")
    parser.add_argument("--no-idle", action="store_true", help="skip the idle-gap scenarios")
    parser.add_argument("--quick", action="store_true", help="few iterations: a smoke run")
    parser.add_argument("--output", default=str(BENCH / "WAN.md"))
    args = parser.parse_args(argv)
    if args.quick:
        args.iterations, args.warmup, args.cold_runs, args.idle_repeats = 4, 1, 2, 1
    if os.geteuid() != 0:
        parser.error("needs root: it makes network namespaces and TUN devices")
    rtts = [float(x) for x in args.rtt.split(",")]
    scenarios = list(WARM) + ([] if args.no_admin else list(ADMIN))
    scenarios += [] if args.no_idle else list(IDLE)
    command = "python bench/wan.py " + " ".join(argv if argv is not None else sys.argv[1:])

    from django_prisma.devserver import throwaway_executor

    cleanup = []

    def close_all(*_):
        while cleanup:
            try:
                cleanup.pop()()
            except Exception as error:  # keep tearing down the rest
                print(f"teardown: {error}", file=sys.stderr)

    atexit.register(close_all)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))

    # As an installed package is: compiled once, not in every process (an editable checkout run
    # with PYTHONDONTWRITEBYTECODE would compile its modules at every cold start).
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "django_prisma")], check=True
    )
    work = Path(tempfile.mkdtemp(prefix="dp-wan-"))
    cleanup.append(lambda: shutil.rmtree(work, ignore_errors=True))
    os.chmod(work, 0o755)
    ca, crt, key = wan_net.make_certificates(str(work))
    os.chmod(ca, 0o644)
    print("starting Prisma's executor and a TLS PostgreSQL cluster ...", flush=True)
    executor = throwaway_executor(POSTGRES_URL, "dp_wan")
    executor.start()
    cleanup.append(executor.stop)
    tls_pg = TlsPostgres(work / "tls", crt, key)
    cleanup.append(tls_pg.stop)

    executor_db = urlsplit(executor.database_url)
    api_key = parse_qs(urlsplit(executor.url).query)["api_key"][0]
    seed(
        {
            "default": {
                "ENGINE": "django.db.backends.postgresql", "HOST": "127.0.0.1", "PORT": 5432,
                "NAME": executor_db.path.lstrip("/"), "USER": "postgres",
            },
            "tls": {
                "ENGINE": "django.db.backends.postgresql", "HOST": "127.0.0.1",
                "PORT": tls_pg.port, "NAME": "wan", "USER": "postgres",
            },
        }
    )  # fmt: skip

    link = wan_net.Link()
    cleanup.append(link.close)
    tls = wan_net.server_tls_context(crt, key)
    proxies = {
        "prisma": wan_net.Proxy(
            link.server_ns, PORTS["prisma"], executor.port, str(work / "prisma.stats"), tls=tls
        ),
        "native": wan_net.Proxy(link.server_ns, PORTS["native"], 5432, str(work / "native.stats")),
        "native-require": wan_net.Proxy(
            link.server_ns, PORTS["native-require"], tls_pg.port, str(work / "require.stats")
        ),
    }
    for proxy in proxies.values():
        cleanup.append(proxy.close)
    base_config = {
        "prisma": {
            "url": f"prisma+postgres://{wan_net.SERVER_ADDRESS}:{PORTS['prisma']}/",
            "token": api_key,
        },
        "native": {
            "host": wan_net.SERVER_ADDRESS, "port": PORTS["native"],
            "name": executor_db.path.lstrip("/"),
        },
        "native-require": {
            "host": wan_net.SERVER_ADDRESS, "port": PORTS["native-require"], "name": "wan",
        },
    }  # fmt: skip
    for backend, config in base_config.items():
        config.update(backend=backend, ca=ca, stats=proxies[backend].stats.path, pk=1)

    results: dict = {"cold": {}, "warm": {}}
    for rtt in rtts:
        link.set_rtt(rtt)
        print(f"RTT {rtt:g} ms: cold starts", flush=True)
        cold: dict = {backend: [] for backend in COLD_BACKENDS}
        for round_number in range(args.cold_runs):
            turn = round_number % len(COLD_BACKENDS)
            for backend in COLD_BACKENDS[turn:] + COLD_BACKENDS[:turn]:
                config = {**base_config[backend.split("-preconnect")[0]], "mode": "cold"}
                config["preconnect"] = backend.endswith("-preconnect")
                cold[backend].append(client_run(link, config, timeout=120))
        results["cold"][rtt] = cold
        print(f"RTT {rtt:g} ms: warm scenarios", flush=True)
        warm = {}
        for backend in BACKENDS:
            config = {
                **base_config[backend],
                "mode": "warm",
                "scenarios": scenarios,
                "iterations": args.iterations,
                "warmup": args.warmup,
                "idle_repeats": args.idle_repeats,
            }
            warm[backend] = client_run(link, config, timeout=3600)
        results["warm"][rtt] = warm

    report = write_report(Path(args.output), command, rtts, results, scenarios)
    print(report)
    return 0


# -- report ---------------------------------------------------------------------------------------
def _median(runs, key):
    return statistics.median(run[key] for run in runs)


def client_side_per_round(result: dict, rtt: float) -> float | None:
    """Client-side milliseconds per round: the mean total less the upstream server's time and
    the link's round trips (handshakes included), divided by the rounds."""
    rounds = result["rounds"]
    if rounds <= 0:
        return None
    # A TCP handshake per new connection, a TLS 1.3 handshake (resumed or not: one round trip)
    # where the terminator saw one; psycopg's own TLS negotiation is among its rounds.
    trips = rounds + result["connections"] + result["tls_handshakes"]
    return (result["mean_ms"] - result["upstream_ms"] - trips * rtt) / rounds


def cpu_per_round(result: dict) -> str:
    """The client process's own CPU time per round (idle scenarios do not measure it)."""
    if "cpu_ms" not in result or result["rounds"] <= 0:
        return "–"
    return f"{result['cpu_ms'] / result['rounds']:.2f}"


def write_report(path: Path, command: str, rtts, results, scenarios) -> str:
    lines = [
        "# django_prisma far from the database (bench/wan.py)",
        "",
        f"Command: `{command}`  ",
        f"Run: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.node() or 'this machine'}"
        f" ({os.cpu_count()} cores, Python {platform.python_version()}, load "
        f"{os.getloadavg()[0]:.1f}).",
        "",
        "The link: two network namespaces joined by TUN devices, each packet held RTT/2 each way "
        "by a userspace loop. prisma: HTTPS (TLS 1.3) to a terminator in front of Prisma's "
        "executor; native: psycopg, sslmode=prefer, to the same PostgreSQL (no TLS there, so "
        "psycopg's SSL request is refused); native-require: psycopg, sslmode=require, to a "
        "TLS-enabled cluster. Counts are per operation, at the far side of the link. "
        "django_prisma verifies the terminator against the system trust store plus the bench's "
        "CA (`ca_bundle`), psycopg against that CA alone (`sslrootcert`); django_prisma is "
        "compiled to bytecode first, as an installed package is (Django and psycopg are). CPU "
        "times are the client process's own (the far side runs on the same 2 cores).",
        "",
        "## Cold start (a new process: start to the first query's result; medians)",
        "",
        "| RTT ms | backend | process → first result ms | its CPU ms | django.setup() ms "
        "(CPU) | first query ms (CPU) | its rounds | its TCP connections |",
        "|--:|---|--:|--:|--:|--:|--:|--:|",
    ]
    for rtt in rtts:
        for backend, runs in results["cold"][rtt].items():
            lines.append(
                f"| {rtt:g} | {backend} | {_median(runs, 'process_to_first_result_ms'):.1f} | "
                f"{_median(runs, 'process_cpu_ms'):.1f} | "
                f"{_median(runs, 'django_setup_ms'):.1f} ({_median(runs, 'django_setup_cpu_ms'):.1f})"
                f" | {_median(runs, 'first_query_ms'):.1f} ({_median(runs, 'first_query_cpu_ms'):.1f})"
                f" | {_median(runs, 'first_query_rounds'):g} | "
                f"{_median(runs, 'first_query_connections'):g} |"
            )
    lines += [
        "",
        "## Scenarios on a running process (medians; counts per operation)",
        "",
        "| RTT ms | scenario | backend | median ms | rounds | TCP connections | TLS handshakes "
        "(resumed) | upstream ms | client-side ms per round | client CPU ms per round |",
        "|--:|---|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for rtt in rtts:
        for scenario in scenarios:
            for backend, by_scenario in results["warm"][rtt].items():
                r = by_scenario[scenario]
                client = client_side_per_round(r, rtt)
                lines.append(
                    f"| {rtt:g} | {scenario} | {backend} | {r['median_ms']:.1f} | "
                    f"{r['rounds']:.1f} | {r['connections']:.1f} | {r['tls_handshakes']:.1f} "
                    f"({r['tls_resumed']:.1f}) | {r['upstream_ms']:.2f} | "
                    f"{'–' if client is None else f'{client:.2f}'} | {cpu_per_round(r)} |"
                )
    text = "\n".join(lines) + "\n"
    path.write_text(text)
    return text


if __name__ == "__main__":
    sys.exit(main())
