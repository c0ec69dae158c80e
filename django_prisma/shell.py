"""An interactive SQL prompt over Prisma's HTTP protocol (``manage.py dbshell``).

Statements end with ``;``. ``\\q`` quits. ``-c SQL`` runs one statement and exits. The
connection is read from DJANGO_PRISMA_URL / DJANGO_PRISMA_TOKEN.
"""

from __future__ import annotations

import argparse
import os
import sys

from . import dbapi


def format_table(description, rows) -> str:
    headers = [column[0] for column in description]
    cells = [["NULL" if v is None else str(v) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    line = " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    rule = "-+-".join("-" * w for w in widths)
    body = [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    footer = f"({len(rows)} row{'s' if len(rows) != 1 else ''})"
    return "\n".join([line, rule, *body, footer])


def run(cursor, sql: str, out) -> None:
    try:
        cursor.execute(sql)
    except dbapi.Error as error:
        print(f"ERROR: {error}", file=out)
        return
    if cursor.description is not None:
        print(format_table(cursor.description, cursor.fetchall()), file=out)
    else:
        print(f"OK ({cursor.rowcount})", file=out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="dbshell")
    parser.add_argument("-c", "--command", help="run one SQL statement and exit")
    args = parser.parse_args(argv)
    url = os.environ.get("DJANGO_PRISMA_URL")
    if not url:
        print("DJANGO_PRISMA_URL is not set", file=sys.stderr)
        return 2
    # DJANGO_PRISMA_DIALECT=mysql: the server's database is MySQL or MariaDB.
    connect = dbapi.connect
    if os.environ.get("DJANGO_PRISMA_DIALECT") == "mysql":
        from .dbapi import mysql

        connect = mysql.connect
    conn = connect(url, api_key=os.environ.get("DJANGO_PRISMA_TOKEN") or None, autocommit=True)
    cursor = conn.cursor()
    if args.command:
        run(cursor, args.command, sys.stdout)
        return 0
    interactive = sys.stdin.isatty()
    buffer: list[str] = []
    while True:
        try:
            line = (
                input("prisma=> " if not buffer else "prisma-> ")
                if interactive
                else (sys.stdin.readline())
            )
        except EOFError:
            break
        except KeyboardInterrupt:
            print()
            buffer = []
            continue
        if not interactive and line == "":
            break
        stripped = line.strip()
        if not buffer and stripped in ("\\q", "quit", "exit"):
            break
        buffer.append(line)
        if stripped.endswith(";"):
            run(cursor, "\n".join(buffer).strip().rstrip(";"), sys.stdout)
            buffer = []
    if buffer and "".join(buffer).strip():
        run(cursor, "\n".join(buffer).strip().rstrip(";"), sys.stdout)
    conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
