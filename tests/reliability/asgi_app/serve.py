"""``python -m tests.reliability.asgi_app.serve``: creates the tables, then serves the app with
uvicorn on 127.0.0.1 (a port of the kernel's choice), printing ``{"ready": true, "port": N}``
once it accepts connections. Exits when its standard input closes (it cannot outlive the test)."""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time


def _exit_on_stdin_eof(server) -> None:
    sys.stdin.buffer.read()
    server.should_exit = True
    time.sleep(10)
    os._exit(1)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.reliability.asgi_app.settings")
    import django

    django.setup()
    import uvicorn
    from django.core.asgi import get_asgi_application
    from django.core.management import call_command
    from django.db import connections

    from . import observe

    call_command("migrate", run_syncdb=True, interactive=False, verbosity=0)
    connections.close_all()
    observe.install()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(256)  # connections queue until uvicorn accepts them
    config = uvicorn.Config(
        get_asgi_application(),
        lifespan="off",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    threading.Thread(target=_exit_on_stdin_eof, args=(server,), daemon=True).start()
    print(json.dumps({"ready": True, "port": sock.getsockname()[1]}), flush=True)
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
