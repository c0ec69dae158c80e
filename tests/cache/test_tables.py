import pytest

from django_prisma.cache.tables import ALL_TABLES, read_tables, table_tag, written_tables


@pytest.mark.parametrize(
    "sql, tables",
    [
        ('SELECT "users"."id" FROM "users" WHERE "users"."id" = %s', {"users"}),
        (
            'SELECT "pets"."id" FROM "pets" INNER JOIN "users" ON ("pets"."owner_id" = '
            '"users"."id") LEFT OUTER JOIN "x" ON true',
            {"pets", "users", "x"},
        ),
        (
            'SELECT EXTRACT(YEAR FROM "pets"."born") FROM "pets" WHERE "a" IS DISTINCT FROM '
            '"b" AND name = \'from "fake"\'',
            {"pets"},
        ),
        ('SELECT COUNT(*) FROM (SELECT 1 FROM "users" U0) subquery', {"users"}),
        ("select * from Users u join public.pets p on true", {"users", "pets"}),
        ('SELECT 1 FROM "s"."t", "other"', {"s.t", "other"}),
        ("SELECT 1", set()),
        ("SELECT * FROM generate_series(1, 3)", set()),
    ],
)
def test_read_tables(sql, tables):
    assert read_tables(sql) == tables


@pytest.mark.parametrize(
    "sql, tables",
    [
        ('INSERT INTO "users" ("email") VALUES (%s) RETURNING "users"."id"', {"users"}),
        ('UPDATE "users" SET "name" = %s WHERE "users"."id" IN (SELECT 1 FROM "pets")', {"users"}),
        ('DELETE FROM "pets" WHERE "pets"."id" IN (%s)', {"pets"}),
        (
            'INSERT INTO "t" ("a") VALUES (1) ON CONFLICT("a") DO UPDATE SET "a" = EXCLUDED."a"',
            {"t"},
        ),
        ('TRUNCATE "a", "b" RESTART IDENTITY;', {"a", "b"}),
        ('TRUNCATE "a" CASCADE', {ALL_TABLES}),
        ("update only Items as i set x = 1", {"items"}),
        ('SELECT 1 FROM "t" FOR UPDATE', set()),
        ("CREATE TABLE foo (id int)", set()),
    ],
)
def test_written_tables(sql, tables):
    assert written_tables(sql) == tables


def test_table_tags_fit_accelerate_rules():
    assert table_tag("users") == "t_users"
    odd = table_tag("s.My-Table")
    assert odd.startswith("t_s_My_Table_") and len(odd) <= 64
    long = table_tag("x" * 100)
    assert len(long) == 64 and long != table_tag("x" * 99)
