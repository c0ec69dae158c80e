"""Django's own test suite on django_prisma: the CI subset of the conformance apps, with zero
failures and zero errors (declared differences live in django_prisma/features.py)."""

import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.conftest import MYSQL_URL

ROOT = Path(__file__).resolve().parents[2]


def ensure_mysql_time_zone_tables():
    """Django's MySQL backend needs the server's time zone tables (its documentation: load them
    with mysql_tzinfo_to_sql); without them its date tests (admin_views' date hierarchy) error
    on the native backend too. A server whose tables are empty gets them here, as installing
    a server for Django does; one that has them is left alone."""
    import pymysql

    parts = urlsplit(MYSQL_URL)
    connection = pymysql.connect(
        host=parts.hostname or "127.0.0.1", port=parts.port or 3306,
        user=unquote(parts.username or "root"), password=unquote(parts.password or ""),
        database="mysql", autocommit=True,
        client_flag=pymysql.constants.CLIENT.MULTI_STATEMENTS,
    )  # fmt: skip
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM mysql.time_zone_name")
        if cursor.fetchone()[0]:
            return
        tool = shutil.which("mariadb-tzinfo-to-sql") or shutil.which("mysql_tzinfo_to_sql")
        if tool is None:
            pytest.fail(
                "the MySQL server has no time zone tables and mysql_tzinfo_to_sql is missing"
            )
        tables = subprocess.run(
            [tool, "/usr/share/zoneinfo"], capture_output=True, text=True, check=True
        ).stdout
        cursor.execute(tables)
        while cursor.nextset():
            pass
        cursor.execute("SELECT COUNT(*) FROM mysql.time_zone_name")
        assert cursor.fetchone()[0] > 0


@pytest.mark.timeout(2400)
def test_ci_subset_of_djangos_test_suite_passes():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "conformance.py"), "--ci-subset",
         "--backend", "prisma", "--timeout", "1200"],
        capture_output=True, text=True, timeout=2400,
    )  # fmt: skip
    print(result.stdout)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-4000:]
    table = result.stdout
    for app in ("basic", "queries", "expressions", "aggregation", "model_fields", "transactions",
                "migrations", "schema", "backends", "admin_views"):  # fmt: skip
        assert f"| {app} | prisma |" in table


@pytest.mark.timeout(2400)
def test_ci_subset_of_djangos_test_suite_passes_on_mysql():
    """The same apps on django_prisma.mysql, against the MariaDB/MySQL at
    DJANGO_PRISMA_TEST_MYSQL, with its time zone tables loaded as Django's MySQL backend needs."""
    ensure_mysql_time_zone_tables()
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "conformance.py"), "--ci-subset",
         "--database", "mysql", "--backend", "prisma", "--timeout", "1200"],
        capture_output=True, text=True, timeout=2400,
    )  # fmt: skip
    print(result.stdout)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-4000:]
    for app in ("basic", "queries", "expressions", "aggregation", "model_fields", "transactions",
                "migrations", "schema", "backends", "admin_views"):  # fmt: skip
        assert f"| {app} | prisma |" in result.stdout
