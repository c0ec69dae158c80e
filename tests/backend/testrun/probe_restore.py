"""Run in a subprocess by tests/backend/test_test_databases.py: Django's setup_databases() and
teardown_databases() give the mirror the primary's test database, then its own settings back."""

import django
from django.conf import settings
from django.db import connections
from django.test.utils import setup_databases, setup_test_environment, teardown_databases

django.setup()
setup_test_environment()
from django_prisma.settings import normalize  # noqa: E402

configured = {alias: dict(entry) for alias, entry in settings.DATABASES.items()}
for entry in configured.values():
    normalize(entry)  # the key moves from URL to TOKEN, as when the connection is created
old_config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
default, replica = connections["default"].settings_dict, connections["replica"].settings_dict
assert replica["URL"] == default["URL"] != configured["default"]["URL"], "mirror not swapped"
assert replica["TOKEN"] == default["TOKEN"], "mirror without the test key"
assert replica["OPTIONS"]["transaction_timeout"] == default["OPTIONS"]["transaction_timeout"]
teardown_databases(old_config, verbosity=0)
for alias in ("default", "replica"):
    restored = connections[alias].settings_dict
    for key in ("URL", "TOKEN", "NAME"):
        assert restored[key] == configured[alias][key], (alias, key)
    assert "transaction_timeout" not in restored["OPTIONS"], alias
# The run is over: the configured database may be used again.
with connections["replica"].cursor() as cursor:
    cursor.execute("SELECT name FROM auth_group")
    print("configured rows:", cursor.fetchall())
