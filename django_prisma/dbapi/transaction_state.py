"""The connection's transaction, as one explicit state with its transitions in one place.

* IDLE or PENDING → OPEN: the server started a transaction (``started``);
* IDLE → PENDING: autocommit off, a statement held back before any transaction (``begin_locally``);
* OPEN ↔ FAILED: a statement failed (``failed``), ROLLBACK TO SAVEPOINT ran (``recovered``);
* OPEN or FAILED → IDLE: its COMMIT or ROLLBACK is sent (``end``);
* OPEN or FAILED → LOST: the server no longer has it (``lost``); LOST → IDLE by rollback()
  (``reset``, which also forgets a PENDING one); in autocommit a new transaction may start;
* anything → CLOSED (``close``).

``Connection`` reads it (``state``, ``open``, ``id``, ``error``) and moves it through these
transitions; nothing else assigns it.
"""

from __future__ import annotations

import enum

from .exceptions import DatabaseError


class State(enum.Enum):
    #: No transaction: autocommit, or autocommit off and nothing run since the last end.
    IDLE = "idle"
    #: Autocommit off and a statement held back (a SAVEPOINT) with no server transaction yet:
    #: psycopg would have sent BEGIN, so this counts as a transaction.
    PENDING = "pending"
    #: A server transaction is open and usable.
    OPEN = "in transaction"
    #: A statement of the open transaction failed, or its outcome is unknown (a lost answer):
    #: only a rollback (or ROLLBACK TO SAVEPOINT) makes it usable again.
    FAILED = "failed"
    #: The server no longer has the transaction (expired, not found): until rollback(),
    #: statements and commit() raise instead of silently starting a new one.
    LOST = "lost"
    #: The connection is closed.
    CLOSED = "closed"


# The states each transition may start from.
_FROM = {
    "begin_locally": (State.IDLE, State.PENDING),
    "started": (State.IDLE, State.PENDING, State.LOST),
    "failed": (State.OPEN, State.FAILED),
    "recovered": (State.OPEN, State.FAILED),
    "lost": (State.OPEN, State.FAILED),
    "end": (State.OPEN, State.FAILED),
    "reset": (State.IDLE, State.PENDING, State.LOST),
}


class TransactionState:
    """The state, the server's id of the open transaction (OPEN, FAILED), and the error that
    made it FAILED or LOST."""

    __slots__ = ("state", "id", "error")

    def __init__(self) -> None:
        self.state = State.IDLE
        self.id: str | None = None
        self.error: DatabaseError | None = None

    def __repr__(self) -> str:
        return f"<TransactionState {self.state.value}>"

    @property
    def open(self) -> bool:
        """A server transaction is open (usable or failed)."""
        return self.state is State.OPEN or self.state is State.FAILED

    def _move(self, transition: str, state: State) -> None:
        assert self.state in _FROM[transition], f"{transition} in state {self.state.value}"
        self.state = state

    def begin_locally(self) -> None:
        self._move("begin_locally", State.PENDING)

    def started(self, transaction_id: str) -> None:
        self._move("started", State.OPEN)
        self.id = transaction_id
        self.error = None

    def failed(self, error: DatabaseError) -> None:
        self._move("failed", State.FAILED)
        self.error = error

    def recovered(self) -> None:
        """ROLLBACK TO SAVEPOINT ran: the transaction is usable again."""
        self._move("recovered", State.OPEN)
        self.error = None

    def lost(self, error: DatabaseError) -> None:
        self._move("lost", State.LOST)
        self.id = None
        self.error = error

    def end(self) -> str:
        """The transaction's COMMIT or ROLLBACK is being sent: returns its id."""
        transaction_id = self.id
        assert transaction_id is not None
        self._move("end", State.IDLE)
        self.id = None
        self.error = None
        return transaction_id

    def reset(self) -> None:
        """Forget a transaction that never reached the server, or that it lost."""
        self._move("reset", State.IDLE)
        self.error = None

    def close(self) -> None:
        self.state = State.CLOSED
        self.id = None
        self.error = None
