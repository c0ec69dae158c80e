"""Settings of the Django test runs that tests/backend/test_test_databases.py starts in a
subprocess: DATABASES comes as JSON in PROBE_DATABASES."""

import json
import os

SECRET_KEY = "probe"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASES = json.loads(os.environ["PROBE_DATABASES"])
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    *filter(None, os.environ.get("PROBE_EXTRA_APPS", "").split(",")),
]
