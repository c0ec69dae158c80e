"""MySQL's savepoint statements (backquoted names, Django's MySQL spelling) are held back to ride
with the transaction's next statement, as PostgreSQL's are (``dbapi/savepoints.py``); the
request counts are checked on a real server in test_prisma_client_interop.py."""

from django_prisma.dbapi.mysql.statements import MySQLStatement
from django_prisma.dbapi.savepoints import DeferredSavepoints


def hold(savepoints: DeferredSavepoints, sql: str) -> bool:
    return savepoints.hold(MySQLStatement(sql), may_defer=True)


def test_backquoted_savepoints_are_held_and_an_empty_one_is_dropped():
    savepoints = DeferredSavepoints()
    assert hold(savepoints, "SAVEPOINT `s1_x1`")
    assert hold(savepoints, "SAVEPOINT `s1_x2`")
    # MySQL compares savepoint names without case: this releases the one just taken.
    assert hold(savepoints, "RELEASE SAVEPOINT `S1_X2`")
    assert savepoints.take() == ["SAVEPOINT `s1_x1`"]
    assert savepoints.names == ["s1_x1"]


def test_release_of_an_unknown_savepoint_goes_out_for_mysql_to_refuse():
    savepoints = DeferredSavepoints()
    assert not hold(savepoints, "RELEASE SAVEPOINT `never_taken`")


def test_a_backquoted_name_may_hold_a_backquote():
    savepoints = DeferredSavepoints()
    assert hold(savepoints, "SAVEPOINT `a``b`")
    assert hold(savepoints, "ROLLBACK TO SAVEPOINT `a``b`")  # nothing ran since it was taken
    assert savepoints.names == ["a`b"]
