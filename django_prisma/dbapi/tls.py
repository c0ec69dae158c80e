"""TLS for the driver: one ``SSLContext`` per trust configuration and process, and session
resumption for new connections to a server already talked to.

Trusting the system store the way ``ssl.create_default_context()`` does parses every CA
certificate of its bundle file (about 15 ms of CPU, on the first query of every process).
Where the system also keeps its CAs as a hashed directory (``c_rehash``: Debian, Ubuntu,
Alpine, …), the context trusts that directory instead: OpenSSL then reads only the CA files a
handshake needs. The directory holds the bundle's CAs on those systems; should a certificate
fail to verify against it, the connection is made again (nothing was sent) with the complete
store, bundle file included, which is then used for good — the same trust, found lazily.
A resumed session saves the certificate exchange and its verification on every further
connection to the same origin.
"""

from __future__ import annotations

import os
import ssl
import threading

_contexts: dict[tuple[str | None, bool], ssl.SSLContext] = {}
# The contexts that trust only the system's hashed CA directory, by id(): their keys.
_partial: dict[int, tuple[str | None, bool]] = {}
_retired: list[ssl.SSLContext] = []  # replaced partial contexts, kept: ids stay unique
_sessions: dict[tuple[int, str], ssl.SSLSession] = {}
_lock = threading.Lock()
_HEX_DIGITS = frozenset("0123456789abcdef")


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
                context = _contexts[key] = _new_context(*key, complete=False)
    return context


def complete_context(context: ssl.SSLContext) -> ssl.SSLContext | None:
    """If ``context`` trusts only the system's hashed CA directory: the context with the whole
    system store, which replaces it for the rest of the process (a certificate the directory
    could not verify is tried again with it). None if ``context`` is complete already."""
    key = _partial.get(id(context))
    if key is None:
        return None
    with _lock:
        current = _contexts[key]
        if current is context:
            _retired.append(context)
            current = _contexts[key] = _new_context(*key, complete=True)
    return current


def _new_context(ca_bundle: str | None, ca_bundle_only: bool, *, complete: bool) -> ssl.SSLContext:
    directory = None
    if ca_bundle_only:
        # create_default_context loads only the given file, not the system store.
        context = ssl.create_default_context(cafile=ca_bundle)
    else:
        directory = None if complete else hashed_system_directory()
        if directory is not None:
            context = ssl.create_default_context(capath=directory)
        else:
            context = ssl.create_default_context()
        if ca_bundle:
            context.load_verify_locations(cafile=ca_bundle)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    if directory is not None:
        # Contexts are never freed (in _contexts, then in _retired): their id() stays theirs.
        _partial[id(context)] = (ca_bundle, ca_bundle_only)
    return context


def hashed_system_directory() -> str | None:
    """The system's CA directory if it is hashed (OpenSSL can look a CA up in it by subject).

    None when the process names a CA bundle file of its own in ``SSL_CERT_FILE`` (not just the
    system's bundle, as some images set it): a file named on purpose likely holds a CA the
    directory lacks, and it is loaded as ``create_default_context`` does, saving a handshake.
    """
    paths = ssl.get_default_verify_paths()
    named = os.environ.get(paths.openssl_cafile_env)
    if named and not _same_file(named, paths.openssl_cafile) or not paths.capath:
        return None
    try:
        with os.scandir(paths.capath) as entries:
            if any(_is_hashed_name(entry.name) for entry in entries):
                return paths.capath
    except OSError:
        pass
    return None


def _is_hashed_name(name: str) -> bool:
    """What c_rehash names a certificate of a hashed directory: its subject hash (8 hex
    digits), a dot, a number."""
    number = name[9:]
    return (
        name[8:9] == "."
        and _HEX_DIGITS.issuperset(name[:8])
        and len(name[:8]) == 8
        and number.isascii()
        and number.isdigit()
    )


def _same_file(path: str, other: str) -> bool:
    try:
        return os.path.samefile(path, other)
    except OSError:
        return False


def session_for(context: ssl.SSLContext, origin: str) -> ssl.SSLSession | None:
    """The last TLS session seen with ``origin`` through ``context``, to resume."""
    return _sessions.get((id(context), origin))


def remember_session(context: ssl.SSLContext, origin: str, session: ssl.SSLSession | None) -> None:
    # Contexts are never freed (they live in _contexts), so their id() stays theirs.
    if session is not None and session.has_ticket:
        _sessions[(id(context), origin)] = session
