"""``manage.py dbshell``: an interactive SQL prompt over HTTP (there is no psql for it)."""

import os
import subprocess
import sys

from django.db.backends.base.client import BaseDatabaseClient

from .settings import connection_params


class DatabaseClient(BaseDatabaseClient):
    executable_name = sys.executable

    @classmethod
    def settings_to_cmd_args_env(cls, settings_dict, parameters):
        params = connection_params(dict(settings_dict))
        args = [sys.executable, "-m", "django_prisma.shell", *parameters]
        # The key travels in the environment, never on the command line (ps would show it).
        env = {"DJANGO_PRISMA_URL": params["url"], "DJANGO_PRISMA_TOKEN": params["api_key"] or ""}
        return args, env

    def runshell(self, parameters):
        args, env = self.settings_to_cmd_args_env(self.connection.settings_dict, parameters)
        subprocess.run(args, env={**os.environ, **env}, check=True)
