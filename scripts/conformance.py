"""Django's own test suite against django_prisma and against Django's native backend.

    python scripts/conformance.py [APP ...] [--apps-file FILE] [--backend prisma|native|both]
                                  [--database postgresql|mysql]

``--database mysql`` runs django_prisma.mysql against Django's native MySQL backend on the same
MySQL or MariaDB (DJANGO_PRISMA_TEST_MYSQL, default mysql://root@127.0.0.1:3306); the native
backend runs on PyMySQL as MySQLdb (mysqlclient needs MySQL's C headers to build).

Downloads the sdist of the installed Django version (it contains ``tests/``), runs
``tests/runtests.py`` once per app and per backend on the same PostgreSQL (django_prisma through
Prisma's executor, which the test runner starts itself), and prints a per-app table plus every
test whose outcome differs between the two backends. django_prisma runs with "django_prisma" in
INSTALLED_APPS, as projects have it (`--without-app`: without). Exit status 1 when django_prisma has a
failure, an error (a failing subtest counts), an unexpected success, or a run that ended without
a summary consistent with its report and exit status.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("DJANGO_PRISMA_CACHE", Path.home() / ".cache" / "django-prisma"))
POSTGRES_URL = os.environ.get(
    "DJANGO_PRISMA_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"
)
MYSQL_URL = os.environ.get("DJANGO_PRISMA_TEST_MYSQL", "mysql://root@127.0.0.1:3306")
CI_SUBSET = [
    "basic", "queries", "expressions", "aggregation", "model_fields", "transactions",
    "migrations", "schema", "backends", "admin_views",
]  # fmt: skip

SETTINGS = """
import os
from urllib.parse import urlsplit

import django

_pg = urlsplit({postgres_url!r})
_backend = os.environ["CONFORMANCE_BACKEND"]

if _backend == "prisma":
    def _db(alias):
        return {{
            "ENGINE": "django_prisma",
            "URL": "prisma+postgres://localhost:1/?api_key=test-runner-starts-its-own",
            "OPTIONS": {{"transaction_timeout": 3_600_000, "transaction_max_wait": 60_000}},
            "TEST": {{"SERVER": "executor", "POSTGRES_URL": {postgres_url!r},
                      "NAME": "test_dp_{run_id}_" + alias}},
        }}
else:
    def _db(alias):
        return {{
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "postgres", "USER": _pg.username or "postgres", "PASSWORD": _pg.password or "",
            "HOST": _pg.hostname or "127.0.0.1", "PORT": _pg.port or 5432,
            "TEST": {{"NAME": "test_native_{run_id}_" + alias}},
        }}

if os.environ.get("CONFORMANCE_WITH_APP") == "1":
    # As a project using the backend has it: "django_prisma" in INSTALLED_APPS (with_cache on
    # every QuerySet, the cache on every statement). runtests.py installs its own list,
    # ALWAYS_INSTALLED_APPS, after importing this module: add the app to that list.
    import __main__

    _always = getattr(__main__, "ALWAYS_INSTALLED_APPS", None)
    if _always is not None and "django_prisma" not in _always:
        _always.append("django_prisma")

if {database!r} == "mysql":
    _my = urlsplit({mysql_url!r})
    if _backend == "prisma":
        def _db(alias):
            return {{
                "ENGINE": "django_prisma.mysql",
                "URL": "prisma://localhost:1/?api_key=test-runner-starts-its-own",
                "OPTIONS": {{"transaction_timeout": 3_600_000, "transaction_max_wait": 60_000}},
                "TEST": {{"MYSQL_URL": {mysql_url!r}, "NAME": "test_dp_{run_id}_" + alias}},
            }}
    else:
        # Django's MySQL backend on PyMySQL (mysqlclient cannot be built without MySQL's
        # headers); PyMySQL's MySQLdb stand-in reports an old version that Django 6 refuses.
        import pymysql

        pymysql.version_info = (2, 2, 7, "final", 0)
        pymysql.install_as_MySQLdb()

        def _db(alias):
            return {{
                "ENGINE": "django.db.backends.mysql",
                "NAME": "mysql", "USER": _my.username or "root", "PASSWORD": _my.password or "",
                "HOST": _my.hostname or "127.0.0.1", "PORT": _my.port or 3306,
                "TEST": {{"NAME": "test_native_{run_id}_" + alias}},
            }}

