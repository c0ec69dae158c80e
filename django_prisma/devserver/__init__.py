"""Local Prisma servers for development and tests (never imported by the backend at run time)."""

from .runtime import ensure_runtime, node_binary
from .server import KINDS, LocalServer, ServerStartError, with_database

__all__ = [
    "KINDS",
    "LocalServer",
    "ServerStartError",
    "ensure_runtime",
    "node_binary",
    "with_database",
]
