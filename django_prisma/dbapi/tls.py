"""TLS for the driver: one ``SSLContext`` per trust configuration and process, and session
resumption for new connections to a server already talked to.

Building a context that trusts the system store parses every CA certificate of it (about
17 ms of CPU): per process, not per connection. A resumed session saves the certificate
exchange and its verification on every further connection to the same origin.
"""

from __future__ import annotations

import os
import ssl
import threading

_contexts: dict[tuple[str | None, bool], ssl.SSLContext] = {}
_sessions: dict[tuple[int, str], ssl.SSLSession] = {}
_lock = threading.Lock()


def client_context(ca_bundle: str | None = None, ca_bundle_only: bool = False) -> ssl.SSLContext:
    """The shared context for a trust configuration: the system store plus ``ca_bundle``, or
    only ``ca_bundle`` with ``ca_bundle_only``. Certificates and host names are always
    verified. The bundle file is read once per process."""
    key = (os.path.abspath(ca_bundle) if ca_bundle else None, bool(ca_bundle_only))
    context = _contexts.get(key)
    if context is None:
        with _lock:
            context = _contexts.get(key)
            if context is None:
                context = _contexts[key] = _new_context(*key)
    return context


def _new_context(ca_bundle: str | None, ca_bundle_only: bool) -> ssl.SSLContext:
    if ca_bundle_only:
        # create_default_context loads only the given file, not the system store.
        context = ssl.create_default_context(cafile=ca_bundle)
    else:
        context = ssl.create_default_context()
        if ca_bundle:
            context.load_verify_locations(cafile=ca_bundle)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    return context


def session_for(context: ssl.SSLContext, origin: str) -> ssl.SSLSession | None:
    """The last TLS session seen with ``origin`` through ``context``, to resume."""
    return _sessions.get((id(context), origin))


def remember_session(context: ssl.SSLContext, origin: str, session: ssl.SSLSession | None) -> None:
    # Contexts are never freed (they live in _contexts), so their id() stays theirs.
    if session is not None and session.has_ticket:
        _sessions[(id(context), origin)] = session
