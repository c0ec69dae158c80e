"""What Django's MySQL backend imports from MySQLdb, without a MySQL client library.

``django.db.backends.mysql`` imports ``MySQLdb`` (mysqlclient, a C extension built against
libmysqlclient or MariaDB Connector/C) at module level, for its exception classes, two constant
tables and a converters dict; ``django_prisma.mysql`` subclasses that backend but talks to the
database through the driver over HTTP, so none of the client library is used. When MySQLdb is
importable, Django gets the real one; otherwise, only while Django's modules are being imported,
``MySQLdb`` names this stand-in: the driver's exception classes, MySQL's protocol constants, and
an empty converters table. It is removed from ``sys.modules`` afterwards, so no other code sees a
MySQLdb that cannot connect.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager

from ..dbapi import exceptions

# MySQL's column type codes (include/field_types.h), which MySQLdb names FIELD_TYPE.*.
FIELD_TYPES = {
    "DECIMAL": 0,
    "TINY": 1,
    "SHORT": 2,
    "LONG": 3,
    "FLOAT": 4,
    "DOUBLE": 5,
    "NULL": 6,
    "TIMESTAMP": 7,
    "LONGLONG": 8,
    "INT24": 9,
    "DATE": 10,
    "TIME": 11,
    "DATETIME": 12,
    "YEAR": 13,
    "NEWDATE": 14,
    "VARCHAR": 15,
    "BIT": 16,
    "JSON": 245,
    "NEWDECIMAL": 246,
    "ENUM": 247,
    "SET": 248,
    "TINY_BLOB": 249,
    "MEDIUM_BLOB": 250,
    "LONG_BLOB": 251,
    "BLOB": 252,
    "VAR_STRING": 253,
    "STRING": 254,
    "GEOMETRY": 255,
    "CHAR": 1,
    "INTERVAL": 247,
}
# Capability flags of MySQL's client protocol (include/mysql_com.h), MySQLdb's CLIENT.*.
CLIENT_FLAGS = {
    "LONG_PASSWORD": 1,
    "FOUND_ROWS": 2,
    "LONG_FLAG": 4,
    "CONNECT_WITH_DB": 8,
    "NO_SCHEMA": 16,
    "COMPRESS": 32,
    "ODBC": 64,
    "LOCAL_FILES": 128,
    "IGNORE_SPACE": 256,
    "CHANGE_USER": 512,
    "INTERACTIVE": 1024,
    "SSL": 2048,
    "IGNORE_SIGPIPE": 4096,
    "TRANSACTIONS": 8192,
    "RESERVED": 16384,
    "SECURE_CONNECTION": 32768,
    "MULTI_STATEMENTS": 65536,
    "MULTI_RESULTS": 131072,
}
# The MySQLdb release whose API the stand-in offers (Django checks the version).
VERSION_INFO = (2, 2, 7, "final", 0)
_NAMES: tuple[str, ...] = ("MySQLdb", "MySQLdb.constants", "MySQLdb.constants.CLIENT")
_NAMES += ("MySQLdb.constants.FIELD_TYPE", "MySQLdb.converters")


def _module(name: str, **attributes: object) -> types.ModuleType:
    module = types.ModuleType(name, "django_prisma.mysql's stand-in for MySQLdb (see mysqldb.py)")
    module.__dict__.update(attributes)
    return module


def stand_in() -> dict[str, types.ModuleType]:
    """The stand-in's modules by name."""
    field_type = _module("MySQLdb.constants.FIELD_TYPE", **FIELD_TYPES)
    client = _module("MySQLdb.constants.CLIENT", **CLIENT_FLAGS)
    constants = _module("MySQLdb.constants", FIELD_TYPE=field_type, CLIENT=client)
    converters = _module("MySQLdb.converters", conversions={})
    errors = {
        name: getattr(exceptions, name)
        for name in (
            "Warning",
            "Error",
            "InterfaceError",
            "DatabaseError",
            "DataError",
            "OperationalError",
            "IntegrityError",
            "InternalError",
            "ProgrammingError",
            "NotSupportedError",
        )
    }
    package = _module(
        "MySQLdb",
        version_info=VERSION_INFO,
        __version__=".".join(str(part) for part in VERSION_INFO[:3]),
        constants=constants,
        converters=converters,
        **errors,
    )
    package.__path__ = []  # a package: "from MySQLdb.constants import …" resolves in sys.modules
    return {
        "MySQLdb": package,
        "MySQLdb.constants": constants,
        "MySQLdb.constants.CLIENT": client,
        "MySQLdb.constants.FIELD_TYPE": field_type,
        "MySQLdb.converters": converters,
    }


def mysqldb_installed() -> bool:
    return "MySQLdb" in sys.modules or importlib.util.find_spec("MySQLdb") is not None


@contextmanager
def importable() -> Iterator[None]:
    """Inside: ``import MySQLdb`` works (the real one if installed, else the stand-in)."""
    if mysqldb_installed():
        yield
        return
    modules = stand_in()
    sys.modules.update(modules)
    try:
        yield
    finally:
        for name in _NAMES:
            if sys.modules.get(name) is modules.get(name):
                del sys.modules[name]


def import_django_backend(module: str) -> types.ModuleType:
    """``django.db.backends.mysql.<module>``, importable without a MySQL client library."""
    name = f"django.db.backends.mysql.{module}"
    if name in sys.modules:
        return sys.modules[name]
    with importable():
        return importlib.import_module(name)
