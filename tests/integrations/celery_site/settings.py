import os
from urllib.parse import urlsplit

from kombu import Queue

ENGINE = os.environ["CELERY_SITE_ENGINE"]
URL = os.environ["CELERY_SITE_DATABASE"]
REUSE = os.environ.get("CELERY_SITE_REUSE") == "1"

if ENGINE == "prisma":
    default = {"ENGINE": "django_prisma", "URL": URL}
else:
    parts = urlsplit(URL)
    default = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parts.path.lstrip("/"),
        "USER": parts.username,
        "HOST": parts.hostname,
        "PORT": parts.port,
    }
default["CONN_MAX_AGE"] = None if REUSE else 0
DATABASES = {"default": default}

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django_celery_results",
    "django_celery_beat",
] + (["django_prisma"] if ENGINE == "prisma" else [])

SECRET_KEY = "celery-site"
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CELERY_BROKER_URL = os.environ.get("CELERY_SITE_BROKER", "amqp://guest:guest@127.0.0.1:5672//")
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_SITE_QUEUE", "celery")
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = False
# Celery's Django fixup keeps connections across tasks when set (else closes them around each).
CELERY_DB_REUSE_MAX = 1000 if REUSE else None

# This run's own queue, gone from the broker when the worker stops.
CELERY_TASK_QUEUES = [Queue(CELERY_TASK_DEFAULT_QUEUE, auto_delete=True)]
