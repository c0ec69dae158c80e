"""The emulator itself, driven at the DB-API level: it must behave as documented before the
Django-level tests can trust it."""

import time

import orjson
import pytest

from django_prisma import dbapi


def read(conn, sql, headers=None):
    conn.request_headers = headers
    cur = conn.cursor()
    # Integer columns only: no description of the result first, so the reads counted are these.
    cur.results_exact = True
    cur.execute(sql)
    return cur.fetchall(), cur.response_headers


@pytest.fixture
def counter_table(emu_conn, table_name):
    cur = emu_conn.cursor()
    cur.execute(f"CREATE TABLE {table_name} (id int PRIMARY KEY, v int)")
    cur.execute(f"INSERT INTO {table_name} VALUES (1, 1)")
    yield table_name
    cur.execute(f"DROP TABLE {table_name}")


def bump(conn, table):
    conn.request_headers = None
    conn.cursor().execute(f"UPDATE {table} SET v = v + 1")


def test_miss_then_ttl_hit_does_not_reach_the_database(emulator, emu_conn, counter_table):
    sql = f"SELECT v FROM {counter_table}"
    headers = {"cache-control": "max-age=60"}
    before = emulator.database_reads
    rows, h1 = read(emu_conn, sql, headers)
    assert rows == [(1,)] and h1["accelerate-cache-status"] == "miss"
    bump(emu_conn, counter_table)
    rows, h2 = read(emu_conn, sql, headers)
    assert rows == [(1,)] and h2["accelerate-cache-status"] == "ttl"
    assert emulator.database_reads - before == 2  # the first read and the UPDATE, not the hit
    assert h2["last-modified"] == h1["last-modified"]
    assert h2["cf-ray"].endswith("-EMU") and h2["accelerate-signature"]


def test_without_cache_control_status_none_and_always_forwarded(emulator, emu_conn, counter_table):
    before = emulator.database_reads
    for _ in range(2):
        rows, headers = read(emu_conn, f"SELECT v FROM {counter_table}")
        assert headers["accelerate-cache-status"] == "none"
    assert emulator.database_reads - before == 2


def test_swr_serves_stale_then_fresh(emulator, emu_conn, counter_table):
    sql = f"SELECT v FROM {counter_table}"
    headers = {"cache-control": "max-age=1,stale-while-revalidate=60"}
    assert read(emu_conn, sql, headers)[0] == [(1,)]
    bump(emu_conn, counter_table)
    time.sleep(1.1)
    rows, h = read(emu_conn, sql, headers)
    assert rows == [(1,)] and h["accelerate-cache-status"] == "swr"
    assert emulator.wait_idle()
    rows, h = read(emu_conn, sql, headers)
    assert rows == [(2,)] and h["accelerate-cache-status"] == "ttl"


def test_expired_entry_is_a_miss(emu_conn, counter_table):
    sql = f"SELECT v FROM {counter_table}"
    read(emu_conn, sql, {"cache-control": "max-age=1"})
    bump(emu_conn, counter_table)
    time.sleep(1.1)
    rows, h = read(emu_conn, sql, {"cache-control": "max-age=1"})
    assert rows == [(2,)] and h["accelerate-cache-status"] == "miss"


def test_tag_invalidation_and_invalidate_all(emulator, emu_conn, counter_table):
    a = f"SELECT v, 'a' FROM {counter_table}"
    b = f"SELECT v, 'b' FROM {counter_table}"
    read(emu_conn, a, {"cache-control": "max-age=60", "accelerate-cache-tags": "ta,shared"})
    read(emu_conn, b, {"cache-control": "max-age=60", "accelerate-cache-tags": "tb"})
    bump(emu_conn, counter_table)
    post = emu_conn.transport.request
    post("POST", "/invalidate", orjson.dumps({"tags": ["shared"]}), idempotent=True)
    assert read(emu_conn, a, {"cache-control": "max-age=60"})[0] == [(2, "a")]
    assert read(emu_conn, b, {"cache-control": "max-age=60"})[0] == [(1, "b")]
    post("POST", "/invalidate", orjson.dumps({"tags": "all"}), idempotent=True)
    rows, h = read(emu_conn, b, {"cache-control": "max-age=60"})
    assert rows == [(2, "b")] and h["accelerate-cache-status"] == "miss"
    assert emulator.invalidations == [["shared"], "all"]


def test_invalidate_rejects_bad_bodies(emu_conn):
    for body in (b"{}", b'{"tags": []}', b'{"tags": [1]}', b"nope"):
        with pytest.raises(dbapi.Error) as info:
            emu_conn.transport.request("POST", "/invalidate", body, idempotent=True)
        assert info.value.http_status == 400


def test_plain_mode_has_no_cache(executor_server, counter_table, table_name):
    from .conftest import api_key_of
    from .emulator import AccelerateEmulator

    with AccelerateEmulator(executor_server.url, cache=False) as plain:
        conn = dbapi.connect(plain.url(api_key_of(executor_server.url)), autocommit=True)
        for _ in range(2):
            rows, headers = read(
                conn, f"SELECT v FROM {table_name}", {"cache-control": "max-age=9"}
            )
            assert "accelerate-cache-status" not in headers
        assert plain.database_reads == 2
        conn.close()


def test_transactions_pass_through(emulator, emu_conn, counter_table):
    emu_conn.autocommit = False
    emu_conn.request_headers = {"cache-control": "max-age=60"}
    cur = emu_conn.cursor()
    cur.execute(f"SELECT v FROM {counter_table}")
    assert cur.fetchall() == [(1,)] and cur.response_headers is None
    emu_conn.commit()
    sent = [r for r in emulator.requests if r.path.startswith("/transaction/")]
    assert sent and all("cache-control" not in r.headers for r in sent)
