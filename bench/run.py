"""The django_prisma benchmark: one command, four contenders, the same workloads, alternating.

    python bench/run.py [--quick] [--only get_pk,atomic5] [--no-peer] [--output bench/RESULTS.md]

Starts Prisma's executor in front of a fresh database on the local PostgreSQL, then runs every
workload against, in turn:

  (a) django_prisma    Django ORM → django_prisma → HTTP → executor → PostgreSQL
  (b) django_pg        Django ORM → Django's PostgreSQL backend (psycopg) → the same PostgreSQL
  (c) bare_http        the very requests (a) sent for that workload, replayed with urllib3 and
                       decoded with orjson: no Django, no driver (the protocol floor)
  (d) prisma_js        Prisma Client JS 7 with accelerateUrl → the same executor (the peer;
                       one small Node script per workload in bench/peer/workloads/)

Each iteration runs every contender once, in an order that rotates, so that noise from the shared
machine spreads over all of them. Writes a Markdown report with medians, p95 and ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

import django  # noqa: E402
import orjson  # noqa: E402
import urllib3  # noqa: E402
from django.conf import settings  # noqa: E402

from django_prisma.devserver import LocalServer, with_database  # noqa: E402
from django_prisma.devserver.runtime import ensure_runtime, node_binary  # noqa: E402

POSTGRES_URL = os.environ.get(
    "DJANGO_PRISMA_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"
)
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "django-prisma"
PRISMA_ORACLE = ROOT.parent / "shared" / "prisma-oracle"
CONTENDERS = ("django_prisma", "django_pg", "bare_http", "prisma_js")
N_AUTHORS = 100
N_BOOKS = 10_000
NOTES_MARKER = "<!-- notes: kept by bench/run.py -->"


# -- Django ---------------------------------------------------------------------------------
def configure_django(prisma_url: str, postgres_url: str) -> None:
    from urllib.parse import urlsplit

    pg = urlsplit(postgres_url)
    settings.configure(
        SECRET_KEY="bench",
        USE_TZ=True,
        TIME_ZONE="UTC",
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "django.contrib.sessions",
            "django.contrib.admin",
            "benchapp",
        ],
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": pg.path.lstrip("/"),
                "USER": pg.username or "postgres",
                "PASSWORD": pg.password or "",
                "HOST": pg.hostname,
                "PORT": pg.port or 5432,
            },
            "django_prisma": {"ENGINE": "django_prisma", "URL": prisma_url},
        },
    )
    django.setup()


def create_and_seed() -> None:
    from decimal import Decimal

    from benchapp.models import Author, Book, Event
    from django.db import connections

    with connections["default"].schema_editor() as editor:
        for model in (Author, Book, Event):
            editor.create_model(model)
    rnd = random.Random(6)
    countries = ["DE", "FR", "US", "JP", "BR", "IN", "NG", "SE"]
    Author.objects.bulk_create(
        Author(name=f"Author {i}", country=countries[i % len(countries)]) for i in range(N_AUTHORS)
    )
    author_ids = list(Author.objects.values_list("id", flat=True))
    Book.objects.bulk_create(
        (
            Book(
                title=f"Book {i}",
                pages=rnd.randint(50, 1000),
                price=Decimal(rnd.randint(100, 99_999)) / 100,
                published=dt.date(1990, 1, 1) + dt.timedelta(days=rnd.randint(0, 12_000)),
                author_id=rnd.choice(author_ids),
            )
            for i in range(N_BOOKS)
        ),
        batch_size=2000,
    )


CONTRIB_TABLES = [
    "django_admin_log",
    "auth_user_groups",
    "auth_user_user_permissions",
    "auth_group_permissions",
    "auth_permission",
    "auth_group",
    "auth_user",
    "django_session",
    "django_content_type",
    "django_migrations",
]


class Workload:
    """``django(alias, arg)`` runs it through the ORM; ``peer`` names the Node script."""

    def __init__(self, name, title, django_fn, *, arg=None, peer=True, bare=True, prepare=None):
        self.name = name
        self.title = title
        self.django = django_fn
        self.arg = arg or (lambda rnd, i: None)
        self.peer = name if peer else None
        self.bare = bare
        self.prepare = prepare  # untimed, before each run of each contender


def build_workloads():
    from benchapp.models import Author, Book, Event
    from django.core.management import call_command
    from django.db import connections, transaction
    from django.db.models import Avg, Count, F
    from django.utils import timezone

    def get_pk(alias, pk):
        return Book.objects.using(alias).get(pk=pk).id

    def page(alias, pages):
        qs = (
            Book.objects.using(alias)
            .select_related("author")
            .filter(pages__gt=pages)
            .order_by("-price", "id")[:20]
        )
        return len(list(qs))

    def values_annotate(alias, _):
        qs = (
            Book.objects.using(alias)
            .values("author_id")
            .annotate(n=Count("id"), avg=Avg("price"))
            .order_by()
        )
        return len(list(qs))

    def insert(alias, i):
        return (
            Event.objects.using(alias)
            .create(kind="single", payload=f"event {i}", value=i, created=timezone.now())
            .id
        )

    def update(alias, pk):
        return Book.objects.using(alias).filter(pk=pk).update(pages=F("pages") + 1)

    def atomic5(alias, pk):
        with transaction.atomic(using=alias):
            book = Book.objects.using(alias).get(pk=pk)
            Event.objects.using(alias).create(
                kind="atomic", payload=f"book {pk}", value=book.pages, created=timezone.now()
            )
            Book.objects.using(alias).filter(pk=pk).update(pages=F("pages") + 1)
            n = Event.objects.using(alias).filter(kind="atomic").count()
            Author.objects.using(alias).get(pk=book.author_id)
        return n

    def atomic5_nested(alias, pk):
        # The same five statements, four of them inside nested savepoints (three levels deep).
        with transaction.atomic(using=alias):
            book = Book.objects.using(alias).get(pk=pk)
            with transaction.atomic(using=alias):
                Event.objects.using(alias).create(
                    kind="atomic", payload=f"book {pk}", value=book.pages, created=timezone.now()
                )
                with transaction.atomic(using=alias):
                    Book.objects.using(alias).filter(pk=pk).update(pages=F("pages") + 1)
                    with transaction.atomic(using=alias):
                        pass  # a savepoint with nothing in it
            with transaction.atomic(using=alias):
                n = Event.objects.using(alias).filter(kind="atomic").count()
            with transaction.atomic(using=alias):
                Author.objects.using(alias).get(pk=book.author_id)
        return n

    def bulk_create(alias, n):
        now = timezone.now()
        return len(
            Event.objects.using(alias).bulk_create(
                Event(kind="bulk", payload=f"bulk event {i}", value=i, created=now)
                for i in range(n)
            )
        )

    def read_10k(alias, _):
        return len(list(Book.objects.using(alias).all()))

    def drop_contrib(alias):
        from django.contrib.contenttypes.models import ContentType

        with connections["default"].cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {', '.join(CONTRIB_TABLES)} CASCADE")
        ContentType.objects.clear_cache()

    def migrate(alias, _):
        call_command("migrate", database=alias, verbosity=0, interactive=False)
        return 0

    return [
        Workload("get_pk", "get by pk", get_pk, arg=lambda r, i: r.randint(1, N_BOOKS)),
        Workload(
            "page_select_related",
            "page of 20 of 10,000, select_related, ordered",
            page,
            arg=lambda r, i: r.randint(100, 400),
        ),
        Workload("values_annotate", "values() + annotate(Count, Avg)", values_annotate),
        Workload("insert", "single insert (create)", insert, arg=lambda r, i: i),
        Workload("update", "update() by pk", update, arg=lambda r, i: r.randint(1, N_BOOKS)),
        Workload(
            "atomic5",
            "atomic() block, 5 statements",
            atomic5,
            arg=lambda r, i: r.randint(1, N_BOOKS),
        ),
        Workload(
            "atomic5_nested",
            "atomic(), 5 statements in nested savepoints",
            atomic5_nested,
            arg=lambda r, i: r.randint(1, N_BOOKS),
            peer=False,
        ),
        Workload("bulk_create", "bulk_create of 1,000 rows", bulk_create, arg=lambda r, i: 1000),
        Workload(
            "migrate_contrib",
            "migrate contrib apps from empty",
            migrate,
            peer=False,
            bare=False,
            prepare=drop_contrib,
        ),
        Workload("read_10k", "10,000-row read (all())", read_10k),
    ]


# -- (c) the bare protocol ------------------------------------------------------------------
class Recorder:
    """Wraps django_prisma's transport to keep the requests one workload run sends."""

    def __init__(self, transport):
        self.transport = transport
        self.requests = []
        self._original = transport.request

    def __enter__(self):
        def request(method, path, body=None, **kwargs):
            self.requests.append((method, path, body))
            return self._original(method, path, body, **kwargs)

        self.transport.request = request
        return self

    def __exit__(self, *exc):
        del self.transport.request


