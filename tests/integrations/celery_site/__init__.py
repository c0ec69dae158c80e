"""A Django project with Celery (tests/integrations/test_celery.py): a real worker (prefork pool,
embedded beat with django-celery-beat's DatabaseScheduler) on the local RabbitMQ, results in the
database through django-celery-results.

Environment: CELERY_SITE_ENGINE (prisma or native), CELERY_SITE_DATABASE (its URL),
CELERY_SITE_BROKER, CELERY_SITE_QUEUE (a queue of this run's own), CELERY_SITE_REUSE (connections
kept across tasks: CONN_MAX_AGE and CELERY_DB_REUSE_MAX), CELERY_SITE_QUERY_BEFORE_FORK (the main
process queries before forking each pool process)."""

from .app import app

__all__ = ["app"]
