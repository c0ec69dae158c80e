import itertools
import os
import threading

from celery import shared_task
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection, transaction

_serials = itertools.count(1)


def where() -> dict:
    """The process and thread, and the driver connection (numbered in the order the process saw
    them) a task ran on."""
    connection.ensure_connection()
    driver = connection.connection
    if not hasattr(driver, "celery_site_serial"):
        driver.celery_site_serial = next(_serials)
    return {"worker": f"{os.getpid()}/{threading.get_ident()}", "driver": driver.celery_site_serial}


@shared_task
def create_group(name: str) -> dict:
    group = Group.objects.create(name=name)
    return {"pk": group.pk, **where()}


@shared_task
def read_group(pk: int) -> dict:
    # Sent with delay_on_commit(): runs only once the transaction that created it committed.
    return {"name": Group.objects.get(pk=pk).name, **where()}


@shared_task
def duplicate_in_atomic(name: str) -> dict:
    with transaction.atomic():
        Group.objects.create(name=name)
        try:
            with transaction.atomic():
                Group.objects.create(name=name)
        except IntegrityError as error:
            outcome = type(error).__name__
    return {"outcome": outcome, "count": Group.objects.filter(name=name).count(), **where()}


@shared_task
def fail(name: str) -> None:
    Group.objects.create(name=name)
    Group.objects.create(name=name)  # the unique name: IntegrityError, the task fails


@shared_task
def tick(prefix: str) -> int:
    """Run by beat, from django-celery-beat's PeriodicTask."""
    count = Group.objects.filter(name__startswith=prefix).count()
    Group.objects.create(name=f"{prefix}{count}")
    return count
