"""``manage.py dbshell``: an interactive SQL prompt over HTTP (there is no psql for it)."""

import os
import signal
import subprocess
import sys

from django.db.backends.base.client import BaseDatabaseClient

from .settings import connection_params


class DatabaseClient(BaseDatabaseClient):
    executable_name = sys.executable

    # The settings reader and the SQL dialect of the engine (django_prisma.mysql's are MySQL's).
    connection_params = staticmethod(connection_params)
    dialect = "postgresql"

    @classmethod
    def settings_to_cmd_args_env(cls, settings_dict, parameters):
        params = cls.connection_params(dict(settings_dict))
        args = [sys.executable, "-m", "django_prisma.shell", *parameters]
        # The key travels in the environment, never on the command line (ps would show it).
        env = {
            "DJANGO_PRISMA_URL": params["url"],
            "DJANGO_PRISMA_TOKEN": params["api_key"] or "",
            "DJANGO_PRISMA_DIALECT": cls.dialect,
        }
        return args, env

    def runshell(self, parameters):
        # As with psql: Ctrl-C belongs to the prompt (it abandons the line being typed).
        sigint_handler = signal.getsignal(signal.SIGINT)
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            args, env = self.settings_to_cmd_args_env(self.connection.settings_dict, parameters)
            subprocess.run(args, env={**os.environ, **env}, check=True)
        finally:
            signal.signal(signal.SIGINT, sigint_handler)
