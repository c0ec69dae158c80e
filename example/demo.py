"""The demo: a local Prisma Postgres, the example project migrated onto it, real queries, and the
admin changelist, with a readable report. Run it with ``./scripts/demo``."""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Report:
    def __init__(self):
        self.failures = 0

    def step(self, title: str, value, ok: bool = True) -> None:
        mark = "ok " if ok else "FAIL"
        self.failures += not ok
        print(f"  [{mark}] {title}: {value}")


def main() -> int:
    from django_prisma.devserver import LocalServer

    kind = os.environ.get("DEMO_SERVER", "dev")
    print(f"django-prisma demo — starting a local Prisma Postgres ({kind}) ...")
    started = time.monotonic()
    # The first start installs the servers' npm runtime: say so rather than wait silently.
    options = {"progress": lambda message: print(f"  {message}", flush=True)}
    if kind == "executor":
        options["database_url"] = os.environ["DEMO_POSTGRES_URL"]
    with LocalServer(kind, **options) as server:
        print(f"  server ready in {time.monotonic() - started:.1f} s on port {server.port}")
        os.environ["DATABASE_URL"] = server.url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example.project.settings")
        return run_demo()


def run_demo() -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Avg, Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from example.petshop.models import Pet, User

    report = Report()
    print("\n1. Migrations (Django's contrib apps and the pet shop)")
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    tables = connection.introspection.table_names()
    report.step(
        "migrate", f"{len(tables)} tables in {time.monotonic() - started:.1f} s", "pets" in tables
    )

    print("\n2. Data")
    alice = User.objects.create(email="alice@example.com", name="Alice")
    bob = User.objects.create(email="bob@example.com", name="Bob")
    Pet.objects.bulk_create(
        [
            Pet(name="Tom", species="cat", owner=alice, born=date(2019, 4, 1)),
            Pet(name="Rex", species="dog", owner=alice, born=date(2016, 8, 12)),
            Pet(name="Nemo", species="fish", owner=bob),
        ]
    )
    report.step("created", f"{User.objects.count()} users, {Pet.objects.count()} pets",
                Pet.objects.count() == 3)  # fmt: skip

    print("\n3. Queries")
    cats = list(Pet.objects.filter(species="cat").values_list("name", flat=True))
    report.step("filter species='cat'", cats, cats == ["Tom"])
    with CaptureQueriesContext(connection) as queries:
        owners = [
            (p.name, p.owner.name) for p in Pet.objects.select_related("owner").order_by("name")
        ]
    report.step(f"join with select_related ({len(queries)} query)", owners, len(queries) == 1)
    counts = dict(User.objects.annotate(n=Count("pets")).values_list("name", "n"))
    report.step("annotate Count('pets')", counts, counts == {"Alice": 2, "Bob": 1})
    oldest = Pet.objects.filter(born__isnull=False).order_by("born").first()
    report.step("oldest pet", f"{oldest.name}, born {oldest.born}", oldest.name == "Rex")
    average = User.objects.aggregate(avg=Avg("pets__id"))["avg"]
    report.step("aggregate Avg", round(average, 2), average is not None)

    print("\n4. Transactions")
    try:
        with transaction.atomic():
            Pet.objects.create(name="Ghost", owner=bob)
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    ghost = Pet.objects.filter(name="Ghost").exists()
    report.step("atomic() block that raised, rolled back", f"Ghost exists: {ghost}", not ghost)
    with transaction.atomic():
        Pet.objects.filter(owner=bob).update(species="goldfish")
        with transaction.atomic():
            Pet.objects.create(name="Bubbles", species="goldfish", owner=bob)
    goldfish = Pet.objects.filter(species="goldfish").count()
    report.step(
        "nested atomic() with a savepoint, committed", f"{goldfish} goldfish", goldfish == 2
    )

    cached_read(report)

    print("\n6. Admin")
    from django.contrib.auth import get_user_model

    admin_user = get_user_model().objects.create_superuser("admin", "admin@example.com", "demo")
    client = Client()
    client.force_login(admin_user)
    response = client.get("/admin/petshop/pet/")
    body = response.content.decode()
    report.step(
        "GET /admin/petshop/pet/ (changelist)",
        f"HTTP {response.status_code}, lists Tom/Rex/Nemo: {all(n in body for n in ('Tom', 'Rex', 'Nemo'))}",
        response.status_code == 200 and all(n in body for n in ("Tom", "Rex", "Nemo")),
    )

    print("\nTo run the same project yourself:")
    print("  python -m django_prisma dev                 # prints DATABASE_URL=…")
    print("  DATABASE_URL=… python example/manage.py migrate")
    print("  DATABASE_URL=… python example/manage.py createsuperuser")
    print("  DATABASE_URL=… python example/manage.py runserver   # then open /admin/")
    print()
    if report.failures:
        print(f"demo: {report.failures} step(s) FAILED")
        return 1
    print("demo: all steps passed")
    return 0


def cached_read(report: Report) -> None:
    print("\n5. Cache (Accelerate's cache, chosen per queryset)")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from django_prisma import CacheStrategy
    from example.petshop.models import User

    strategy = CacheStrategy(ttl=60, swr=60)
    statuses = []
    for _ in range(2):
        users = User.objects.with_cache(strategy).order_by("email")
        with CaptureQueriesContext(connection) as queries:
            names = [u.name for u in users]
        info = users.cache_info
        statuses.append((info.status, info.source, len(queries)))
    report.step(
        "with_cache(ttl=60, swr=60) read twice",
        f"{names}; status/source: {statuses[0][:2]} then {statuses[1][:2]}",
        names == ["Alice", "Bob"] and statuses[1][0] == "ttl",
    )
    User.objects.create(email="carol@example.com", name="Carol")
    fresh = [u.name for u in User.objects.with_cache(strategy).order_by("email")]
    report.step(
        "a write invalidates the cached read (automatic table tags)",
        fresh,
        fresh == ["Alice", "Bob", "Carol"],
    )


if __name__ == "__main__":
    sys.exit(main())
