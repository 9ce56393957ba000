"""Who is on the other end of each socket, kept per process.

Connections are sticky to one process (websocket, or long-polling with sticky sessions), so a
local table is enough; anything that must agree across processes lives in the database.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Conn:
    role: str  # phone | screen | console
    workshop_id: int
    participant_id: int | None = None
    user_id: int | None = None
    language: str = "sv"


_conns: dict[tuple[str, str], Conn] = {}


def register(namespace: str, sid: str, conn: Conn) -> None:
    _conns[(namespace, sid)] = conn


def get(namespace: str, sid: str) -> Conn | None:
    return _conns.get((namespace, sid))


def drop(namespace: str, sid: str) -> Conn | None:
    return _conns.pop((namespace, sid), None)


def count(namespace: str, workshop_id: int) -> int:
    return sum(1 for (ns, _), c in _conns.items() if ns == namespace and c.workshop_id == workshop_id)


def workshop_ids() -> set[int]:
    """Workshops that have at least one connection on this process."""
    return {c.workshop_id for c in list(_conns.values())}
