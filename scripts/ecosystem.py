"""Third-party Django apps' own test suites against django_prisma and Django's PostgreSQL backend.

    python scripts/ecosystem.py [--apps a,b] [--backend both|prisma|native] [--timeout S]

For each app in APPS: downloads the sdist of the pinned release from PyPI (its tests ship in it),
makes a virtualenv for it under ~/.cache/django-prisma/ecosystem/ (Django as in this project, the
app and its test requirements, all pinned; django_prisma comes from this checkout through
PYTHONPATH), extracts a fresh copy of the sources, applies the app's declared source patches
(ENGINE-string checks pointed at ``connection.vendor``) and runs the app's own runner once per
backend. ``ecosystem_site/sitecustomize.py`` points every alias of the suite's DATABASES at the
backend under test on the same PostgreSQL (django_prisma through Prisma's executor, which the
test runner starts itself). Per-test outcomes are compared and ``docs/ecosystem.md`` is
rewritten from every result recorded so far (results of apps not run this time are kept).
Exit status 1 when a test's outcome differs without a recorded cause.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import django

ROOT = Path(__file__).resolve().parent.parent
SITE = Path(__file__).resolve().parent / "ecosystem_site"
CACHE = (
    Path(os.environ.get("DJANGO_PRISMA_CACHE", Path.home() / ".cache" / "django-prisma"))
    / "ecosystem"
)
POSTGRES_URL = os.environ.get(
    "DJANGO_PRISMA_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"
)
DOC = ROOT / "docs" / "ecosystem.md"
BACKENDS = ("native", "prisma")

PYTEST = ["pytest==9.2.0", "pytest-django==4.14.0"]
DRF = "djangorestframework==3.18.3"
# ``connection.settings_dict["ENGINE"] == "django.db.backends.postgresql"`` and the like: the
# question such a check asks is "is this PostgreSQL?", which is what ``vendor`` answers.
VENDOR_IS_POSTGRESQL = "__import__('django.db').db.connections['default'].vendor == 'postgresql'"


@dataclass(frozen=True)
class App:
    """How to obtain and run one third-party app's own test suite."""

    dist: str  # PyPI name
    version: str
    requires: tuple[str, ...]  # pinned test requirements besides Django and the app
    runner: str  # "pytest" or "unittest" (Django's DiscoverRunner at verbosity 2)
    command: tuple[str, ...]  # after ``python``; run in the extracted sdist (or ``cwd`` in it)
    what: str  # which part of Django it stresses
    cwd: str = "."
    paths: tuple[str, ...] = ()  # folders of the sdist put on PYTHONPATH, as its CI does
    env: dict[str, str] = field(default_factory=dict)
    # (file, old, new): source edits applied to the extracted copy; each must match once.
    patches: tuple[tuple[str, str, str], ...] = ()
    # Differences explained: (regex on the test id, cause).
    causes: tuple[tuple[str, str], ...] = ()
    # Why tests fail the same way on both backends (the suite's own assumptions).
    both: str = ""


