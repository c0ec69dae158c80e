"""Client-side id generators matching Prisma's `cuid()` default (CUID v1 layout)."""

from __future__ import annotations

import itertools
import os
import secrets
import time

_counter = itertools.count(secrets.randbelow(36**4))
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int, width: int) -> str:
    digits = []
    while number:
        number, rem = divmod(number, 36)
        digits.append(_ALPHABET[rem])
    return "".join(reversed(digits)).rjust(width, "0")[-width:]


def _fingerprint() -> str:
    return _base36(os.getpid(), 2) + _base36(sum(map(ord, os.uname().nodename)) + 36, 2)


def cuid() -> str:
    """A 25-character collision-resistant id: c + time + counter + fingerprint + random."""
    return (
        "c"
        + _base36(int(time.time() * 1000), 8)
        + _base36(next(_counter) % 36**4, 4)
        + _fingerprint()
        + _base36(secrets.randbelow(36**8), 8)
    )
