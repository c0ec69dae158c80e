"""Reading a result out of, and putting a stored result into, a django_prisma DB-API cursor.

The driver keeps a whole result in memory (``_rows``), so a result can be copied after execute()
without consuming it, and a stored one handed to Django's fetch calls without a request."""

from __future__ import annotations


def dbapi_cursor(context):
    cursor = context["cursor"]
    return getattr(cursor, "cursor", cursor)


def snapshot(cursor) -> dict | None:
    if cursor.description is None:
        return None
    return {"description": cursor.description, "rows": list(cursor._rows)}


def load(cursor, result: dict, sql: str) -> None:
    cursor._reset()
    cursor.query = sql
    cursor.description = result["description"]
    cursor._rows = list(result["rows"])
    cursor.rowcount = len(cursor._rows)
    cursor.rownumber = 0
    cursor.response_headers = None
