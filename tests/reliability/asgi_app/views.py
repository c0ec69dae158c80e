"""Each operation is plain sync ORM code; ``sync/…`` runs it in a sync view (Django runs it in
a thread), ``async/…`` in an async view through ``sync_to_async``. A database error becomes a
JSON 5xx naming its class and SQLSTATE (503 for a serialization failure or deadlock, which a
client may retry; 500 otherwise): never a 200 with wrong data."""

from __future__ import annotations

import time

from asgiref.sync import sync_to_async
from django.db import DatabaseError, connection, transaction
from django.http import Http404, JsonResponse

from django_prisma.dbapi import TransactionRollbackError

from .models import Counter, Row
from .observe import REQUEST_ID, report

RETRYABLE = {"40001", "40P01"}


def _rows(marker):
    return [
        list(r)
        for r in Row.objects.filter(marker=marker).order_by("seq").values_list("seq", "payload")
    ]


def op_write(marker, params):
    """Writes ``n`` rows inside ``atomic()`` and reads them back in the same transaction."""
    n = int(params.get("n", 3))
    with transaction.atomic():
        for seq in range(n):
            Row.objects.create(marker=marker, seq=seq, payload=f"{marker}:{seq}")
        rows = _rows(marker)
    return {"marker": marker, "rows": rows}


def op_read(marker, params):
    return {"marker": marker, "rows": _rows(marker)}


def op_echo(token, params):
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::text", [token])
        (value,) = cursor.fetchone()
    return {"token": value}


def op_incr(name, params):
    """A ``select_for_update`` increment: serialised by the row lock."""
    with transaction.atomic():
        counter = Counter.objects.select_for_update().get(name=name)
        counter.value += 1
        counter.save(update_fields=["value"])
    return {"value": counter.value}


def op_rr_incr(name, params):
    """Read, (optionally wait), then update, in REPEATABLE READ: a concurrent update in between
    makes the UPDATE fail with a serialization failure (40001) instead of losing an update."""
    hold = float(params.get("hold", 0))
    with transaction.atomic(using="serial"):
        counter = Counter.objects.using("serial").get(name=name)
        if hold:
            time.sleep(hold)
        Counter.objects.using("serial").filter(pk=counter.pk).update(value=counter.value + 1)
    return {"value": counter.value + 1}


def op_lockpair(first, params):
    """Locks ``first``, waits ``hold`` s, locks ``second``, increments both (deadlock bait)."""
    second, hold = params["second"], float(params.get("hold", 0))
    with transaction.atomic():
        a = Counter.objects.select_for_update().get(name=first)
        if hold:
            time.sleep(hold)
        b = Counter.objects.select_for_update().get(name=second)
        for counter in (a, b):
            counter.value += 1
            counter.save(update_fields=["value"])
    return {"values": [a.value, b.value]}


OPS = {
    "write": op_write,
    "read": op_read,
    "echo": op_echo,
    "incr": op_incr,
    "rr_incr": op_rr_incr,
    "lockpair": op_lockpair,
}


def _operation(op):
    try:
        return OPS[op]
    except KeyError:
        raise Http404(op) from None


def _failure(error: DatabaseError) -> JsonResponse:
    cause = error.__cause__
    pgcode = getattr(cause, "pgcode", None) or getattr(error, "pgcode", None)
    return JsonResponse(
        {
            "error": f"{type(error).__module__}.{type(error).__qualname__}",
            "cause": f"{type(cause).__module__}.{type(cause).__qualname__}" if cause else None,
            # The driver's PEP 249 class for SQLSTATE class 40 (the cause is also psycopg's class
            # for its SQLSTATE: SerializationFailure, DeadlockDetected).
            "rollback": isinstance(cause, TransactionRollbackError),
            "pgcode": pgcode,
            "message": str(error)[:500],
        },
        status=503 if pgcode in RETRYABLE else 500,
    )


def sync_view(request, op, arg):
    run = _operation(op)
    token = REQUEST_ID.set(request.headers.get("X-Load-Id"))
    try:
        return JsonResponse(run(arg, request.GET))
    except DatabaseError as error:
        return _failure(error)
    finally:
        REQUEST_ID.reset(token)


async def async_view(request, op, arg):
    run = _operation(op)
    REQUEST_ID.set(request.headers.get("X-Load-Id"))  # this request's own context
    try:
        return JsonResponse(await sync_to_async(run)(arg, request.GET))
    except DatabaseError as error:
        return _failure(error)


async def observed_view(request):
    return JsonResponse(report())
