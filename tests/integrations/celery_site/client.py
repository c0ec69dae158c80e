"""Sends the tasks and reads their results (tests/integrations/test_celery.py).

Usage: python -m tests.integrations.celery_site.client setup PREFIX
       python -m tests.integrations.celery_site.client run PREFIX
"""

import json
import sys
import time

import django

from tests.integrations.celery_site import app  # noqa: F401  (configures Django's settings)

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import transaction  # noqa: E402
from django_celery_beat.models import IntervalSchedule, PeriodicTask  # noqa: E402
from django_celery_results.models import TaskResult  # noqa: E402

from tests.integrations.celery_site import tasks  # noqa: E402

TIMEOUT = 60


def setup(prefix: str) -> dict:
    every_second, _ = IntervalSchedule.objects.get_or_create(
        every=1, period=IntervalSchedule.SECONDS
    )
    task = PeriodicTask.objects.create(
        name=f"{prefix} ticks",
        task="tests.integrations.celery_site.tasks.tick",
        interval=every_second,
        args=json.dumps([f"{prefix}-tick-"]),
    )
    return {"periodic_task": task.pk}


def run(prefix: str) -> dict:
    report = {}
    created = [tasks.create_group.delay(f"{prefix}-c{i}") for i in range(6)]
    report["created"] = [r.get(timeout=TIMEOUT) for r in created]
    report["created_rows"] = Group.objects.filter(name__startswith=f"{prefix}-c").count()

    with transaction.atomic():
        group = Group.objects.create(name=f"{prefix}-on-commit")
        on_commit = tasks.read_group.delay_on_commit(group.pk)
        assert on_commit is None  # sent only when the transaction commits
    report["on_commit"] = None

    nested = tasks.duplicate_in_atomic.delay(f"{prefix}-dup").get(timeout=TIMEOUT)
    report["nested"] = {"outcome": nested["outcome"], "count": nested["count"]}

    failed = tasks.fail.delay(f"{prefix}-fail")
    try:
        failed.get(timeout=TIMEOUT)
    except Exception as error:
        report["failed"] = type(error).__name__
    stored = TaskResult.objects.get(task_id=failed.id)
    report["failed_row"] = {
        "status": stored.status,
        "task_name": stored.task_name,
        # The exception's line (natively a DETAIL line follows it: the Prisma server passes on
        # no DETAIL, see the README's errors section).
        "error": next(
            line for line in stored.traceback.splitlines() if line.startswith("django.db.utils.")
        ),
    }
    report["traceback"] = stored.traceback
    report["results_stored"] = TaskResult.objects.filter(
        task_id__in=[r.id for r in created] + [failed.id]
    ).count()

    deadline = time.monotonic() + TIMEOUT
    while Group.objects.filter(name__startswith=f"{prefix}-tick-").count() < 2:
        assert time.monotonic() < deadline, "beat sent no task"
        time.sleep(0.5)
    report["ticks"] = sorted(
        Group.objects.filter(name__startswith=f"{prefix}-tick-").values_list("name", flat=True)
    )[:2]
    return report


def read_on_commit(prefix: str) -> dict:
    # The on-commit task was sent after the commit: find its result by its argument.
    group = Group.objects.get(name=f"{prefix}-on-commit")
    deadline = time.monotonic() + TIMEOUT
    while True:
        row = TaskResult.objects.filter(
            task_name="tests.integrations.celery_site.tasks.read_group",
            task_args=json.dumps(repr((group.pk,))),  # result_extended stores argsrepr as JSON
        ).first()
        if row is not None and row.status in ("SUCCESS", "FAILURE"):
            return {"status": row.status, "name": json.loads(row.result)["name"]}
        assert time.monotonic() < deadline, "the on-commit task did not run"
        time.sleep(0.5)


if __name__ == "__main__":
    action, prefix = sys.argv[1:3]
    if action == "setup":
        print(json.dumps(setup(prefix)))
    else:
        report = run(prefix)
        report["on_commit"] = read_on_commit(prefix)
        print(json.dumps(report))
