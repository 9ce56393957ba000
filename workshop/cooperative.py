"""Giving way: long work in the serving process lets phones be answered meanwhile.

``workshop serve`` runs every request, socket event and background loop as greenlets on one
gevent event loop: a results round over thousands of estimates, an import or a big
aggregate would otherwise hold every phone's acknowledgement until it is done. Such work
calls ``give_way()`` often (between rows, chunks, entries); once ``GIVE_WAY_AFTER`` has
passed since the last break it waits one turn of the loop, so others' requests run in
between. Without gevent (tests, scripts, threaded servers) it does nothing.

Never call it inside a write transaction: SQLite's one writer would hold up every other.
"""

from __future__ import annotations

import time

# Longest stretch of work between two breaks (seconds).
GIVE_WAY_AFTER = 0.005
# Stored rows read between two chances to give way (thousands of estimates: each row's JSON
# decoded and its time converted is most of a results round's cost).
GIVE_WAY_ROWS = 500

_next_break = 0.0
_given = 0.0  # seconds spent giving way (others' work), for callers that time their own
_cooperative: bool | None = None


def cooperative() -> bool:
    """True when the process runs on gevent's loop (``workshop serve`` patches ``time``)."""
    global _cooperative
    if _cooperative is None:
        try:
            from gevent import monkey

            _cooperative = bool(monkey.is_module_patched("time"))
        except ImportError:  # pragma: no cover - gevent is a dependency
            _cooperative = False
    return _cooperative


def give_way() -> None:
    """Let others run (one turn of the event loop) once ``GIVE_WAY_AFTER`` has passed since
    the last break; cheap otherwise (one clock read)."""
    if time.perf_counter() >= _next_break:
        one_turn()


def one_turn() -> None:
    """Wait one turn of the event loop whatever the time since the last break: what was
    just handed to the loop (a message queued for hundreds of sockets) goes out, and what
    arrived meanwhile (phones' inputs) is read, before the caller goes on."""
    global _next_break, _given
    if not cooperative():
        return
    t = time.perf_counter()
    # Not sleep(0): under gevent that runs ready greenlets but may not poll for I/O, so a
    # request that just arrived would still wait; any delay waits one turn of the loop.
    time.sleep(0.001)
    _next_break = time.perf_counter() + GIVE_WAY_AFTER
    _given += _next_break - GIVE_WAY_AFTER - t


def given() -> float:
    """Seconds spent giving way so far: subtract the change over a piece of work to get the
    work's own time."""
    return _given