APPS: dict[str, App] = {
    "treebeard": App(
        "django-treebeard",
        "7.0.3",
        tuple(PYTEST),
        "pytest",
        ("-m", "pytest", "tests"),
        "trees: materialized path (raw SQL updates), nested sets, adjacency list, ltree",
        # Its PostgreSQL flavour (ltree models and tests); settings known before the conftest,
        # which imports models, is loaded.
        env={"DATABASE_ENGINE": "psql", "DJANGO_SETTINGS_MODULE": "tests.settings"},
    ),
    "simple_history": App(
        "django-simple-history",
        "3.13.0",
        (),
        "unittest",
        ("runtests.py", "--database", "postgres"),
        "history tables, two databases, bulk history, inheritance",
        patches=(("runtests.py", "DiscoverRunner(\n", "DiscoverRunner(verbosity=2,\n"),) * 2,
    ),
    "reversion": App(
        "django-reversion",
        "6.4.0",
        (),
        "unittest",
        ("manage.py", "test", "-v2", "--noinput"),
        "versioning with generic relations, three databases, serialization",
        cwd="tests",
    ),
    "drf": App(
        "djangorestframework",
        "3.18.3",
        (*PYTEST, "dj-database-url==3.1.2"),
        "pytest",
        ("-m", "pytest", "tests"),
        "API framework: serializers, generic relations, pagination, two identical aliases",
        # Its CI's PostgreSQL layout: both aliases from one URL (identical settings).
        env={"DATABASE_URL": POSTGRES_URL},
        patches=(
            (
                "tests/conftest.py",
                "settings.DATABASES['default']['ENGINE'] == 'django.db.backends.postgresql'",
                VENDOR_IS_POSTGRESQL,
            ),
            (
                "tests/conftest.py",
                "settings.DATABASES['default']['ENGINE'] != 'django.db.backends.postgresql'",
                f"not {VENDOR_IS_POSTGRESQL}",
            ),
        ),
    ),
    "django_filter": App(
        "django-filter",
        "26.2",
        (DRF, "pytz==2026.6"),
        "unittest",
        ("runtests.py", "-v2", "--noinput"),
        "filtering: lookups, ranges, date/time filters with time zones",
        both="ChoiceFilterTests and MultipleChoiceFilterTests create rows with hard-coded foreign"
        " keys (author=1) that exist only where each test's ids restart at 1 (SQLite)",
    ),
    "guardian": App(
        "django-guardian",
        "3.5.2",
        (*PYTEST, "django-environ==0.14.0"),
        "pytest",
        ("-m", "pytest", "guardian"),
        "object permissions: generic foreign keys, subqueries over text primary keys",
    ),
    "model_utils": App(
        "django-model-utils",
        "5.0.0",
        (*PYTEST, "time-machine==3.6.0"),
        "pytest",
        ("-m", "pytest", "tests"),
        "utilities: inheritance managers (select_related casts), field trackers, soft delete",
    ),
    "import_export": App(
        "django-import-export",
        "4.4.3",
        (
            "tablib[html,ods,xls,xlsx,yaml]==3.9.0",
            "chardet==5.2.0",
            "pytz==2024.2",
            "memory-profiler==0.61.0",
            "django-extensions==3.2.3",
        ),
        "unittest",
        ("tests/manage.py", "test", "core", "-v2", "--noinput"),
        "import/export: bulk create/update in transactions with savepoints, admin actions",
        paths=(".",),  # its CI runs coverage with -m: the sdist root is importable (tests.core)
        patches=(
            (
                "tests/core/tests/test_resources/test_modelresource/test_resource_postgres.py",
                '"postgresql" in settings.DATABASES["default"]["ENGINE"]',
                VENDOR_IS_POSTGRESQL,
            ),
        )
        * 2,
        env={"IMPORT_EXPORT_TEST_TYPE": "postgres"},  # its PostgreSQL flavour (transactions on)
    ),  # fmt: skip
    "ordered_model": App(
        "django-ordered-model",
        "3.7.4",
        (DRF,),
        "unittest",
        ("-m", "django", "test", "--pythonpath=.", "--settings=tests.settings", "-v2", "--noinput"),
        "ordering: F() updates over ranges, bulk reorders",
        both="the tests hard-code primary keys (1, 2, …): SQLite's sequence rolls back with each"
        " test's transaction, PostgreSQL's sequences do not",
    ),  # fmt: skip
}

