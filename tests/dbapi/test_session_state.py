"""Session state must never reach a pooled server connection that other requests share."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from psycopg import ClientCursor

from django_prisma import dbapi

REFUSED = [
    "SET application_name = 'leaky'",
    "set search_path to public",
    "SET SESSION statement_timeout = 1000",
    "SET TIME ZONE 'America/New_York'",
    "  /* comment */ SET work_mem = '64MB'",
    "RESET ALL",
    "reset search_path",
    "DISCARD ALL",
    "LISTEN channel",
    "UNLISTEN *",
    "DEALLOCATE ALL",
    "PREPARE p AS SELECT 1",
    "SELECT pg_advisory_lock(1)",
    "SELECT PG_ADVISORY_LOCK(1)",
    "SELECT pg_try_advisory_lock(1)",
    "SELECT pg_advisory_lock_shared(1)",
    "SELECT Pg_Try_Advisory_Lock_Shared(1, 2)",
    "SELECT set_config('application_name', 'leaky', false)",
    "SELECT SET_CONFIG('search_path', 'x', FALSE)",
    # every call of a statement counts, not only its first
    "SELECT set_config('dp.a', 'x', true), set_config('application_name', 'leaky', false)",
    "SELECT set_config('dp.a', 'x', true); SELECT set_config('dp.b', 'it''s', false)",
    "SELECT set_config('application_name', 'x' || 'y', true)",  # not a literal: unknown
    "BEGIN",
    "begin transaction isolation level serializable",
    "START TRANSACTION",
    "COMMIT",
    "END",
    "ROLLBACK",
    "ABORT",
    "COMMIT PREPARED 'x'",
    "PREPARE TRANSACTION 'x'",
]


# Outside a transaction only: inside one, a temporary table is dropped before the COMMIT
# (tests/dbapi/test_transactions.py).
TEMPORARY_TABLES = [
    "CREATE TEMP TABLE tmp_x (id int)",
    "CREATE TEMPORARY TABLE tmp_x (id int)",
    "create local temporary table tmp_x (id int)",
    "CREATE GLOBAL TEMP TABLE tmp_x (id int)",
]


@pytest.mark.parametrize("sql", REFUSED + TEMPORARY_TABLES)
def test_refused_in_autocommit_with_nothing_sent(conn, sql):
    before = conn.transport.requests_sent
    with pytest.raises(dbapi.NotSupportedError) as info:
        conn.cursor().execute(sql)
    assert str(info.value)
    assert conn.transport.requests_sent == before


@pytest.mark.parametrize("sql", REFUSED)
def test_refused_inside_a_transaction_too(server, sql):
    conn = dbapi.connect(server.url)
    try:
        before = conn.transport.requests_sent
        with pytest.raises(dbapi.NotSupportedError):
            conn.cursor().execute(sql)
        # refused before a transaction was opened for it
        assert conn.transport.requests_sent == before and not conn.in_transaction
        conn.cursor().execute("SELECT 1")
        before = conn.transport.requests_sent
        with pytest.raises(dbapi.NotSupportedError):
            conn.cursor().execute(sql)
        assert conn.transport.requests_sent == before
        assert not conn.transaction_failed  # a refused statement does not poison the transaction
    finally:
        conn.rollback()
        conn.close()


def test_refusal_messages_name_the_remedy(conn):
    cur = conn.cursor()
    with pytest.raises(dbapi.NotSupportedError) as info:
        cur.execute("SET search_path = x")
    assert "SET LOCAL" in str(info.value)
    with pytest.raises(dbapi.NotSupportedError) as info:
        cur.execute("BEGIN")
    assert "commit()" in str(info.value)
    with pytest.raises(dbapi.NotSupportedError) as info:
        cur.execute("CREATE TEMP TABLE x (id int)")
    assert "ON COMMIT DROP" in str(info.value)
    with pytest.raises(dbapi.NotSupportedError) as info:
        cur.execute("SELECT pg_advisory_lock(42)")
    assert "pg_advisory_xact_lock" in str(info.value)


def test_session_state_words_inside_literals_and_names_are_fine(conn):
    cur = conn.cursor()
    cur.execute("SELECT %s, 'SET x', 'pg_advisory_lock(1)' AS begin", ["SET x = 1"])
    assert cur.fetchone() == ("SET x = 1", "SET x", "pg_advisory_lock(1)")


def test_set_local_works_and_does_not_leak(server):
    conn = dbapi.connect(server.url)
    try:
        cur = conn.cursor()
        cur.execute("SET LOCAL application_name = 'dp_local_probe'")
        cur.execute("SET LOCAL dp.custom = 'inside'")
        cur.execute("SHOW application_name")
        assert cur.fetchone() == ("dp_local_probe",)
        cur.execute("SELECT current_setting('dp.custom', true)")
        assert cur.fetchone() == ("inside",)
        conn.commit()
        conn.autocommit = True
        for _ in range(5):  # whichever pooled connection answers, the setting is gone
            cur.execute("SHOW application_name")
            assert cur.fetchone() != ("dp_local_probe",)
            cur.execute("SELECT coalesce(current_setting('dp.custom', true), '')")
            assert cur.fetchone() == ("",)
    finally:
        conn.close()


def test_set_local_and_set_constraints_allowed_only_where_scoped(conn):
    with pytest.raises(dbapi.NotSupportedError):
        conn.cursor().execute("SET LOCAL statement_timeout = 1000")  # outside a transaction
    conn.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")  # transaction-scoped anyway


def test_set_transaction_inside_a_transaction(server):
    conn = dbapi.connect(server.url)
    try:
        cur = conn.cursor()
        cur.execute("SET TRANSACTION READ ONLY")
        cur.execute("SHOW transaction_read_only")
        assert cur.fetchone() == ("on",)
    finally:
        conn.rollback()
        conn.close()


def test_temp_table_on_commit_drop_and_xact_advisory_lock_in_a_transaction(server):
    conn = dbapi.connect(server.url)
    try:
        cur = conn.cursor()
        cur.execute("CREATE TEMP TABLE dp_tmp (id int) ON COMMIT DROP")
        cur.execute("INSERT INTO dp_tmp VALUES (1), (2)")
        cur.execute("SELECT count(*) FROM dp_tmp")
        assert cur.fetchone() == (2,)
        cur.execute("SELECT pg_try_advisory_xact_lock(4242)")
        assert cur.fetchone() == (True,)
        conn.commit()
        conn.autocommit = True
        with pytest.raises(dbapi.ProgrammingError) as info:
            cur.execute("SELECT count(*) FROM dp_tmp")
        assert info.value.pgcode == "42P01"
        cur.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242")
        assert cur.fetchone() == (0,)
    finally:
        conn.close()


def test_set_local_time_zone_cannot_corrupt_timestamptz(server):
    """The executor labels whatever PostgreSQL prints with +00:00: a non-UTC session zone would
    shift every timestamptz silently, so the driver refuses to set one."""
    conn = dbapi.connect(server.url)
    try:
        cur = conn.cursor()
        for sql in (
            "SET LOCAL TIME ZONE 'America/New_York'",
            "SET LOCAL timezone = 'Europe/Paris'",
            "SET LOCAL TimeZone TO '+05:30'",
            "SELECT set_config('TimeZone', 'Asia/Tokyo', true)",
        ):
            with pytest.raises(dbapi.NotSupportedError) as info:
                cur.execute(sql)
            assert "UTC" in str(info.value)
        cur.execute("SET LOCAL TIME ZONE 'UTC'")  # harmless
        cur.execute("SELECT %s::timestamptz", [datetime(2024, 5, 6, 7, 8, 9, 123456, UTC)])
        assert cur.fetchone() == (datetime(2024, 5, 6, 7, 8, 9, 123456, UTC),)
    finally:
        conn.rollback()
        conn.close()


def test_values_mentioning_session_functions_can_be_stored(conn, make_table):
    table = make_table("id int, v text")
    values = [
        "SELECT pg_advisory_lock(1)",
        "it's set_config('a', 'b', false)",
        "back\\slash pg_try_advisory_lock(2) 'quoted'",
        "$$ pg_advisory_lock(3) $$",
    ]
    cur = conn.cursor()
    cur.executemany(f"INSERT INTO {table} VALUES (%s, %s)", list(enumerate(values)))
    cur.execute(f"SELECT v FROM {table} WHERE v <> %s ORDER BY id", ["pg_advisory_lock(9)"])
    assert [r[0] for r in cur.fetchall()] == values
    # but the function itself, next to such a value, is still caught
    with pytest.raises(dbapi.NotSupportedError):
        cur.execute("SELECT %s, pg_advisory_lock(1)", ["'--"])


def test_dollar_quoted_values_that_mention_session_functions_are_inert():
    from django_prisma.dbapi.statements import Statement

    for sql in ("SELECT $$pg_advisory_lock(1)$$", "SELECT $q$set_config('a', 'b', false)$q$"):
        Statement(sql).check(in_transaction=False)  # a value, not a call: nothing refused


def test_transaction_local_values_in_any_literal_form(server, pg_direct):
    """The values an execute wrapper binds (pghistory's context metadata is JSON with quotes;
    a backslash makes psycopg write E'…'), in several set_config calls of one statement."""
    values = ['{"key1": "can\'t", "key2": "\'\'quoted\'\'"}', "back\\slash 'and' quote"]
    sql = (
        "SELECT set_config('dp.first', %s, true), set_config('dp.second', %s, true); "
        "SELECT current_setting('dp.first'), current_setting('dp.second')"
    )
    conn = dbapi.connect(server.url, autocommit=True)
    try:
        cursor = conn.cursor()
        cursor.execute(sql, values)
        assert cursor.fetchall() == [tuple(values)]
        assert cursor.nextset() and cursor.fetchall() == [tuple(values)]
    finally:
        conn.close()
    if pg_direct is not None:
        psycopg_cursor = ClientCursor(pg_direct).execute(sql, values)
        assert psycopg_cursor.fetchall() == [tuple(values)]


def _reset_to_default(cursor) -> list:
    """pgtrigger.ignore's way out of a transaction: the setting set for the transaction, then
    reset with set_config(name, NULL, false), as psycopg answers each step."""
    answers = []
    cursor.execute("SELECT set_config('dp.ignore', 'some trigger', true)")
    answers.append(cursor.fetchall())
    cursor.execute("SELECT set_config('dp.ignore', NULL, false)")
    answers.append(cursor.fetchall())
    cursor.execute("SELECT current_setting('dp.ignore', true)")
    answers.append(cursor.fetchall())
    return answers


def test_a_reset_to_the_default_is_allowed_and_leaves_nothing(server, pg_direct):
    """set_config(name, NULL, …) resets the setting to its default: with no session state on
    any pooled connection, the session's value is that default already, so nothing stays."""
    conn = dbapi.connect(server.url)  # autocommit off: inside a transaction
    try:
        cursor = conn.cursor()
        ours = _reset_to_default(cursor)
        conn.commit()
        conn.autocommit = True
        for _ in range(3):  # whichever pooled connection answers
            cursor.execute("SELECT coalesce(current_setting('dp.ignore', true), '')")
            assert cursor.fetchone() == ("",)
        cursor.execute("SELECT set_config('dp.ignore', NULL, true) IS NOT DISTINCT FROM ''")
        assert cursor.fetchone() == (True,)  # in autocommit too
    finally:
        conn.close()
    assert ours[0] == [("some trigger",)] and ours[1] == ours[2] == [("",)]
    if pg_direct is not None:
        with pg_direct.transaction():
            assert _reset_to_default(ClientCursor(pg_direct)) == ours


