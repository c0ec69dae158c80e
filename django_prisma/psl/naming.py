"""Turning Prisma names into valid, non-clashing Python/Django identifiers."""

from __future__ import annotations

import keyword
import re

RESERVED_FIELD_NAMES = frozenset(
    {"pk", "objects", "DoesNotExist", "MultipleObjectsReturned", "check", "save", "delete"}
)


def class_name(name: str) -> str:
    """`auth_permission` -> `AuthPermission`; names already in CamelCase are kept."""
    if "_" not in name and name[:1].isupper():
        return name
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", name) if p]
    result = "".join(p[:1].upper() + p[1:] for p in parts) or "Model"
    return "M" + result if result[0].isdigit() else result


def field_name(name: str) -> str:
    """A valid Django field name: no keywords, no double underscores, no trailing underscore."""
    cleaned = re.sub(r"[^0-9A-Za-z_]", "_", name)
    cleaned = re.sub(r"__+", "_", cleaned).strip("_") or "field"
    if cleaned[0].isdigit():
        cleaned = "f_" + cleaned
    if keyword.iskeyword(cleaned) or cleaned in RESERVED_FIELD_NAMES:
        cleaned += "_field"
    return cleaned


class NameAllocator:
    """Hands out unique names, suffixing `_2`, `_3` ... on clashes."""

    def __init__(self, taken=()):
        self.taken = set(taken)

    def take(self, wanted: str) -> str:
        name, counter = wanted, 2
        while name in self.taken:
            name = f"{wanted}_{counter}"
            counter += 1
        self.taken.add(name)
        return name
