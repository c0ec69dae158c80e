"""The local MariaDB (127.0.0.1:3306, root) through the `mysql` client: throwaway databases and
what information_schema says about their tables."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

HOST, PORT, USER = "127.0.0.1", "3306", "root"
# Django's MySQL backend imports MySQLdb (mysqlclient); PyMySQL, a test dependency, stands in.
PYMYSQL_AS_MYSQLDB = "import pymysql\npymysql.install_as_MySQLdb()\n"


def django_database(name: str) -> dict:
    return {
        "ENGINE": "django.db.backends.mysql",
        "NAME": name,
        "HOST": HOST,
        "PORT": PORT,
        "USER": USER,
    }


def mysql(sql: str, database: str | None = None) -> list[list[str]]:
    """Rows of tab-separated output (`NULL` for NULL)."""
    proc = subprocess.run(
        ["mysql", "-h", HOST, "-P", PORT, "-u", USER, "-N", "-B", *([database] if database else [])],
        input=sql, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if proc.returncode != 0:
        raise AssertionError(f"mysql failed: {proc.stderr[-3000:]}")
    return [line.split("\t") for line in proc.stdout.splitlines()]


def require_mariadb() -> None:
    if not shutil.which("mysql"):
        pytest.skip("the mysql client is not installed")
    probe = subprocess.run(
        ["mysql", "-h", HOST, "-P", PORT, "-u", USER, "-e", "SELECT 1"], capture_output=True
    )
    if probe.returncode != 0:
        pytest.skip(f"no MariaDB/MySQL at {HOST}:{PORT} (user {USER})")


@contextmanager
def throwaway_databases(*kinds: str):
    """Empty databases `pslmysql_<kind>_<random>` (utf8mb4, as Prisma makes its tables), dropped after."""
    require_mariadb()
    suffix = uuid.uuid4().hex[:10]
    names = {kind: f"pslmysql_{kind}_{suffix}" for kind in kinds}
    for name in names.values():
        mysql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    try:
        yield names
    finally:
        for name in names.values():
            mysql(f"DROP DATABASE IF EXISTS `{name}`")


def column_type(text: str) -> str:
    """information_schema's COLUMN_TYPE without MariaDB's integer display widths: `int(11)` is
    `int`, `int(10) unsigned` is `int unsigned`; `tinyint(1)` (a boolean) stays."""
    # MariaDB spells types in lower case already; enum values keep theirs.
    if text == "tinyint(1)":
        return text
    return re.sub(r"^(tinyint|smallint|mediumint|int|bigint|year)\(\d+\)", r"\1", text)


@dataclass
class Tables:
    """What information_schema says about a database's tables."""

    columns: dict[str, dict[str, tuple[str, bool, bool]]] = field(default_factory=dict)
    primary: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unique: dict[str, set[tuple[str, ...]]] = field(default_factory=lambda: defaultdict(set))
    indexes: dict[str, set[tuple[str, ...]]] = field(default_factory=lambda: defaultdict(set))
    partial: dict[str, set[tuple[str, ...]]] = field(default_factory=lambda: defaultdict(set))
    foreign_keys: dict[str, set[tuple]] = field(default_factory=lambda: defaultdict(set))


def describe(database: str, skip=("django_migrations",)) -> Tables:
    """Columns (type, nullable, auto_increment), primary keys, unique and plain indexes (columns,
    `-` before a descending one), prefix and full-text indexes (`partial`), and foreign keys."""
    out = Tables()
    where = f"TABLE_SCHEMA = '{database}'"
    for table, name, type_, nullable, extra in mysql(
        "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, EXTRA FROM "
        f"information_schema.COLUMNS WHERE {where} ORDER BY TABLE_NAME, ORDINAL_POSITION"
    ):
        if table not in skip:
            out.columns.setdefault(table, {})[name] = (
                column_type(type_),
                nullable == "YES",
                "auto_increment" in extra,
            )
    keys: dict[tuple[str, str], list] = {}
    for table, index, non_unique, name, collation, sub_part, kind in mysql(
        "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, COLLATION, SUB_PART, INDEX_TYPE "
        f"FROM information_schema.STATISTICS WHERE {where} ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX"
    ):
        if table in skip:
            continue
        entry = keys.setdefault((table, index), [non_unique == "0", [], False])
        entry[1].append(("-" if collation == "D" else "") + name)
        entry[2] = entry[2] or sub_part != "NULL" or kind == "FULLTEXT"
    for (table, index), (unique, columns, partial) in keys.items():
        if index == "PRIMARY":
            out.primary[table] = tuple(columns)
        elif partial:
            out.partial[table].add(tuple(columns))
        elif unique:
            out.unique[table].add(tuple(c.lstrip("-") for c in columns))
        else:
            out.indexes[table].add(tuple(columns))
    references: dict[tuple[str, str], list] = {}
    for table, constraint, name, target, target_column in mysql(
        "SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME, "
        f"REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE {where} "
        "AND REFERENCED_TABLE_NAME IS NOT NULL ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION"
    ):
        entry = references.setdefault((table, constraint), [[], target, []])
        entry[0].append(name)
        entry[2].append(target_column)
    for (table, _), (columns, target, target_columns) in references.items():
        out.foreign_keys[table].add((tuple(columns), target, tuple(target_columns)))
    return out