# Looked at and left out: the test sources must come from the PyPI sdist (CI reaches PyPI only).
# Where the suite of the app's repository was run by hand instead, with this runner's
# sitecustomize on both backends, the reason says at which commit and with what outcome.
BY_HAND = "its repository's suite at {} run by hand on both backends:"
NOT_RUN = {
    "django-mptt 0.20.0": "its sdist ships no tests; " + BY_HAND.format("4200dd3d0f69 (0.19rc1)")
    + " 129 tests, the same outcome each (30 fail on both: hard-coded primary keys; their"
    " assertion messages are identical)",
    "django-taggit 6.1.0": "its sdist ships no tests; " + BY_HAND.format("e7a53796c9ea")
    + " 403 tests, the same outcome each",
    "django-polymorphic 4.11.7": "its sdist ships no tests; " + BY_HAND.format("aa79885c7111")
    + " 349 tests (browser and integration tests deselected), the same outcome each (10 fail on"
    " both: they run manage.py dumpdata in a subprocess on the parent's test database, which"
    " the runner's rewrite of DATABASES does not carry over)",
    "django-pgtrigger 4.17.0": "its sdist ships no tests; " + BY_HAND.format("98f763d")
    + " 120 tests (the default alias on django-postgres-extra's backend over each backend), the"
    " same outcome each but 2: test_schema restores search_path with a session-level"
    " set_config(…, false), refused on a pooled connection; test_constraints commits after"
    " catching a deferred trigger's error, which django_prisma reports as TransactionAborted",
    "django-pghistory 3.9.2": "its sdist ships no tests; " + BY_HAND.format("629ace9")
    + " 117 tests, the same outcome each",
    "django-postgres-extra 3.0.1": "its sdist ships tests/ but not their conftest.py and settings",
    "django-money 3.6.2": "its sdist ships tests/ but not their settings and test app; "
    + BY_HAND.format("b255e278870a")
    + " 494 tests (its makemigrations tests, on SQLite in a subprocess, left out), the same"
    " outcome each (9 fail on both: SQLite's text forms of numbers and error messages, a"
    " hard-coded primary key)",
    "django-cte 4.0.0": "its sdist ships no tests; " + BY_HAND.format("377f63ab7f62")
    + " 106 tests, the same outcome each",
    "django-tree-queries 0.28.0": "its sdist ships no tests; " + BY_HAND.format("6f0f82399ff3")
    + " 114 tests, the same outcome each",
}  # fmt: skip

# ------------------------------------------------------------------------------------ parsing

KINDS = ("ok", "skip", "xfail", "FAIL", "ERROR", "unexpected-success")
UNITTEST_LINE = re.compile(
    r"^(?P<name>\w+) \((?P<path>[\w.]+)\)(?:\n.*?)? \.\.\. (?P<outcome>.+)$", re.M
)
UNITTEST_RAN = re.compile(r"^Ran (\d+) tests? in ([\d.]+)s", re.M)
PYTEST_LINE = re.compile(
    r"^(?P<id>\S+::.*?) (?P<outcome>PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\b", re.M
)
PYTEST_KIND = {
    "PASSED": "ok", "FAILED": "FAIL", "ERROR": "ERROR", "SKIPPED": "skip", "XFAIL": "xfail",
    "XPASS": "unexpected-success",
}  # fmt: skip
PYTEST_SUMMARY = re.compile(r"^=+ .*\b(passed|failed|error|errors|skipped|no tests ran)\b.* =+$")
SEVERITY = {kind: rank for rank, kind in enumerate(KINDS)}


def unittest_kind(outcome: str) -> str:
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


def parse_unittest(output: str) -> tuple[dict[str, str], bool]:
    """Per-test outcomes of DiscoverRunner -v2 output, and whether a run summary was printed."""
    outcomes = {}
    for match in UNITTEST_LINE.finditer(output):
        path, name = match["path"], match["name"]
        key = path if path.endswith("." + name) else f"{path}.{name}"
        kind = unittest_kind(match["outcome"])
        if kind not in KINDS:
            # Something printed while the test ran lands between " ... " and the outcome.
            later = (unittest_kind(line) for line in output[match.end() :].splitlines())
            kind = next((k for k in later if k in KINDS), kind)
        outcomes[key] = kind
    return outcomes, UNITTEST_RAN.search(output) is not None


