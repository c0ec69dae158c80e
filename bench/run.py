"""The django_prisma benchmark: one command, four contenders, the same workloads, alternating.

    python bench/run.py [--topology postgresql|mysql] [--quick] [--only get_pk,atomic5]
                        [--no-peer] [--output bench/RESULTS.md]

Starts Prisma's executor in front of a fresh database on the local PostgreSQL (or, with
``--topology mysql``, the local MySQL/MariaDB), then runs every workload against, in turn:

  (a) django_prisma    Django ORM → django_prisma → HTTP → executor → PostgreSQL
                       (mysql: ENGINE django_prisma.mysql → executor → MySQL/MariaDB)
  (b) django_pg        Django ORM → Django's PostgreSQL backend (psycopg) → the same PostgreSQL
      django_mysql     (mysql) Django's MySQL backend → the same MySQL/MariaDB; its MySQLdb is
                       PyMySQL (``pymysql.install_as_MySQLdb()``): mysqlclient needs MySQL's C
                       headers to build
  (c) bare_http        the very requests (a) sent for that workload, replayed with urllib3 and
                       decoded with orjson: no Django, no driver (the protocol floor)
  (d) prisma_js        Prisma Client JS 7 with accelerateUrl → the same executor (the peer;
                       one small Node script per workload in bench/peer/workloads/; for
                       mysql its client is generated from bench/peer/schema.mysql.prisma)

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
# Any database URL of the MySQL/MariaDB server: the benchmark creates a database of its own.
MYSQL_URL = os.environ.get("DJANGO_PRISMA_TEST_MYSQL", "mysql://root@127.0.0.1:3306/mysql")
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "django-prisma"
PRISMA_ORACLE = ROOT.parent / "shared" / "prisma-oracle"


class Topology:
    """What differs between the database servers: the native contender, its settings, the
    peer's schema, the report's wording."""

    def __init__(self, name, *, server_url, native, native_engine, native_driver, database,
                 peer_schema, output):  # fmt: skip
        self.name = name
        self.server_url = server_url
        self.native = native  # the name of contender (b)
        self.native_engine = native_engine
        self.native_driver = native_driver  # how (b) reaches the database, for the report
        self.database = database  # the server, for the report
        self.peer_schema = peer_schema
        self.output = output
        self.contenders = ("django_prisma", native, "bare_http", "prisma_js")


TOPOLOGIES = {
    "postgresql": Topology(
        "postgresql",
        server_url=POSTGRES_URL,
        native="django_pg",
        native_engine="django.db.backends.postgresql",
        native_driver="Django's own PostgreSQL backend (psycopg 3)",
        database="PostgreSQL 15",
        peer_schema="schema.prisma",
        output="RESULTS.md",
    ),
    "mysql": Topology(
        "mysql",
        server_url=MYSQL_URL,
        native="django_mysql",
        native_engine="django.db.backends.mysql",
        native_driver="Django's own MySQL backend (PyMySQL as MySQLdb)",
        database="MariaDB",
        peer_schema="schema.mysql.prisma",
        output="RESULTS-mysql.md",
    ),
}
N_AUTHORS = 100
N_BOOKS = 10_000
NOTES_MARKER = "<!-- notes: kept by bench/run.py -->"


# -- Django ---------------------------------------------------------------------------------
def configure_django(topology: Topology, prisma_url: str, database_url: str) -> None:
    from urllib.parse import urlsplit

    if topology.name == "mysql":
        # Django's MySQL backend imports MySQLdb: PyMySQL stands in for mysqlclient, which
        # cannot be built without MySQL's C headers. django_prisma.mysql uses none of it (its
        # DatabaseWrapper.Database is the driver's).
        import pymysql

        pymysql.install_as_MySQLdb()
    db = urlsplit(database_url)
    native = {
        "ENGINE": topology.native_engine,
        "NAME": db.path.lstrip("/"),
        "USER": db.username or ("root" if topology.name == "mysql" else "postgres"),
        "PASSWORD": db.password or "",
        "HOST": db.hostname,
        "PORT": db.port or (3306 if topology.name == "mysql" else 5432),
    }
    prisma_engine = "django_prisma.mysql" if topology.name == "mysql" else "django_prisma"
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
            "default": native,
            "django_prisma": {"ENGINE": prisma_engine, "URL": prisma_url},
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
    if connections["default"].vendor == "mysql":
        # InnoDB recounts a table's statistics in the background some seconds after 10 % of it
        # changed; until then the optimizer takes bench_book for one row per author and joins
        # from bench_author, 5x slower for the page workload: measure the database as it will
        # be, not that moment.
        with connections["default"].cursor() as cursor:
            cursor.execute("ANALYZE TABLE bench_author, bench_book")
            cursor.fetchall()


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
            if connections["default"].vendor == "mysql":
                # MySQL checks foreign keys between the tables dropped by one statement.
                cursor.execute("SET foreign_key_checks = 0")
                cursor.execute(f"DROP TABLE IF EXISTS {', '.join(CONTRIB_TABLES)}")
                cursor.execute("SET foreign_key_checks = 1")
            else:
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


def sql_statements(requests) -> list[str]:
    """The SQL texts of the recorded requests' plans, in order (every ``rawSql`` node)."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "rawSql":
                found.append(node["sql"])
            else:
                for value in node.values():
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for _, _, body in requests:
        if body:
            walk(orjson.loads(body))
    return found


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
def peer_dir(schema: str = "schema.prisma") -> Path:
    """One installed and generated client per schema (the provider is generated into it)."""
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json", schema):
        digest.update((BENCH / "peer" / name).read_bytes())
    return CACHE / f"bench-peer-{digest.hexdigest()[:12]}"