class BareHTTP:
    """Replays recorded requests with urllib3 + orjson on a keep-alive socket."""

    def __init__(self, host: str, port: int, api_key: str, engine_hash: str):
        self.pool = urllib3.HTTPConnectionPool(host, port, maxsize=1, retries=False)
        self.headers = {
            "Authorization": f"Bearer {api_key}",
            "Prisma-Engine-Hash": engine_hash,
            "Content-Type": "application/json",
            "Accept": "application/json",
        }

    def replay_recorded(self, requests):
        # The recorded start's id is in the later paths: find it, then substitute the new one.
        ids = [p.split("/")[2] for _, p, _ in requests if p.startswith("/transaction/")]
        ids = [i for i in ids if i != "start"]
        tx_old = ids[0] if ids else None
        tx_new = None
        for method, path, body in requests:
            if tx_old and tx_old in path:
                path = path.replace(tx_old, tx_new)
            response = self.pool.urlopen(method, path, body=body, headers=self.headers)
            if response.status != 200:
                raise RuntimeError(f"bare replay: HTTP {response.status} {response.data[:300]!r}")
            value = orjson.loads(response.data)
            if path == "/transaction/start":
                tx_new = value["id"]


# -- (d) the peer ---------------------------------------------------------------------------
def peer_dir() -> Path:
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json", "schema.prisma"):
        digest.update((BENCH / "peer" / name).read_bytes())
    return CACHE / f"bench-peer-{digest.hexdigest()[:12]}"


