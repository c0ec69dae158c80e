"""Loaded by every Python process of a third-party suite run by scripts/ecosystem.py.

A suite defines its databases in its own way (a settings module, ``settings.configure()`` in a
conftest, a runtests.py); this module rewrites whatever ``DATABASES`` it ends up with so that
every alias points at the backend under test on the same PostgreSQL, keeping the suite's
topology: aliases whose settings were identical stay identical (Django then shares one test
database between them), in-memory SQLite aliases become distinct databases, and ``TEST``
``MIRROR``/``DEPENDENCIES`` are kept. It does nothing unless ``ECOSYSTEM_BACKEND`` is set.
"""

import json
import os


def _key(alias, config):
    """What makes two aliases one database for the suite."""
    if "sqlite" in config.get("ENGINE", "") and config.get("NAME") in (None, "", ":memory:"):
        return ("alias", alias)  # each in-memory SQLite alias is its own database
    settings = {k: v for k, v in config.items() if k not in ("TEST", "OPTIONS")}
    return ("settings", json.dumps(settings, sort_keys=True, default=str))


def _database(backend, spec, group):
    test_name = f"test_eco_{spec['app']}_{backend}_{spec['run_id']}_{group}".lower()
    if backend == "prisma":
        return {
            "ENGINE": "django_prisma",
            "URL": "prisma+postgres://localhost:1/?api_key=test-runner-starts-its-own",
            "OPTIONS": {"transaction_timeout": 3_600_000, "transaction_max_wait": 60_000},
            "TEST": {
                "SERVER": "executor",
                "POSTGRES_URL": spec["postgres_url"],
                "NAME": test_name,
            },
        }
    pg = spec["postgres"]
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": pg["name"],
        "USER": pg["user"],
        "PASSWORD": pg["password"],
        "HOST": pg["host"],
        "PORT": pg["port"],
        "TEST": {"NAME": test_name},
    }


def rewrite_databases(databases, backend, spec):
    groups = {}
    rewritten = {}
    for alias, config in databases.items():
        group = groups.setdefault(_key(alias, config), alias)
        new = _database(backend, spec, group)
        test = config.get("TEST") or {}
        new["TEST"].update({k: test[k] for k in ("MIRROR", "DEPENDENCIES") if k in test})
        rewritten[alias] = new
    return rewritten


def _install(backend, spec):
    from django import conf

    settings_init = conf.Settings.__init__
    configure = conf.LazySettings.configure

    def init_then_rewrite(self, settings_module):
        settings_init(self, settings_module)
        self.DATABASES = rewrite_databases(self.DATABASES, backend, spec)

    def configure_rewritten(self, default_settings=conf.global_settings, **options):
        if "DATABASES" in options:
            options["DATABASES"] = rewrite_databases(options["DATABASES"], backend, spec)
        return configure(self, default_settings, **options)

    conf.Settings.__init__ = init_then_rewrite
    conf.LazySettings.configure = configure_rewritten


if os.environ.get("ECOSYSTEM_BACKEND"):
    _install(os.environ["ECOSYSTEM_BACKEND"], json.loads(os.environ["ECOSYSTEM_SPEC"]))
