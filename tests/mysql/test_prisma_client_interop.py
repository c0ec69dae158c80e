"""A Django project on ``django_prisma.mysql`` and Prisma Client JS 7 share one MariaDB database
through the same executor, and each reads exactly what the other wrote: 32- and 64-bit integers
at their limits, decimals at full scale, datetimes with milliseconds, unicode strings, JSON,
bytes, booleans, nulls and a relation.

The Django side runs in a subprocess (django_side.py: the suite's own settings are PostgreSQL's);
the Prisma side is bench/peer's client (its package.json and lockfile, ``npm ci``) generated from
tests/mysql/schema.prisma (prisma_side.mjs).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import django
import pytest

from django_prisma.devserver import throwaway_executor
from django_prisma.devserver.runtime import ensure_runtime, node_binary
from tests.conftest import MYSQL_URL, SHARED

pytestmark = pytest.mark.server

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PEER = ROOT / "bench" / "peer"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "django-prisma"


def install_prisma_client() -> Path:
    """bench/peer's npm packages (from its lockfile) with a client generated from schema.prisma,
    in a cache folder named after the three files."""
    sources = [PEER / "package.json", PEER / "package-lock.json", HERE / "schema.prisma"]
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in sources)).hexdigest()[:12]
    target = CACHE / f"interop-client-{digest}"
    if (target / ".ready").exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    for source in sources:
        shutil.copy(source, target / source.name)
    quiet = ["--no-audit", "--no-fund", "--loglevel=error"]
    subprocess.run(["npm", "ci", "--ignore-scripts", *quiet], cwd=target, check=True, timeout=600)
    # `prisma generate` never runs the schema engine but downloads it unless this names an
    # existing file: the offline stand-in of ../shared where there is one, else any executable.
    shim = Path(SHARED) / "prisma-oracle" / "schema-engine-shim"
    engine = str(shim) if shim.exists() else shutil.which("true")
    subprocess.run(
        [node_binary(ensure_runtime()), "node_modules/prisma/build/index.js", "generate"],
        cwd=target,
        env={**os.environ, "PRISMA_SCHEMA_ENGINE_BINARY": engine},
        check=True,
        capture_output=True,
        timeout=300,
    )
    (target / ".ready").write_text("ok\n")
    return target


def accelerate_url(server_url: str) -> str:
    """Prisma Client speaks plain HTTP only to ``prisma+postgres://localhost…`` (https to every
    ``prisma://`` URL); the scheme tells it nothing else: the provider is the generated
    client's (mysql)."""
    assert server_url.startswith("prisma://")
    return "prisma+postgres://" + server_url[len("prisma://") :]


@pytest.fixture(scope="module")
def shared_database():
    with throwaway_executor(MYSQL_URL, "dp_interop") as server:
        client = install_prisma_client()

        def django_side(command, payload=None):
            return run(
                [sys.executable, str(HERE / "django_side.py"), command],
                payload,
                {"DJANGO_PRISMA_URL": server.url},
            )

        def prisma_side(command, payload=None):
            return run(
                [node_binary(ensure_runtime()), str(HERE / "prisma_side.mjs"), command],
                payload,
                {"PRISMA_CLIENT_DIR": str(client), "ACCELERATE_URL": accelerate_url(server.url)},
            )

        django_side("create")
        yield django_side, prisma_side


