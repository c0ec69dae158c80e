"""Observation only: which thread and which HTTP request used each interactive transaction id
(every driver request to ``/transaction/<id>/…`` is recorded)."""

from __future__ import annotations

import contextvars
import itertools
import threading
from collections import defaultdict

from django_prisma.dbapi.transport import Transport

# The load request being served (the client's X-Load-Id header); asgiref copies the context
# into the thread that runs a sync view or a ``sync_to_async`` call.
REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

_lock = threading.Lock()
_serials = itertools.count(1)
_local = threading.local()
_threads: dict[str, set[int]] = defaultdict(set)
_requests: dict[str, set[str | None]] = defaultdict(set)


def _thread_serial() -> int:
    """A number per thread that is never reused (thread idents are, once a thread ended)."""
    serial = getattr(_local, "serial", None)
    if serial is None:
        serial = _local.serial = next(_serials)
    return serial


def install() -> None:
    original = Transport.request

    def recording(self, method, path, *args, **kwargs):
        if path.startswith("/transaction/") and path != "/transaction/start":
            tx = path.split("/")[2]
            with _lock:
                _threads[tx].add(_thread_serial())
                _requests[tx].add(REQUEST_ID.get())
        return original(self, method, path, *args, **kwargs)

    Transport.request = recording


def report() -> dict:
    with _lock:
        return {
            "transactions": len(_threads),
            "threads": len({t for ts in _threads.values() for t in ts}),
            "shared_between_threads": {tx: sorted(t) for tx, t in _threads.items() if len(t) > 1},
            "shared_between_requests": {
                tx: sorted(map(str, r)) for tx, r in _requests.items() if len(r) > 1
            },
            "outside_a_request": sorted(tx for tx, r in _requests.items() if None in r),
        }
