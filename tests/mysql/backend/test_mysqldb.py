"""The stand-in for MySQLdb exists only while Django's MySQL modules import: afterwards no
MySQLdb is importable in this process (PyMySQL is never installed as MySQLdb here), and Django's
MySQL backend sees the driver's exception classes."""

from __future__ import annotations

import importlib.util
import sys

from django_prisma.dbapi import exceptions
from django_prisma.mysql import base
from django_prisma.mysql.mysqldb import import_django_backend, importable, stand_in


def test_no_mysqldb_is_left_behind():
    assert base.DatabaseWrapper.vendor == "mysql"
    assert not [name for name in sys.modules if name.split(".")[0] == "MySQLdb"]
    assert importlib.util.find_spec("MySQLdb") is None


def test_djangos_mysql_backend_got_the_drivers_classes():
    django_mysql_base = import_django_backend("base")
    assert django_mysql_base.Database.IntegrityError is exceptions.IntegrityError
    assert django_mysql_base.Database.OperationalError is exceptions.OperationalError
    assert base.DatabaseWrapper.Database.paramstyle == "format"


def test_the_stand_in_only_inside_the_block():
    with importable():
        import MySQLdb
        from MySQLdb.constants import CLIENT, FIELD_TYPE

        assert MySQLdb.version_info >= (2, 2, 1)  # what Django 5.2+ requires of mysqlclient
        assert (CLIENT.FOUND_ROWS, FIELD_TYPE.JSON) == (2, 245)
    assert "MySQLdb" not in sys.modules
    assert set(stand_in()) == {
        "MySQLdb",
        "MySQLdb.constants",
        "MySQLdb.constants.CLIENT",
        "MySQLdb.constants.FIELD_TYPE",
        "MySQLdb.converters",
    }
