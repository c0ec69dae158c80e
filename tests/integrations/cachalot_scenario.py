"""Run in a subprocess by test_cachalot.py, once per backend (django-cachalot patches Django's
SQL compilers, cursors and atomic blocks for the life of the process): reads served from the
cache, invalidation by ORM writes, raw SQL writes (which cachalot parses for table names) and
transactions; prints, per step, the values read and the queries that reached the database.

Usage: python -m tests.integrations.cachalot_scenario prisma|native URL [unsupported]

With "unsupported", django_prisma is not declared to cachalot: only its system check runs.
"""

from __future__ import annotations

import json
import sys

import django
from django.conf import settings

from tests.integrations import sites

ENGINE, URL, *MODE = sys.argv[1:]
DECLARED = not MODE

settings.configure(
    DATABASES={"default": sites.database(ENGINE, URL)},
    INSTALLED_APPS=sites.installed_apps(ENGINE, "cachalot"),
    CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    # cachalot knows engines by their ENGINE path; django_prisma is declared to it so.
    CACHALOT_ADDITIONAL_SUPPORTED_DATABASES={"django_prisma"} if DECLARED else set(),
    SECRET_KEY="cachalot-scenario",
    USE_TZ=True,
)
django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core import checks  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

steps = []


def step(name, read):
    with CaptureQueriesContext(connection) as captured:
        value = read()
    steps.append({"step": name, "value": value, "queries": len(captured.captured_queries)})


def names():
    return list(Group.objects.filter(name__startswith="cache-").order_by("name").values_list("name", flat=True))  # fmt: skip


def main():
    from django.core.management import call_command

    warnings = sorted(m.id for m in checks.run_checks(include_deployment_checks=False))
    if not DECLARED:
        print(json.dumps({"checks": warnings}))
        return
    call_command("migrate", verbosity=0)
    Group.objects.filter(name__startswith="cache-").delete()
    Group.objects.create(name="cache-a")

    step("first read", names)
    step("second read: from the cache", names)
    step("count, first", lambda: Group.objects.filter(name__startswith="cache-").count())
    step("count, again", lambda: Group.objects.filter(name__startswith="cache-").count())
    step("an ORM write", lambda: Group.objects.create(name="cache-b").name)
    step("read after the write", names)
    step("raw UPDATE", lambda: raw("UPDATE auth_group SET name = 'cache-c' WHERE name = 'cache-b'"))
    step("read after the raw write", names)
    step("read again", names)

    def in_atomic():
        with transaction.atomic():
            before = names()
            Group.objects.create(name="cache-d")
            inside = names()
            return [before, inside]

    step("atomic: read, write, read", in_atomic)
    step("after the commit", names)

    def rolled_back():
        try:
            with transaction.atomic():
                Group.objects.create(name="cache-e")
                names()
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        return names()

    step("atomic rolled back, then read", rolled_back)
    step("iterator()", lambda: [g.name for g in Group.objects.filter(name__startswith="cache-").order_by("name").iterator()])  # fmt: skip
    step("iterator() again", lambda: [g.name for g in Group.objects.filter(name__startswith="cache-").order_by("name").iterator()])  # fmt: skip
    print(json.dumps({"checks": warnings, "steps": steps}))


def raw(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.rowcount


if __name__ == "__main__":
    main()