def run(command, payload, env):
    result = subprocess.run(
        command,
        input=json.dumps(payload) if payload is not None else "",
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, f"{command[1]} {command[2]}: {result.stderr[-3000:]}"
    return json.loads(result.stdout.splitlines()[-1])


def item(**values):
    defaults = {
        "small": 0,
        "big": "0",
        "price": "0.000000",
        "happened": "2024-01-01T00:00:00.000Z",
        "title": "",
        "notes": None,
        "data": None,
        "blob": None,
        "flag": False,
        "maybe": None,
        "ratio": None,
    }
    return {**defaults, **values}


def owners_written_by(side: str) -> list[dict]:
    every_byte = bytes(range(256))
    return [
        {
            "name": f"Zoë’s 书店 🚀 ({side})",
            "items": [
                item(
                    small=2_147_483_647,
                    big="9223372036854775807",
                    price="99999999999999.999999",
                    happened="2024-02-29T23:59:59.123Z",
                    title=f"naïve café — ✓ 𝄞 {side}",
                    notes="two\nlines, 'single' \"double\" back\\slash %s ? :name",
                    data={"nested": {"list": [1, 2.5, "três", None, True]}, "emoji": "😀"},
                    blob=base64.b64encode(every_byte).decode(),
                    flag=True,
                    maybe=False,
                    ratio=0.1,
                ),
                item(
                    small=-2_147_483_648,
                    big="-9223372036854775808",
                    price="-0.000001",
                    happened="1970-01-01T00:00:00.001Z",
                    maybe=True,
                    ratio=-1.5e300,
                ),
                item(
                    small=7,
                    big="9007199254740993",  # 2**53 + 1: no double holds it
                    price="12345678901234.5",
                    happened="2038-01-19T03:14:08.999Z",
                    title="x" * 200,
                    notes="",
                    data=[1, "two", {"three": [3]}],
                    blob="",
                ),
            ],
        },
        {"name": f"no items ({side})", "items": []},
    ]


def comparable(owners: list[dict]) -> list:
    """Owners and items with values compared by meaning (decimals, instants), ids left out."""
    out = []
    for owner in owners:
        items = []
        for value in owner["items"]:
            value = dict(value)
            for key in ("id", "owner_id", "owner_name", "micro"):
                value.pop(key, None)
            value["price"] = Decimal(value["price"])
            value["happened"] = dt.datetime.fromisoformat(value["happened"].replace("Z", "+00:00"))
            items.append(value)
        out.append((owner["name"], items))
    return out


def written(read: list[dict], ids: list[dict]) -> list[dict]:
    """The owners of ``read`` whose ids ``ids`` lists, in that order."""
    by_id = {owner["id"]: owner for owner in read}
    return [by_id[entry["id"]] for entry in ids]


def check_relations(owners: list[dict], ids: list[dict]) -> None:
    for owner, entry in zip(owners, ids, strict=True):
        assert [i["id"] for i in owner["items"]] == entry["items"]
        assert {(i["owner_id"], i["owner_name"]) for i in owner["items"]} <= {
            (owner["id"], owner["name"])
        }


def test_each_reads_exactly_what_the_other_wrote(shared_database):
    django_side, prisma_side = shared_database
    from_django = owners_written_by("django")
    from_prisma = owners_written_by("prisma")
    django_ids = django_side("write", from_django)
    prisma_ids = prisma_side("write", from_prisma)

    read_by_django = django_side("read")
    read_by_prisma = prisma_side("read")

    # Prisma Client reads Django's rows, Django reads Prisma Client's, value for value.
    prisma_reading_django = written(read_by_prisma, django_ids)
    django_reading_prisma = written(read_by_django, prisma_ids)
    assert comparable(prisma_reading_django) == comparable(from_django)
    assert comparable(django_reading_prisma) == comparable(from_prisma)
    # The strings as sent, not only equal in value: 64-bit integers in full, decimals at scale.
    assert prisma_reading_django[0]["items"][0]["big"] == "9223372036854775807"
    assert django_reading_prisma[0]["items"][2]["big"] == "9007199254740993"
    assert django_reading_prisma[0]["items"][1]["price"] == "-0.000001"
    # Milliseconds arrive as milliseconds, nothing below them.
    assert [i["micro"] for i in django_reading_prisma[0]["items"]] == [123_000, 1_000, 999_000]
    # The relation, both ways: each item names its owner's id and name.
    check_relations(prisma_reading_django, django_ids)
    check_relations(django_reading_prisma, prisma_ids)
    # Both see the same database: four owners, six items, the same rows.
    assert comparable(read_by_django) == comparable(read_by_prisma)
    assert [o["id"] for o in read_by_django] == [o["id"] for o in read_by_prisma]


def test_driver_costs_on_mysql(shared_database):
    """What bench/run.py --topology mysql measures, held: an atomic() block of N statements in
    nested savepoints is N + 2 requests, a bulk_create of 1,000 rows one INSERT, and a sliced
    select_related query selects its page before it joins, returning Django's rows."""
    django_side, _ = shared_database
    counts = django_side("counts")
    assert counts["nested_atomic_requests"] == 5 + 2
    assert len(counts["bulk_create_inserts"]) == 1, counts["bulk_create_inserts"]
    # Django 5.2 wraps bulk_create in a transaction (start, the INSERT, commit).
    assert counts["bulk_create_requests"] == (3 if django.VERSION < (6,) else 1)
    assert counts["page_rows"] == counts["django_rows"]
    assert len(counts["page_rows"]) == 20
    assert [("FROM (SELECT" in sql) for sql in counts["page_sql"]] == [True]
    assert [("FROM (SELECT" in sql) for sql in counts["django_sql"]] == [False]
