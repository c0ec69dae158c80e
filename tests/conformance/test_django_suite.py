"""Django's own test suite on django_prisma: the CI subset of the conformance apps, with zero
failures and zero errors (declared differences live in django_prisma/features.py)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


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
    DJANGO_PRISMA_TEST_MYSQL (with its time zone tables loaded, as Django's MySQL backend
    needs: mysql_tzinfo_to_sql /usr/share/zoneinfo | mysql mysql)."""
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