def parse_pytest(output: str) -> tuple[dict[str, str], bool]:
    """Per-test outcomes of ``pytest -v -rN`` output (a teardown ERROR after PASSED wins)."""
    outcomes: dict[str, str] = {}
    for match in PYTEST_LINE.finditer(output):
        kind = PYTEST_KIND[match["outcome"]]
        previous = outcomes.get(match["id"])
        if previous is None or SEVERITY[kind] > SEVERITY[previous]:
            outcomes[match["id"]] = kind
    finished = any(PYTEST_SUMMARY.match(line) for line in output.splitlines())
    return outcomes, finished


PARSERS = {"unittest": parse_unittest, "pytest": parse_pytest}


def count(outcomes: dict[str, str]) -> dict[str, int]:
    counts = dict.fromkeys(KINDS, 0)
    for kind in outcomes.values():
        counts[kind] = counts.get(kind, 0) + 1
    return counts


# ---------------------------------------------------------------------------- environments


def python_of(venv: Path) -> Path:
    return venv / "bin" / "python"


def app_venv(name: str, app: App) -> Path:
    """A virtualenv with Django as in this project, the app and its test requirements."""
    requirements = [
        f"Django=={django.get_version()}", "psycopg[binary]==3.3.9", "orjson==3.13.0",
        f"{app.dist}=={app.version}", *app.requires,
    ]  # fmt: skip
    venv = CACHE / "venvs" / f"{name}-{app.version}-py{sys.version_info[0]}{sys.version_info[1]}"
    stamp = venv / "ecosystem-requirements.txt"
    if stamp.exists() and stamp.read_text() == "\n".join(requirements):
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [python_of(venv), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         *requirements],
        check=True,
    )  # fmt: skip
    stamp.write_text("\n".join(requirements))
    return venv


def sdist(app: App) -> Path:
    """The release's sdist from PyPI, downloaded once."""
    folder = CACHE / "sdists"
    folder.mkdir(parents=True, exist_ok=True)
    normalized = re.sub(r"[-_.]+", "[-_.]", app.dist)
    pattern = re.compile(rf"^{normalized}-{re.escape(app.version)}\.tar\.gz$", re.I)
    found = [p for p in folder.iterdir() if pattern.match(p.name)]
    if not found:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
             "--no-deps", "--no-binary", ":all:", f"{app.dist}=={app.version}", "-d", folder],
            check=True,
        )  # fmt: skip
        found = [p for p in folder.iterdir() if pattern.match(p.name)]
    (archive,) = found
    return archive


def extract(archive: Path, into: Path) -> Path:
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    (top,) = [p for p in into.iterdir() if p.is_dir()]
    return top


def apply_patches(source: Path, app: App) -> None:
    for relative, old, new in app.patches:
        path = source / relative
        text = path.read_text()
        if old not in text:
            raise SystemExit(f"{app.dist}: patch does not apply to {relative}: {old!r}")
        path.write_text(text.replace(old, new, 1))


# ---------------------------------------------------------------------------------- running


def backend_only(tmp: Path) -> Path:
    """A folder that makes ``django_prisma`` importable and nothing else of this checkout (its
    ``tests`` package would shadow a suite's own ``tests``)."""
    folder = tmp / "backend"
    folder.mkdir()
    (folder / "django_prisma").symlink_to(ROOT / "django_prisma", target_is_directory=True)
    return folder


def spec_for(name: str) -> dict:
    pg = urlsplit(POSTGRES_URL)
    return {
        "app": name,
        "run_id": os.getpid(),
        "postgres_url": POSTGRES_URL,
        "postgres": {
            "name": (pg.path or "/postgres").lstrip("/") or "postgres",
            "user": pg.username or "postgres",
            "password": pg.password or "",
            "host": pg.hostname or "127.0.0.1",
            "port": pg.port or 5432,
        },
    }


