"""Reading a result out of, and putting a stored result into, a django_prisma DB-API cursor.

The driver keeps a whole result in memory, so a result can be copied after execute() without
consuming it (``Cursor.result_snapshot``), and a stored one handed to Django's fetch calls without
a request (``Cursor.restore_result``). Stored entries keep the plain dict form below."""

from __future__ import annotations

from ..dbapi.cursor import ResultSnapshot


def dbapi_cursor(context):
    cursor = context["cursor"]
    return getattr(cursor, "cursor", cursor)


def snapshot(cursor) -> dict | None:
    result = cursor.result_snapshot()
    if result is None:
        return None
    return {"description": result.description, "rows": result.rows}


def load(cursor, result: dict, sql: str) -> None:
    cursor.restore_result(ResultSnapshot(result["description"], result["rows"]), sql)