DATABASES = {{"default": _db("default"), "other": _db("other")}}
SECRET_KEY = "django_tests_secret_key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
USE_TZ = False
if django.VERSION < (6, 0):
    # As Django's own tests/test_sqlite.py (Django 6.0 dropped it: BigAutoField is the default).
    DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
"""

RESULT_LINE = re.compile(
    # "test (path) ... ok", or with a docstring: "test (path)\nIts first line ... ok"
    r"^(?P<indent> *)(?P<name>\w+) \((?P<path>[\w.]+)\)(?P<sub>[^\n]*?)"
    r"(?:\n(?! *\w+ \([\w.]+\))[^\n]*?)? \.\.\.(?: (?P<outcome>.*))?$",
    re.M,
)
# unittest's report of each failure and error, subtests included ("FAIL: test (path) (i=1)"):
# the authority for what failed, since a verbose line can be interleaved with other output.
REPORT_HEADER = re.compile(
    r"^(?P<kind>FAIL|ERROR|UNEXPECTED SUCCESS): (?P<name>\w+) \((?P<path>[\w.]+)\)(?P<sub>.*)$",
    re.M,
)
SUMMARY = re.compile(r"^(?P<status>OK|FAILED)(?: \((?P<details>[^)\n]*)\))?$", re.M)
SUMMARY_KEYS = {
    "failures": "FAIL",
    "errors": "ERROR",
    "skipped": "skip",
    "expected failures": "xfail",
    "unexpected successes": "unexpected-success",
}
KINDS = ("ok", "skip", "xfail", "FAIL", "ERROR", "unexpected-success")
RAN = re.compile(r"^Ran (\d+) tests? in ([\d.]+)s", re.M)


def django_tests_dir() -> Path:
    version = django.get_version()
    target = CACHE / f"django-{version}-tests"
    if (target / "tests" / "runtests.py").exists():
        return target / "tests"
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary",
             ":all:", f"django=={version}", "-d", tmp],
            check=True,
        )  # fmt: skip
        (archive,) = Path(tmp).glob("*.tar.gz")
        with tarfile.open(archive) as tar:
            prefix = f"{archive.name[: -len('.tar.gz')]}/tests/"
            members = [m for m in tar.getmembers() if m.name.startswith(prefix)]
            for member in members:
                member.name = "tests/" + member.name[len(prefix) :]
            tar.extractall(target, members=members, filter="data")
    return target / "tests"


def classify(outcome: str) -> str:
    outcome = outcome.strip()
    if outcome == "ok":
        return "ok"
    if outcome.startswith("skipped"):
        return "skip"
    if outcome == "expected failure":
        return "xfail"
    if outcome == "unexpected success":
        return "unexpected-success"
    if outcome.startswith("FAIL"):
        return "FAIL"
    if outcome.startswith("ERROR"):
        return "ERROR"
    return outcome


def run_app(
    tests_dir: Path, settings_dir: Path, app: str, backend: str, timeout: int, with_app: bool
) -> dict:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(settings_dir), str(ROOT)]),
        "CONFORMANCE_BACKEND": backend,
        "CONFORMANCE_WITH_APP": "1" if with_app and backend == "prisma" else "0",
    }
    started = time.monotonic()
    returncode = None
    try:
        proc = subprocess.run(
            [sys.executable, "runtests.py", "--settings=conformance_settings", "--parallel=1",
             "-v2", "--noinput", app],
            cwd=tests_dir, env=env, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
        output, returncode = proc.stdout + proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as error:
        output = (error.stdout or b"").decode() + (error.stderr or b"").decode()
        output += f"\nTIMEOUT after {timeout} s"
    seconds = time.monotonic() - started
    return {
        "app": app, "backend": backend, "seconds": round(seconds, 1),
        **parse_output(output, returncode),
    }  # fmt: skip


def result_key(match: re.Match) -> str:
    """``path.name`` as Django prints it (``app.tests.Class.test``), plus a subtest's label."""
    path, name = match["path"], match["name"]
    key = path if path.endswith(f".{name}") or path == name else f"{path}.{name}"
    sub = match["sub"].strip()
    return f"{key} {sub}" if sub else key


