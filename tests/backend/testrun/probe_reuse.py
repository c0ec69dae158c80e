"""Run by pytest-django in a subprocess (tests/backend/test_test_databases.py): counts the earlier
runs recorded in the test database, then records this one."""

import os
from pathlib import Path

import pytest
from django.db import connection


@pytest.mark.django_db(transaction=True)
def test_record_this_run():
    with connection.cursor() as cursor:
        # Not a model's table: the flush after a transactional test leaves it alone.
        cursor.execute("CREATE TABLE IF NOT EXISTS probe_runs (n int)")
        cursor.execute("SELECT count(*) FROM probe_runs")
        earlier = cursor.fetchone()[0]
        cursor.execute("INSERT INTO probe_runs VALUES (1)")
    Path(os.environ["PROBE_RESULT"]).write_text(str(earlier))