def run_suite(name: str, app: App, backend: str, timeout: int) -> dict:
    venv = app_venv(name, app)
    with tempfile.TemporaryDirectory(prefix=f"ecosystem-{name}-") as tmp:
        source = extract(sdist(app), Path(tmp) / "src")
        apply_patches(source, app)
        command = [str(python_of(venv)), *app.command]
        if app.runner == "pytest":
            command += ["-v", "-rN", "-p", "no:cacheprovider", "--color=no"]
        env = {
            **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
            **app.env,
            "PYTHONPATH": os.pathsep.join(
                [str(SITE), *(str(source / p) for p in app.paths), str(backend_only(Path(tmp)))]
            ),
            "ECOSYSTEM_BACKEND": backend,
            "ECOSYSTEM_SPEC": json.dumps(spec_for(name)),
            "PYTHONDONTWRITEBYTECODE": "1",
            "COLUMNS": "200",
        }
        output, seconds, timed_out = run_bounded(command, source / app.cwd, env, timeout)
    outcomes, finished = PARSERS[app.runner](output)
    crashed = timed_out or not finished
    return {
        "app": name, "dist": app.dist, "version": app.version, "backend": backend,
        "seconds": round(seconds, 1), "outcomes": outcomes, "counts": count(outcomes),
        "crashed": crashed, "timed_out": timed_out,
        "tail": output[-20000:] if crashed or any(
            kind in ("FAIL", "ERROR") for kind in outcomes.values()) else "",
        "output": output,
    }  # fmt: skip


def run_bounded(command, cwd, env, timeout) -> tuple[str, float, bool]:
    """Run in its own process group so a timeout ends the local servers the suite started."""
    started = time.monotonic()
    with tempfile.TemporaryFile(mode="w+") as log:
        proc = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        timed_out = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.seek(0)
        output = log.read()
    if timed_out:
        output += f"\nTIMEOUT after {timeout} s"
    return output, time.monotonic() - started, timed_out


# ---------------------------------------------------------------------------------- results


def results_dir() -> Path:
    path = CACHE / "results"
    path.mkdir(parents=True, exist_ok=True)
    return path


def save(result: dict) -> None:
    logs = CACHE / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    (logs / f"{result['app']}-{result['backend']}.log").write_text(result.pop("output"))
    (results_dir() / f"{result['app']}-{result['backend']}.json").write_text(
        json.dumps(result, indent=1)
    )


def load_all() -> dict[str, dict[str, dict]]:
    results: dict[str, dict[str, dict]] = {}
    for path in sorted(results_dir().glob("*.json")):
        result = json.loads(path.read_text())
        app = APPS.get(result["app"])
        if app is None or app.version != result["version"]:
            continue  # an app no longer listed, or an older release
        results.setdefault(result["app"], {})[result["backend"]] = result
    return results


def differences(native: dict, prisma: dict) -> list[tuple[str, str, str]]:
    """(test, native outcome, prisma outcome) for every test whose outcome differs."""
    tests = sorted(set(native["outcomes"]) | set(prisma["outcomes"]))
    return [
        (test, native["outcomes"].get(test, "not run"), prisma["outcomes"].get(test, "not run"))
        for test in tests
        if native["outcomes"].get(test, "not run") != prisma["outcomes"].get(test, "not run")
    ]


def cause_of(app: App, test: str) -> str | None:
    return next((cause for pattern, cause in app.causes if re.search(pattern, test)), None)


def failing_on_both(native: dict, prisma: dict) -> list[str]:
    bad = ("FAIL", "ERROR")
    return sorted(
        test for test, kind in native["outcomes"].items()
        if kind in bad and prisma["outcomes"].get(test) in bad
    )  # fmt: skip