def parse_output(output: str, returncode: int | None) -> dict:
    """Per-test outcomes and counts from a ``runtests.py -v2`` run.

    The verbose lines give every test's outcome; unittest's failure report (``FAIL: …`` blocks,
    one per failing subtest too) and its summary line (``FAILED (failures=…, errors=…)``) are
    cross-checked against them. A run is ``crashed`` — counted as an error — when it printed no
    summary, when the summary disagrees with the report, or when the exit status says failure
    and nothing explains it.
    """
    outcomes: dict[str, str] = {}
    for match in RESULT_LINE.finditer(output):
        outcome = classify(match["outcome"] or "")
        if outcome not in KINDS:
            # A warning printed to stderr while the test ran ("Exception ignored in: ...", a
            # ResourceWarning) can land between " ... " and the outcome, and a test whose
            # subtests failed prints its subtests on the lines after: take the next outcome
            # line unless it is another test's line.
            outcome = _next_outcome(output[match.end() :])
        if outcome is not None:
            outcomes[result_key(match)] = outcome
    for match in REPORT_HEADER.finditer(output):
        kind = "unexpected-success" if match["kind"] == "UNEXPECTED SUCCESS" else match["kind"]
        outcomes[result_key(match)] = kind
    counts = dict.fromkeys(KINDS, 0)
    for outcome in outcomes.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    ran = RAN.search(output)
    summary = _summary(output)
    problems = []
    if ran is None or summary is None:
        problems.append("no unittest summary (the run crashed or timed out)")
    else:
        for kind in ("FAIL", "ERROR", "unexpected-success"):
            reported = sum(1 for o in outcomes.values() if o == kind)
            if summary.get(kind, 0) != reported:
                problems.append(
                    f"the summary says {summary.get(kind, 0)} {kind}, the report shows {reported}"
                )
        failed = summary["status"] == "FAILED"
        if returncode not in (None, 0) and not failed:
            problems.append(f"exit status {returncode} after a summary of OK")
        if returncode == 0 and failed:
            problems.append("exit status 0 after a FAILED summary")
    if problems:
        counts["ERROR"] += 1
    bad = problems or counts["FAIL"] or counts["ERROR"] or counts["unexpected-success"]
    return {
        "tests": int(ran.group(1)) if ran else 0, "counts": counts, "outcomes": outcomes,
        "crashed": bool(problems), "problems": problems, "tail": output if bad else "",
    }  # fmt: skip


def _next_outcome(rest: str) -> str | None:
    """The outcome printed after a test's line; None when the test's subtests follow (each is
    counted on its own line) or another test begins."""
    for line in rest.splitlines()[1:]:
        if RESULT_LINE.match(line):
            return None
        outcome = classify(line.rsplit(" ... ", 1)[-1])
        if outcome in KINDS:
            return outcome
    return None


