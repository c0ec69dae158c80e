"""Locating the shared PSL corpus and the Prisma oracle tools (both optional)."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "psl-corpus"
ORACLE_SOURCE = REPO.parent / "shared" / "prisma-oracle"
ORACLE_CACHE = Path(
    os.environ.get("PRISMA_ORACLE_DIR", Path.home() / ".cache" / "django-prisma" / "prisma-oracle")
)


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.prisma")) if CORPUS.is_dir() else []


def valid_files() -> list[Path]:
    return [p for p in corpus_files() if p.with_suffix(".dmmf.json").exists()]


def invalid_files() -> list[Path]:
    return [p for p in corpus_files() if not p.with_suffix(".dmmf.json").exists()]


def require_corpus() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"PSL corpus not found at {CORPUS} (it lives outside the repository)")


def file_params(files: list[Path]):
    if not files:
        return [
            pytest.param(None, marks=pytest.mark.skip(reason=f"PSL corpus not found at {CORPUS}"))
        ]
    return [pytest.param(p, id=p.stem) for p in files]


def oracle_dir() -> Path:
    """The oracle installed in a writable cache; installs it on first use, skips when impossible."""
    if (ORACLE_CACHE / "node_modules" / ".bin" / "prisma").exists():
        return ORACLE_CACHE
    if not ORACLE_SOURCE.is_dir():
        pytest.skip(f"Prisma oracle not found at {ORACLE_SOURCE}")
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.skip("node/npm not installed: the Prisma oracle needs them")
    ORACLE_CACHE.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(
        ORACLE_SOURCE,
        ORACLE_CACHE,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("node_modules"),
    )
    result = subprocess.run(
        ["npm", "ci", "--ignore-scripts"], cwd=ORACLE_CACHE, capture_output=True, text=True
    )
    if result.returncode != 0:
        pytest.skip(f"could not install the Prisma oracle: {result.stderr[-500:]}")
    return ORACLE_CACHE


def oracle(
    *args: str, cwd: Path | None = None, env: dict | None = None
) -> subprocess.CompletedProcess:
    directory = oracle_dir()
    return subprocess.run(
        ["node", str(directory / "psl-oracle.mjs"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )


def prisma_cli(schema_text: str, database_url: str, *args: str) -> subprocess.CompletedProcess:
    """The real `prisma` CLI (7.x, from the oracle) on `schema_text`, its datasource at
    `database_url` (postgres://), through the oracle's schema-engine stand-in."""
    directory = oracle_dir()
    work = directory / f"work-{uuid.uuid4().hex[:8]}"
    work.mkdir()
    try:
        (work / "schema.prisma").write_text(schema_text)
        (work / "prisma.config.ts").write_text(
            'import { defineConfig, env } from "prisma/config";\n'
            'export default defineConfig({ schema: "schema.prisma", datasource: { url: env("DATABASE_URL") } });\n'
        )
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "PRISMA_SCHEMA_ENGINE_BINARY": str(directory / "schema-engine-shim"),
        }
        return subprocess.run(
            [str(directory / "node_modules" / ".bin" / "prisma"), *args],
            cwd=work, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
