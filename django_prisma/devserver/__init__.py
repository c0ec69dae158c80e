"""Local Prisma servers for development and tests (never imported by the backend at run time)."""

from .runtime import ensure_runtime, node_binary
from .server import (
    KINDS,
    DatabaseMissingError,
    LocalServer,
    ServerStartError,
    dev_state_dir,
    discard_dev_state,
    throwaway_executor,
    with_database,
)

__all__ = [
    "KINDS",
    "DatabaseMissingError",
    "LocalServer",
    "ServerStartError",
    "dev_state_dir",
    "discard_dev_state",
    "ensure_runtime",
    "node_binary",
    "throwaway_executor",
    "with_database",
]
