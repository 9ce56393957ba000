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
    login: str | None = None  # a console's login (token hash): its socket ends with the login


_conns: dict[tuple[str, str], Conn] = {}
# Open sockets per owner (a phone's token), so a limit on them costs O(1) per connect. Keyed by
# the token rather than the participant id: tokens are unique across databases.
_sockets_of: dict[str, set[tuple[str, str]]] = {}
_owner: dict[tuple[str, str], str] = {}
# Connections per (namespace, workshop), so that counting a room costs O(1).
_per_workshop: dict[tuple[str, int], int] = {}


def _count(namespace: str, conn: Conn, step: int) -> None:
    key = (namespace, conn.workshop_id)
    n = _per_workshop.get(key, 0) + step
    if n > 0:
        _per_workshop[key] = n
    else:
        _per_workshop.pop(key, None)


def register(namespace: str, sid: str, conn: Conn, owner: str | None = None) -> None:
    before = _conns.get((namespace, sid))
    if before is not None:
        _count(namespace, before, -1)
    _conns[(namespace, sid)] = conn
    _count(namespace, conn, 1)
    if owner is not None:
        _owner[(namespace, sid)] = owner
        _sockets_of.setdefault(owner, set()).add((namespace, sid))


def get(namespace: str, sid: str) -> Conn | None:
    return _conns.get((namespace, sid))


def drop(namespace: str, sid: str) -> Conn | None:
    owner = _owner.pop((namespace, sid), None)
    if owner is not None:
        socks = _sockets_of.get(owner)
        if socks is not None:
            socks.discard((namespace, sid))
            if not socks:
                del _sockets_of[owner]
    conn = _conns.pop((namespace, sid), None)
    if conn is not None:
        _count(namespace, conn, -1)
    return conn


def sids_of(owner: str) -> list[tuple[str, str]]:
    """(namespace, sid) of the sockets ``owner`` holds open in this process."""
    return sorted(_sockets_of.get(owner, ()))


def sockets_of(owner: str) -> int:
    """Sockets ``owner`` (a phone's token) has open on this process."""
    return len(_sockets_of.get(owner, ()))


def count(namespace: str, workshop_id: int) -> int:
    """Sockets of ``workshop_id`` open in ``namespace`` on this process."""
    return _per_workshop.get((namespace, workshop_id), 0)


def workshop_ids() -> set[int]:
    """Workshops that have at least one connection on this process."""
    return {c.workshop_id for c in list(_conns.values())}
