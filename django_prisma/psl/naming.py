"""Turning Prisma names into valid, non-clashing Python/Django identifiers."""

from __future__ import annotations

import keyword
import re

# What a Django model instance already has: a field by one of these names would shadow it
# (`pk`, the manager, the exceptions, the methods of `django.db.models.Model`).
MODEL_ATTRIBUTES = frozenset(
    {
        "pk",
        "objects",
        "DoesNotExist",
        "MultipleObjectsReturned",
        "NotUpdated",
        "adelete",
        "arefresh_from_db",
        "asave",
        "check",
        "clean",
        "clean_fields",
        "date_error_message",
        "delete",
        "from_db",
        "full_clean",
        "get_constraints",
        "get_deferred_fields",
        "prepare_database_save",
        "refresh_from_db",
        "save",
        "save_base",
        "serializable_value",
        "unique_error_message",
        "validate_constraints",
        "validate_unique",
    }
)
RESERVED_FIELD_NAMES = MODEL_ATTRIBUTES


def class_name(name: str) -> str:
    """`auth_permission` -> `AuthPermission`; names already in CamelCase are kept."""
    if "_" not in name and name[:1].isupper():
        return name
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", name) if p]
    result = "".join(p[:1].upper() + p[1:] for p in parts) or "Model"
    return "M" + result if result[0].isdigit() else result


def snake_case(name: str) -> str:
    """`fullName` -> `full_name`, `userID` -> `user_id`, `HTMLBody` -> `html_body`; snake stays."""
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", spaced)
    return spaced.lower()


def field_name(name: str) -> str:
    """A valid Django field name: no keywords, no double underscores, no trailing underscore."""
    return checked_field_name(name)[0]


def checked_field_name(name: str) -> tuple[str, str | None]:
    """`field_name(name)` and, when it had to change `name`, why."""
    cleaned = re.sub(r"[^0-9A-Za-z_]", "_", name)
    cleaned = re.sub(r"__+", "_", cleaned).strip("_") or "field"
    if cleaned[0].isdigit():
        cleaned = "f_" + cleaned
    reason = None if cleaned == name else "is not a valid Django field name"
    if keyword.iskeyword(cleaned):
        reason = "is a Python keyword"
    elif cleaned in RESERVED_FIELD_NAMES:
        reason = "is an attribute every Django model has"
    if keyword.iskeyword(cleaned) or cleaned in RESERVED_FIELD_NAMES:
        cleaned += "_field"
    return cleaned, reason


class NameAllocator:
    """Hands out unique names, suffixing `_2`, `_3` ... on clashes."""

    def __init__(self, taken=()):
        self.taken = set(taken)

    def free(self, name: str, suffixes: tuple[str, ...] = ("",)) -> bool:
        return all(name + suffix not in self.taken for suffix in suffixes)

    def take(self, wanted: str, suffixes: tuple[str, ...] = ("",)) -> str:
        """`wanted` or a numbered variant such that every `name + suffix` is free; reserves them."""
        name, counter = wanted, 2
        while not self.free(name, suffixes):
            name = f"{wanted}_{counter}"
            counter += 1
        self.taken.update(name + suffix for suffix in suffixes)
        return name
