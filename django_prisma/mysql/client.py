"""``manage.py dbshell``: the same SQL prompt over HTTP as django_prisma's, speaking MySQL."""

from ..client import DatabaseClient as PrismaClient
from ..settings import mysql_connection_params


class DatabaseClient(PrismaClient):
    connection_params = staticmethod(mysql_connection_params)
    dialect = "mysql"