def _summary(output: str) -> dict | None:
    matches = list(SUMMARY.finditer(output))
    if not matches:
        return None
    last = matches[-1]
    summary: dict = {"status": last["status"]}
    for part in (last["details"] or "").split(","):
        name, _, number = part.strip().rpartition("=")
        if name in SUMMARY_KEYS and number.isdigit():
            summary[SUMMARY_KEYS[name]] = int(number)
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("apps", nargs="*")
    parser.add_argument("--apps-file", help="a file with one app per line (# comments)")
    parser.add_argument(
        "--ci-subset", action="store_true", help=f"the CI subset: {' '.join(CI_SUBSET)}"
    )
    parser.add_argument("--backend", choices=["prisma", "native", "both"], default="both")
    parser.add_argument(
        "--database",
        choices=["postgresql", "mysql"],
        default="postgresql",
        help="django_prisma on PostgreSQL (default) or django_prisma.mysql on MySQL/MariaDB",
    )
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per app and backend")
    parser.add_argument(
        "--without-app",
        action="store_true",
        help='run django_prisma without "django_prisma" in INSTALLED_APPS (it is added by default, '
        "as projects using the backend have it)",
    )
    parser.add_argument("--json", help="write the raw results to this file")
    parser.add_argument("--logs", help="write each failing app's output tail into this folder")
    args = parser.parse_args(argv)

    apps = list(args.apps)
    if args.apps_file:
        apps += [
            line.strip() for line in Path(args.apps_file).read_text().splitlines()
            if line.strip() and not line.startswith("#")
        ]  # fmt: skip
    if args.ci_subset:
        apps += CI_SUBSET
    if not apps:
        parser.error("name apps, --apps-file or --ci-subset")
    backends = ["prisma", "native"] if args.backend == "both" else [args.backend]

    tests_dir = django_tests_dir()
    results = []
    with tempfile.TemporaryDirectory() as settings_dir:
        Path(settings_dir, "conformance_settings.py").write_text(
            SETTINGS.format(
                postgres_url=POSTGRES_URL,
                mysql_url=MYSQL_URL,
                database=args.database,
                run_id=os.getpid(),
            )
        )
        for app in apps:
            for backend in backends:
                result = run_app(
                    tests_dir, Path(settings_dir), app, backend, args.timeout, not args.without_app
                )
                results.append(result)
                c = result["counts"]
                print(
                    f"{app:28} {backend:7} tests={result['tests']:4} ok={c['ok']:4} "
                    f"skip={c['skip']:3} xfail={c['xfail']:2} FAIL={c['FAIL']:3} "
                    f"ERROR={c['ERROR']:3} {result['seconds']:7.1f}s",
                    flush=True,
                )
                if args.logs and result["tail"]:
                    Path(args.logs).mkdir(parents=True, exist_ok=True)
                    Path(args.logs, f"{app}.{backend}.log").write_text(result["tail"])
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=1))
    print()
    print(report(results, backends))
    prisma = [r for r in results if r["backend"] == "prisma"]
    bad = sum(
        r["counts"]["FAIL"] + r["counts"]["ERROR"] + r["counts"]["unexpected-success"]
        for r in prisma
    )
    for r in prisma:
        for problem in r["problems"]:
            print(f"{r['app']}: {problem}", file=sys.stderr)
    return 1 if bad else 0


def report(results: list[dict], backends: list[str]) -> str:
    lines = [
        f"Django {django.get_version()} test suite, Python {sys.version.split()[0]}",
        "",
        "| app | backend | tests | passed | failures | errors | skipped | xfail | seconds |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    totals: dict[str, dict] = {}
    for r in results:
        c = r["counts"]
        lines.append(
            f"| {r['app']} | {r['backend']} | {r['tests']} | {c['ok']} | {c['FAIL']} | "
            f"{c['ERROR']} | {c['skip']} | {c['xfail']} | {r['seconds']} |"
        )
        t = totals.setdefault(
            r["backend"],
            {"tests": 0, "ok": 0, "FAIL": 0, "ERROR": 0, "skip": 0, "xfail": 0, "seconds": 0.0},
        )
        t["tests"] += r["tests"]
        for k in ("ok", "FAIL", "ERROR", "skip", "xfail"):
            t[k] += c[k]
        t["seconds"] += r["seconds"]
    for backend, t in totals.items():
        lines.append(
            f"| **total** | {backend} | {t['tests']} | {t['ok']} | {t['FAIL']} | {t['ERROR']} | "
            f"{t['skip']} | {t['xfail']} | {t['seconds']:.0f} |"
        )
    if len(backends) == 2:
        lines += ["", "Tests whose outcome differs (prisma vs native):"]
        by_app: dict[str, dict] = {}
        for r in results:
            by_app.setdefault(r["app"], {})[r["backend"]] = r["outcomes"]
        diffs = 0
        for pair in by_app.values():
            p, n = pair.get("prisma", {}), pair.get("native", {})
            for test in sorted(set(p) | set(n)):
                if p.get(test) != n.get(test):
                    diffs += 1
                    lines.append(
                        f"- {test}: prisma={p.get(test, 'absent')} native={n.get(test, 'absent')}"
                    )
        if not diffs:
            lines.append("- none")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