def install_peer(log, schema: str = "schema.prisma") -> Path:
    target = peer_dir(schema)
    if (target / ".ready").exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(BENCH / "peer" / name, target / name)
    shutil.copy(BENCH / "peer" / schema, target / "schema.prisma")
    log(f"installing the Prisma Client JS peer into {target} (npm ci)")
    subprocess.run(
        ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=target,
        check=True,
    )
    env = dict(os.environ)
    shim = PRISMA_ORACLE / "schema-engine-shim"
    # `prisma generate` never runs the schema engine, but downloads it unless the variable
    # names an existing file: the offline stand-in where there is one, else any executable.
    env["PRISMA_SCHEMA_ENGINE_BINARY"] = str(shim) if shim.exists() else shutil.which("true")
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


def peer_accelerate_url(server_url: str) -> str:
    """The server's URL as Prisma Client reaches it over plain HTTP: the client speaks http only
    to a ``prisma+postgres://localhost…`` URL (https to every ``prisma://`` one); the scheme
    tells it nothing else, the provider is the generated client's."""
    if server_url.startswith("prisma://"):
        return "prisma+postgres://" + server_url[len("prisma://") :]
    return server_url


class Peer:
    def __init__(self, directory: Path, accelerate_url: str):
        self.process = subprocess.Popen(
            [node_binary(ensure_runtime()), str(BENCH / "peer" / "peer.mjs")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={
                **os.environ,
                "BENCH_PEER_DIR": str(directory),
                "BENCH_ACCELERATE_URL": peer_accelerate_url(accelerate_url),
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
    native = contenders[1]
    rnd = random.Random(hash(workload.name) & 0xFFFF)
    samples = {name: [] for name in contenders}
    requests_per_run = []
    statements_per_run = []
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
                alias = "default" if name == native else "django_prisma"
                if name == "django_prisma":
                    prisma_conn.ensure_connection()
                    transport = prisma_conn.connection.transport
                    with Recorder(transport) as recorder:
                        start = time.perf_counter()
                        workload.django(alias, arg)
                        elapsed = time.perf_counter() - start
                    recorded = recorder.requests
                    requests_per_run.append(len(recorder.requests))
                    statements_per_run.append(sql_statements(recorder.requests))
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
    counts = None
    if requests_per_run:
        most = max(statements_per_run, key=len)
        counts = {"requests": max(requests_per_run), "statements": len(most)}
        if workload.name == "bulk_create":
            log("    (a) sent: " + " | ".join(sql[:60] for sql in most))
            counts["inserts"] = len(inserts(most))
            counts["native_inserts"] = len(inserts(native_statements(workload)))
    return samples, counts


def native_statements(workload) -> list[str]:
    """The SQL that contender (b) runs for one more (untimed) run of the workload."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connections["default"]) as queries:
        workload.django("default", workload.arg(random.Random(0), 0))
    return [query["sql"] for query in queries.captured_queries]


def inserts(statements: list[str]) -> list[str]:
    return [sql for sql in statements if sql.lstrip()[:6].upper() == "INSERT"]


def machine_facts(topology: Topology) -> dict:
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
        cursor.execute("SELECT VERSION()" if topology.name == "mysql" else "SHOW server_version")
        server_version = cursor.fetchone()[0]
    if topology.name == "mysql":
        import pymysql

        native_driver = {"pymysql": ".".join(str(part) for part in pymysql.VERSION[:3])}
        server = {"mysql server": server_version}
    else:
        import psycopg

        native_driver = {"psycopg": psycopg.__version__}
        server = {"postgresql": server_version}
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
        **native_driver,
        "urllib3": urllib3.__version__,
        "orjson": orjson.__version__,
        **server,
        "node": subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip(),
        "executor": "@prisma/query-plan-executor "
        + version_of(runtime / "node_modules/@prisma/query-plan-executor/package.json"),
        "peer": "@prisma/client "
        + version_of(peer_dir(topology.peer_schema) / "node_modules/@prisma/client/package.json")
        + f" (provider {topology.name})",
    }


def fmt_ms(seconds) -> str:
    if seconds is None:
        return "–"
    ms = seconds * 1000
    return f"{ms:.2f}" if ms < 100 else f"{ms:.0f}"


def write_report(
    path: Path, topology: Topology, command: str, facts, results, iterations_note, load_end
) -> str:
    prisma_engine = "django_prisma.mysql" if topology.name == "mysql" else "django_prisma"
    native = topology.native
    lines = [
        "# django_prisma benchmark"
        + (" on MySQL/MariaDB (`django_prisma.mysql`)" if topology.name == "mysql" else ""),
        "",
        "Produced by:",
        "",
        "```",
        command,
        "```",
        "",
        'Topology: Prisma\'s executor (`@prisma/query-plan-executor`, as `LocalServer("executor")`'
        f" starts it) in front of {topology.database} on this machine; every contender talks to "
        "the same database.",
        "",
        f"- **(a) django_prisma**: Django ORM → `{prisma_engine}` → HTTP → executor → "
        f"{topology.database}",
        f"- **(b) {native}**: Django ORM → {topology.native_driver} → {topology.database}"
        " (the floor)",
        "- **(c) bare_http**: the exact requests (a) sent for the workload, replayed with urllib3 "
        "and decoded with orjson, no Django (the protocol floor)",
        "- **(d) prisma_js**: Prisma Client JS with `accelerateUrl` → the same executor (the peer; "
        f"`bench/peer/workloads/*.mjs`, client generated from `bench/peer/{topology.peer_schema}`)",
        "",
        "Milliseconds per workload run, wall clock; median / p95 over the iterations; contenders "
        "alternate within each iteration (rotating order). Ratios are of medians. `req (a)` is the"
        " number of HTTP requests (a) sends per run, `SQL (a)` the number of SQL statements in"
        " them (every `rawSql` node of their plans, BEGIN/COMMIT excepted: the executor runs"
        " those).",
        "",
        f"| workload | (a) django_prisma | (b) {native} | (c) bare_http | (d) prisma_js "
        "| (a)/(b) | (a)/(c) | (a)/(d) | req (a) | SQL (a) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for workload, samples, counts in results:
        stats = {n: summarize(s) if s else None for n, s in samples.items()}
        cells = []
        for name in topology.contenders:
            st = stats.get(name)
            cells.append(f"{fmt_ms(st[0])} / {fmt_ms(st[1])}" if st else "n/a")
        a = stats["django_prisma"][0]
        ratios = []
        for name in topology.contenders[1:]:
            st = stats.get(name)
            ratios.append(f"{a / st[0]:.2f}" if st else "n/a")
        counts = counts or {}
        tally = [str(counts.get("requests", 0)), str(counts.get("statements", 0))]
        lines.append(f"| {workload.title} | " + " | ".join(cells + ratios + tally) + " |")
    lines += ["", "Iterations: " + iterations_note]
    for workload, _, counts in results:
        if counts and "native_inserts" in counts:
            lines += [
                "",
                f"{workload.title}: (a) sent {counts['inserts']} INSERT statement(s) "
                f"({counts['statements']} SQL statement(s) in all, {counts['requests']} "
                f"request(s)); (b) ran {counts['native_inserts']} INSERT statement(s) (Django's "
                "`CaptureQueriesContext`, one more untimed run).",
            ]
    lines += ["", "Machine:", ""]
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
    parser.add_argument(
        "--topology",
        choices=sorted(TOPOLOGIES),
        default="postgresql",
        help="the database behind the executor (and the native contender)",
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run, under a minute")
    parser.add_argument("--only", help="comma-separated workload names")
    parser.add_argument("--no-peer", action="store_true", help="skip Prisma Client JS")
    parser.add_argument("--iterations", type=int, help="iterations per workload (default 100)")
    parser.add_argument("--output", help="default: bench/RESULTS.md (mysql: RESULTS-mysql.md)")
    args = parser.parse_args(argv)
    topology = TOPOLOGIES[args.topology]
    output = Path(args.output) if args.output else BENCH / topology.output
    command = "python bench/run.py " + " ".join(sys.argv[1:] if argv is None else argv)

    def log(message):
        print(message, file=sys.stderr, flush=True)

    started = time.monotonic()
    base = args.iterations or (15 if args.quick else 100)
    heavy = max(3, base // 5)
    migrate_n = 2 if args.quick else 5
    warmup = 2 if args.quick else 5

    peer_path = None if args.no_peer else install_peer(log, topology.peer_schema)
    database_url = with_database(topology.server_url, f"dp_bench_{uuid.uuid4().hex[:8]}")
    with LocalServer(
        "executor", database_url=database_url, fresh_database=True, drop_database_on_exit=True
    ) as server:
        configure_django(topology, server.url, database_url)
        from django.db import connections

        create_and_seed()
        facts = machine_facts(topology)
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
                samples, counts = run_workload(workload, n, w, topology.contenders, peer, bare, log)
                results.append((workload, samples, counts))
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
    text = write_report(output, topology, command, facts, results, note, os.getloadavg()[0])
    print(text)


if __name__ == "__main__":
    main()
