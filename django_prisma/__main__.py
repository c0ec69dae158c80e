"""``python -m django_prisma dev``: run a local Prisma Postgres, or Prisma's executor in front of
your PostgreSQL or MySQL/MariaDB, until Ctrl-C / SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .devserver import DatabaseMissingError, LocalServer, ServerStartError


def _say(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


def _dev(args) -> int:
    kind = "executor" if args.database_url else "dev"
    server = LocalServer(
        kind,
        database_url=args.database_url,
        name=args.name,
        port=args.port,
        create_database=args.create,
        progress=_say,
    )
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        server.start()
    except DatabaseMissingError as error:
        print(f"error: {error} (add --create to create it)", file=sys.stderr)
        return 1
    except ServerStartError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    try:
        print(f"DATABASE_URL={server.url}", flush=True)
        what = (
            f"Prisma's executor in front of your {server.server_kind}"
            if kind == "executor"
            else ("local Prisma Postgres (@prisma/dev)")
        )
        _say(f"{what} on port {server.port}; Ctrl-C to stop")
        while not stop.is_set():
            if not server.running:
                print("error: the local server exited", file=sys.stderr)
                return 1
            stop.wait(0.5)
        return 0
    finally:
        server.stop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m django_prisma")
    sub = parser.add_subparsers(dest="command", required=True)
    dev = sub.add_parser("dev", help="start a local Prisma Postgres and print its DATABASE_URL")
    dev.add_argument("--name", default=None, help="server name (prisma dev)")
    dev.add_argument("--port", type=int, default=None, help="HTTP port (default: a free one)")
    dev.add_argument(
        "--database-url",
        default=None,
        help="postgres://… or mysql://… (mariadb://…): run Prisma's executor in front of this "
        "PostgreSQL or MySQL/MariaDB database instead",
    )
    dev.add_argument(
        "--create",
        action="store_true",
        help="with --database-url: create the database if it does not exist",
    )
    args = parser.parse_args(argv)
    if args.create and not args.database_url:
        parser.error("--create needs --database-url (@prisma/dev starts with an empty database)")
    return _dev(args)


if __name__ == "__main__":
    sys.exit(main())
