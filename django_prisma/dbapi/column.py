"""One column of ``Cursor.description``."""

from __future__ import annotations

from typing import Any, NamedTuple


class Column(NamedTuple):
    """PEP 249's 7-item sequence, whose items also have the names psycopg's (and psycopg2's)
    ``Column`` gives them: code written for psycopg reads ``column.name`` and
    ``column.type_code``. ``type_code`` is the PostgreSQL type OID of a described result (as
    psycopg's), or the executor's type name of a result the driver did not describe; the sizes
    are not known over the protocol (None)."""

    name: str
    type_code: Any
    display_size: int | None = None
    internal_size: int | None = None
    precision: int | None = None
    scale: int | None = None
    null_ok: bool | None = None
