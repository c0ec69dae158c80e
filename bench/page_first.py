"""What selecting the page before the joins saves: bench/run.py's page workload
(``select_related("author").filter(pages__gt=n).order_by("-price", "id")[:20]`` over 10,000 books)
through django_prisma with ``page_first_joins`` on and off, and the two SQL forms straight to
PostgreSQL with psycopg (no HTTP, no Django), alternating on one executor + PostgreSQL server.
``--offset`` reads a deeper page; ``--index`` adds an index on the ordering first (PostgreSQL then
reads the page in order and stops early in both forms).

    python bench/page_first.py [--rounds N] [--offset K] [--index]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

import run as bench  # noqa: E402

from django_prisma.devserver import LocalServer, with_database  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=400)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--index", action="store_true")
    args = parser.parse_args()
    database = with_database(bench.POSTGRES_URL, f"dp_bench_{uuid.uuid4().hex[:8]}")
    with LocalServer(
        "executor", database_url=database, fresh_database=True, drop_database_on_exit=True
    ) as server:
        bench.configure_django(server.url, database)
        bench.create_and_seed()
        from benchapp.models import Book
        from django.db import connections
        from django.test.utils import CaptureQueriesContext

        if args.index:
            with connections["default"].cursor() as cursor:
                cursor.execute("CREATE INDEX bench_book_price ON bench_book (price DESC, id)")
                cursor.execute("ANALYZE bench_book")

        prisma = connections["django_prisma"]
        native = connections["default"]

        def page(pages):
            queryset = (
                Book.objects.using("django_prisma")
                .select_related("author")
                .filter(pages__gt=pages)
                .order_by("-price", "id")[args.offset : args.offset + 20]
            )
            return len(list(queryset))

        def sql_of(enabled):
            prisma.page_first_joins = enabled
            with CaptureQueriesContext(prisma) as queries:
                page(300)
            return queries.captured_queries[-1]["sql"].replace('"pages" > 300', '"pages" > %s')

        forms = {"page first": sql_of(True), "as Django writes it": sql_of(False)}
        samples = {f"django_prisma, {name}": [] for name in forms}
        samples.update({f"psycopg, {name} SQL": [] for name in forms})
        native.ensure_connection()
        with native.connection.cursor() as cursor:
            for i in range(args.rounds + 20):
                pages = 200 + i % 300
                for name, sql in forms.items():
                    prisma.page_first_joins = name == "page first"
                    start = time.perf_counter()
                    page(pages)
                    orm = time.perf_counter() - start
                    start = time.perf_counter()
                    cursor.execute(sql, (pages,))
                    cursor.fetchall()
                    direct = time.perf_counter() - start
                    if i >= 20:  # warm-up
                        samples[f"django_prisma, {name}"].append(orm)
                        samples[f"psycopg, {name} SQL"].append(direct)
        connections.close_all()
    print(f"{args.rounds} alternating rounds, offset {args.offset}, index: {args.index}; medians:")
    for name, values in samples.items():
        print(f"  {name:40} {statistics.median(values) * 1000:7.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