def test_a_reset_of_a_setting_the_connection_sets_is_refused(server, pg_direct):
    """libpq's ``-c search_path=…`` makes the value the session's default, which a reset
    returns to; here the connection sets it on every statement and a reset would reach the
    server's default instead: refused, with nothing sent."""
    conn = dbapi.connect(
        server.url, autocommit=True, session_parameters=[("search_path", "dp_schema,public")]
    )
    try:
        cursor = conn.cursor()
        cursor.execute("SHOW search_path")
        assert cursor.fetchone() == ("dp_schema,public",)
        before = conn.transport.requests_sent
        for sql in (
            "SELECT set_config('search_path', NULL, false)",
            "SELECT set_config('SEARCH_PATH', NULL, true)",
            "SELECT 1; SELECT set_config('search_path', NULL, true)",
        ):
            with pytest.raises(dbapi.NotSupportedError, match="server's default"):
                cursor.execute(sql)
        assert conn.transport.requests_sent == before
        cursor.execute("SELECT set_config('dp.other', NULL, true) IS NOT NULL")
        assert cursor.fetchone() == (True,)  # the others may still be reset
    finally:
        conn.close()
    if pg_direct is not None:  # natively: the value given at connection time
        import psycopg

        info = pg_direct.info
        with psycopg.connect(
            info.dsn, options="-c search_path=dp_schema,public", autocommit=True
        ) as native:
            row = native.execute("SELECT set_config('search_path', NULL, false)").fetchone()
            assert row == ("dp_schema,public",)