def render(results: dict[str, dict[str, dict]]) -> tuple[str, int]:
    lines = [
        "# Third-party apps' test suites",
        "",
        "Written by `scripts/ecosystem.py` (`.venv/bin/python scripts/ecosystem.py [--apps a,b]"
        " [--backend both|prisma|native]`). Each app's own tests, from the sdist of the pinned"
        " release, run with the app's own runner on Django's PostgreSQL backend (`native`) and on"
        " django_prisma through Prisma's executor (`prisma`), both on the same local PostgreSQL;"
        " every alias of the suite's `DATABASES` points at the backend under test and ENGINE-string"
        " checks in the suites are pointed at `connection.vendor`."
        f" Django {django.get_version()}.",
        "",
        "| app | release | stresses | backend | tests | passed | failed | errors | skipped | xfail"
        " | seconds |",
        "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    unexplained = 0
    sections = []
    for name, app in APPS.items():
        per_backend = results.get(name, {})
        for backend in BACKENDS:
            result = per_backend.get(backend)
            if result is None:
                continue
            c = result["counts"]
            note = (
                " (timed out)"
                if result["timed_out"]
                else (" (crashed)" if result["crashed"] else "")
            )
            lines.append(
                f"| {name} | {app.dist} {app.version} | {app.what} | {backend}{note} "
                f"| {len(result['outcomes'])} | {c['ok']} | {c['FAIL']} | {c['ERROR']} "
                f"| {c['skip']} | {c['xfail']} | {result['seconds']:.0f} |"
            )
        if set(BACKENDS) <= set(per_backend):
            native, prisma = per_backend["native"], per_backend["prisma"]
            diffs = differences(native, prisma)
            both = failing_on_both(native, prisma)
            section = [f"## {name} ({app.dist} {app.version})", ""]
            if not diffs:
                section.append("Every test has the same outcome on both backends.")
            else:
                section += ["| test | native | prisma | cause |", "| --- | --- | --- | --- |"]
                causes: dict[str, int] = {}  # each cause written once, below the table
                for test, n, p in diffs:
                    cause = cause_of(app, test)
                    if cause is None:
                        unexplained += 1
                        cell = "**not yet explained**"
                    else:
                        cell = f"[{causes.setdefault(cause, len(causes) + 1)}]"
                    section.append(f"| `{test}` | {n} | {p} | {cell} |")
                section += [""] + [f"[{i}] {cause}" for cause, i in causes.items()]
            if both:
                section += [
                    "",
                    f"Failing the same way on both backends ({len(both)}): "
                    + ", ".join(f"`{t}`" for t in both[:30])
                    + (" …" if len(both) > 30 else "")
                    + (f". Why: {app.both}" if app.both else ""),
                ]
            sections.append("\n".join(section))
    left_out = ["## Not run", ""] + [f"* {name}: {why}." for name, why in NOT_RUN.items()]
    sections.append("\n".join(left_out))
    return "\n".join(lines) + "\n\n" + "\n\n".join(sections) + "\n", unexplained


def print_result(result: dict) -> None:
    c = result["counts"]
    state = "TIMEOUT" if result["timed_out"] else ("CRASHED" if result["crashed"] else "done")
    print(
        f"{result['app']:>15} {result['backend']:>6}: {len(result['outcomes'])} tests, "
        f"{c['ok']} ok, {c['FAIL']} failed, {c['ERROR']} errors, {c['skip']} skipped "
        f"({result['seconds']:.0f} s, {state})",
        flush=True,
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--apps", help=f"comma-separated, of: {','.join(APPS)} (default: all)")
    parser.add_argument("--backend", choices=["both", *BACKENDS], default="both")
    parser.add_argument("--timeout", type=int, default=1200, help="seconds per app and backend")
    parser.add_argument("--no-doc", action="store_true", help=f"do not rewrite {DOC}")
    args = parser.parse_args(argv)

    names = args.apps.split(",") if args.apps else list(APPS)
    unknown = [n for n in names if n not in APPS]
    if unknown:
        parser.error(f"unknown apps {unknown}; known: {', '.join(APPS)}")
    backends = list(BACKENDS) if args.backend == "both" else [args.backend]
    for name in names:
        for backend in backends:  # one app on both backends before the next: bounded CPU use
            result = run_suite(name, APPS[name], backend, args.timeout)
            save(result)
            print_result(result)
    document, unexplained = render(load_all())
    if not args.no_doc:
        DOC.write_text(document)
        print(f"wrote {DOC.relative_to(ROOT)}")
    print(f"{unexplained} difference(s) without a recorded cause")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