def install_peer(log) -> Path:
    target = peer_dir()
    if (target / ".ready").exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json", "schema.prisma"):
        shutil.copy(BENCH / "peer" / name, target / name)
    log(f"installing the Prisma Client JS peer into {target} (npm ci)")
    subprocess.run(
        ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=target,
        check=True,
    )
    env = dict(os.environ)
    shim = PRISMA_ORACLE / "schema-engine-shim"
    if shim.exists():  # offline `prisma generate` (see ../shared/prisma-oracle/README.md)
        env["PRISMA_SCHEMA_ENGINE_BINARY"] = str(shim)
    subprocess.run(
        [node_binary(ensure_runtime()), "node_modules/prisma/build/index.js", "generate"]
        + ["--schema", "schema.prisma"],
        cwd=target,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (target / ".ready").write_text("ok\n")
    return target


class Peer:
    def __init__(self, directory: Path, accelerate_url: str):
        self.process = subprocess.Popen(
            [node_binary(ensure_runtime()), str(BENCH / "peer" / "peer.mjs")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={
                **os.environ,
                "BENCH_PEER_DIR": str(directory),
                "BENCH_ACCELERATE_URL": accelerate_url,
            },
        )
        ready = json.loads(self.process.stdout.readline())
        assert ready.get("ready"), ready

    def run(self, workload: str, arg) -> float:
        self.process.stdin.write(json.dumps({"workload": workload, "arg": arg}).encode() + b"\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        if "error" in answer:
            raise RuntimeError(f"prisma_js {workload}: {answer['error']}")
        return answer["ms"] / 1000

    def close(self):
        self.process.stdin.close()
        self.process.wait(10)


# -- measuring ------------------------------------------------------------------------------
def summarize(samples):
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def run_workload(workload, iterations, warmup, contenders, peer, bare, log):
    from django.db import connections

    prisma_conn = connections["django_prisma"]
    rnd = random.Random(hash(workload.name) & 0xFFFF)
    samples = {name: [] for name in contenders}
    requests_per_run = []
    recorded = None
    active = [
        c
        for c in contenders
        if (c != "prisma_js" or (workload.peer and peer))
        and (c != "bare_http" or (workload.bare and bare))
    ]
    for i in range(warmup + iterations):
        arg = workload.arg(rnd, i)
        order = active[i % len(active) :] + active[: i % len(active)]
        # (c) replays what (a) sent: (a) must have run once first.
        if "bare_http" in order and recorded is None:
            order.remove("django_prisma")
            order.insert(0, "django_prisma")
        for name in order:
            if workload.prepare:
                workload.prepare(name)
            if name == "prisma_js":
                elapsed = peer.run(workload.peer, arg)
            elif name == "bare_http":
                start = time.perf_counter()
                bare.replay_recorded(recorded)
                elapsed = time.perf_counter() - start
            else:
                alias = "default" if name == "django_pg" else "django_prisma"
                if name == "django_prisma":
                    prisma_conn.ensure_connection()
                    transport = prisma_conn.connection.transport
                    with Recorder(transport) as recorder:
                        start = time.perf_counter()
                        workload.django(alias, arg)
                        elapsed = time.perf_counter() - start
                    recorded = recorder.requests
                    requests_per_run.append(len(recorder.requests))
                else:
                    start = time.perf_counter()
                    workload.django(alias, arg)
                    elapsed = time.perf_counter() - start
            if i >= warmup:
                samples[name].append(elapsed)
    log(
        f"  {workload.name:<20} "
        + "  ".join(f"{n}={statistics.median(s) * 1000:.2f}ms" for n, s in samples.items() if s)
    )
    return samples, (max(requests_per_run) if requests_per_run else None)


def machine_facts(server_url) -> dict:
    import psycopg

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    runtime = ensure_runtime()
    node = node_binary(runtime)

    def version_of(package_json: Path) -> str:
        try:
            return json.loads(package_json.read_text())["version"]
        except (OSError, KeyError, ValueError):
            return "?"

    from django.db import connections

    with connections["default"].cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "django_prisma", "bench"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "git": commit + (" (+ uncommitted changes)" if dirty else ""),
        "machine": f"{platform.machine()}, {cpu}, {os.cpu_count()} CPUs (shared), "
        f"load average {os.getloadavg()[0]:.2f} at start",
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "psycopg": psycopg.__version__,
        "urllib3": urllib3.__version__,
        "orjson": orjson.__version__,
        "postgresql": pg_version,
        "node": subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip(),
        "executor": "@prisma/query-plan-executor "
        + version_of(runtime / "node_modules/@prisma/query-plan-executor/package.json"),
        "peer": "@prisma/client "
        + version_of(peer_dir() / "node_modules/@prisma/client/package.json"),
    }


def fmt_ms(seconds) -> str:
    if seconds is None:
        return "–"
    ms = seconds * 1000
    return f"{ms:.2f}" if ms < 100 else f"{ms:.0f}"


def write_report(path: Path, command: str, facts, results, iterations_note, load_end) -> str:
    lines = [
        "# django_prisma benchmark",
        "",
        "Produced by:",
        "",
        "```",
        command,
        "```",
        "",
        'Topology: Prisma\'s executor (`@prisma/query-plan-executor`, as `LocalServer("executor")`'
        " starts it) in front of PostgreSQL 15 on this machine; every contender talks to the same "
        "database.",
        "",
        "- **(a) django_prisma**: Django ORM → django_prisma → HTTP → executor → PostgreSQL",
        "- **(b) django_pg**: Django ORM → Django's own PostgreSQL backend (psycopg 3) → PostgreSQL"
        " (the floor)",
        "- **(c) bare_http**: the exact requests (a) sent for the workload, replayed with urllib3 "
        "and decoded with orjson, no Django (the protocol floor)",
        "- **(d) prisma_js**: Prisma Client JS with `accelerateUrl` → the same executor (the peer; "
        "`bench/peer/workloads/*.mjs`)",
        "",
        "Milliseconds per workload run, wall clock; median / p95 over the iterations; contenders "
        "alternate within each iteration (rotating order). Ratios are of medians. `req (a)` is the"
        " number of HTTP requests (a) sends per run.",
        "",
        "| workload | (a) django_prisma | (b) django_pg | (c) bare_http | (d) prisma_js "
        "| (a)/(b) | (a)/(c) | (a)/(d) | req (a) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for workload, samples, requests in results:
        stats = {n: summarize(s) if s else None for n, s in samples.items()}
        cells = []
        for name in CONTENDERS:
            st = stats.get(name)
            cells.append(f"{fmt_ms(st[0])} / {fmt_ms(st[1])}" if st else "n/a")
        a = stats["django_prisma"][0]
        ratios = []
        for name in ("django_pg", "bare_http", "prisma_js"):
            st = stats.get(name)
            ratios.append(f"{a / st[0]:.2f}" if st else "n/a")
        lines.append(
            f"| {workload.title} | " + " | ".join(cells + ratios) + f" | {requests or 0} |"
        )
    lines += ["", "Iterations: " + iterations_note, "", "Machine:", ""]
    for key, value in facts.items():
        lines.append(f"- {key}: {value}")
    lines.append(f"- load average at the end: {load_end:.2f}")
    text = "\n".join(lines) + "\n"
    # Hand-written notes below the marker survive a new run.
    if path.exists() and NOTES_MARKER in (previous := path.read_text()):
        text += "\n" + previous[previous.index(NOTES_MARKER) :]
    path.write_text(text)
    return text


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run, under a minute")
    parser.add_argument("--only", help="comma-separated workload names")
    parser.add_argument("--no-peer", action="store_true", help="skip Prisma Client JS")
    parser.add_argument("--iterations", type=int, help="iterations per workload (default 100)")
    parser.add_argument("--output", default=str(BENCH / "RESULTS.md"))
    args = parser.parse_args(argv)
    command = "python bench/run.py " + " ".join(sys.argv[1:] if argv is None else argv)

    def log(message):
        print(message, file=sys.stderr, flush=True)

    started = time.monotonic()
    base = args.iterations or (15 if args.quick else 100)
    heavy = max(3, base // 5)
    migrate_n = 2 if args.quick else 5
    warmup = 2 if args.quick else 5

    peer_path = None if args.no_peer else install_peer(log)
    database_url = with_database(POSTGRES_URL, f"dp_bench_{uuid.uuid4().hex[:8]}")
    with LocalServer(
        "executor", database_url=database_url, fresh_database=True, drop_database_on_exit=True
    ) as server:
        configure_django(server.url, database_url)
        from django.db import connections

        create_and_seed()
        facts = machine_facts(server.url)
        endpoint = connections["django_prisma"].get_connection_params()
        from django_prisma.dbapi.url import parse_url

        ep = parse_url(endpoint["url"], endpoint["api_key"])
        bare = BareHTTP(ep.host, ep.port, ep.api_key, "7.2.0")
        peer = Peer(peer_path, server.url) if peer_path else None
        log(f"server {server.url.split('?')[0]} ready after {time.monotonic() - started:.1f}s")
        results = []
        try:
            for workload in build_workloads():
                if args.only and workload.name not in args.only.split(","):
                    continue
                if workload.name == "migrate_contrib":
                    n, w = migrate_n, 1
                elif workload.name in ("bulk_create", "read_10k"):
                    n, w = heavy, 1
                else:
                    n, w = base, warmup
                samples, requests = run_workload(workload, n, w, CONTENDERS, peer, bare, log)
                results.append((workload, samples, requests))
                with connections["default"].cursor() as cursor:
                    cursor.execute("TRUNCATE bench_event")
        finally:
            if peer:
                peer.close()
            connections.close_all()
    note = (
        f"{base} per workload ({warmup} warm-up), {heavy} for bulk_create and read_10k, "
        f"{migrate_n} for migrate_contrib (1 warm-up each); total time "
        f"{time.monotonic() - started:.0f} s"
    )
    text = write_report(Path(args.output), command, facts, results, note, os.getloadavg()[0])
    print(text)


if __name__ == "__main__":
    main()
