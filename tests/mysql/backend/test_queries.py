"""ORM queries on django_prisma.mysql give exactly what Django's own MySQL backend gives on the
same MariaDB rows (queries.py): datetimes to the microsecond, unsigned and JSON numbers beyond
2**53, JSON key text, window functions, subqueries, unions, chunked iteration, aggregates."""

from __future__ import annotations

from .conftest import database_url_of
from .native import run_native
from .queries import WHEN, run_all, seed

NATIVE = """
from tests.mysql.backend.queries import run_all
result = run_all("default")
"""


def test_queries_agree_with_djangos_own_mysql_backend(mydb):
    seed("mysql")
    ours = run_all("mysql")
    theirs = run_native(database_url_of(mydb), NATIVE)
    assert ours.keys() == theirs.keys()
    for name in ours:
        assert ours[name] == theirs[name], name
    # And they are the values written, not two equally wrong readings.
    assert ours["instances"][0][:1] == (WHEN,)
    assert ours["aggregates"]["top"] == 2**64 - 1 and ours["aggregates"]["latest"] == WHEN
    assert ours["json"][0][:2] == ("12345678901234567890", "abcd")
    assert ours["related"][:2] == [(2**32 - 1, 3), (2**32 - 1, 2**32 - 1)]
