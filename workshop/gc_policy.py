"""How the serving process runs Python's cyclic garbage collector.

Why: with 2 000 phones connected the process holds about 350 000 long-lived objects (sockets,
greenlets, their queues). CPython's automatic full collection walks all of them, 150–250 ms
during which no vote is acknowledged — measured as the whole of the ack p95 under load
(`bench/load.py --phones 2000`). So:

- what exists once the app is built (modules, classes, the app) is frozen: never walked again;
- the youngest generation is collected less often (5 000 new objects instead of 700), so
  fewer short-lived objects are promoted, and the middle one more often (every 5th young
  collection), so it never grows big enough to take long;
- everything that survives a full collection is frozen too, so later full collections walk
  only what is new since;
- the frozen objects are unfrozen and collected once the process has been quiet for a
  moment (no input for ``QUIET_SECONDS``), at most every ``MAINTENANCE_SECONDS`` — or after
  ``MAX_WITHOUT_FULL`` seconds in any case — so garbage among them (a phone that left) is
  reclaimed at a time when a pause costs nobody anything.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

# Chosen by measurement (2 000 phones, 1 000 votes/s): no collection over 8 ms, ack p95 10 ms;
# (20 000, 4) gave 10–30 ms young collections, the default (700, 10, 10) 150–250 ms full ones.
THRESHOLDS = (5_000, 5, 100)
QUIET_SECONDS = 3.0
MAINTENANCE_SECONDS = 60.0
MAX_WITHOUT_FULL = 600.0


class GcPolicy:
    def __init__(self, sleep: Callable[[float], None], last_input: Callable[[], float]):
        self._sleep = sleep
        self._last_input = last_input
        self.full_collections = 0
        self.last_full = time.monotonic()
        self.last_pause_ms = 0.0

    def install(self) -> None:
        gc.collect()
        gc.freeze()
        gc.set_threshold(*THRESHOLDS)
        gc.callbacks.append(self._after_collection)

    def _after_collection(self, phase: str, info: dict) -> None:
        # A full collection just ran: what survived it is long-lived, freeze it.
        if phase == "stop" and info.get("generation") == 2:
            gc.freeze()

    def full_collection(self) -> None:
        started = time.perf_counter()
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self.last_pause_ms = (time.perf_counter() - started) * 1000
        self.full_collections += 1
        self.last_full = time.monotonic()

    def due(self, now: float) -> bool:
        since_full = now - self.last_full
        quiet = now - self._last_input() >= QUIET_SECONDS
        return (since_full >= MAINTENANCE_SECONDS and quiet) or since_full >= MAX_WITHOUT_FULL

    def run(self) -> None:
        """Background task: the quiet-time full collection."""
        while True:
            self._sleep(1.0)
            try:
                if self.due(time.monotonic()):
                    self.full_collection()
            except Exception:  # never let housekeeping end the task
                log.exception("garbage collection maintenance failed")


__all__ = ["GcPolicy"]
