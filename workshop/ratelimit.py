"""Rate limits on joining, logging in, connecting and inputs.

Two kinds of rule live here. *Budgets* (``allow``/``over``) count hits in a moving window.
*Marks* (``allow`` once, ``seen`` later) remember that an address has shown it knows
something (a workshop it reached, an account it logged in to), so that a limit meant for
guessers never refuses the people who already know the answer: see ``docs/configuration.md``
("Rate limits") for the rules and the figures behind them.

The storage URI comes from settings: ``memory://`` in one process, ``redis://…`` when several
processes must share the counters (the ``limits`` library). In one process the counters live
in a plain dict here: the ``limits`` memory storage re-scans every key it has ever seen on a
timer, every 10 ms while hits keep coming, which cost a busy workshop more CPU than storing
the votes did.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


class LocalMovingWindow:
    """Moving window in process memory: O(1) amortised per hit, no background work."""

    def __init__(self) -> None:
        self._hits: dict[tuple, deque[float]] = {}
        self._lock = threading.Lock()
        self._since_prune = 0

    def _window(self, item: RateLimitItem, key: tuple, now: float) -> deque[float]:
        q = self._hits.get(key)
        if q is None:
            q = self._hits[key] = deque()
        horizon = now - item.get_expiry()
        while q and q[0] <= horizon:
            q.popleft()
        return q

    def test(self, item: RateLimitItem, *key: str) -> bool:
        with self._lock:
            return len(self._window(item, (item.key_for(), *key), time.monotonic())) < item.amount

    def count(self, item: RateLimitItem, *key: str) -> int:
        with self._lock:
            return len(self._window(item, (item.key_for(), *key), time.monotonic()))

    def hit(self, item: RateLimitItem, *key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            q = self._window(item, (item.key_for(), *key), now)
            if len(q) >= item.amount:
                return False
            q.append(now)
            self._since_prune += 1
            if self._since_prune >= 10_000:
                self._prune(now)
            return True

    def _prune(self, now: float) -> None:
        """Forget keys without a hit in the last day, so memory stays bounded."""
        self._since_prune = 0
        for k in [k for k, q in self._hits.items() if not q or q[-1] <= now - 86_400]:
            del self._hits[k]


class RateLimits:
    def __init__(self, storage_uri: str, rules: dict[str, str]):
        self.limiter: LocalMovingWindow | MovingWindowRateLimiter
        if storage_uri.startswith("memory://"):
            self.limiter = LocalMovingWindow()
        else:
            self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self.rules = {name: parse(rule) for name, rule in rules.items()}

    def over(self, rule: str, *key: str) -> bool:
        """True when the limit is already reached; counts nothing (pair with ``allow``)."""
        try:
            return not self.limiter.test(self.rules[rule], rule, *key)
        except Exception:
            return False

    def seen(self, rule: str, *key: str) -> bool:
        """True when ``key`` was counted under ``rule`` within the rule's window (a mark)."""
        item = self.rules[rule]
        try:
            if isinstance(self.limiter, LocalMovingWindow):
                return self.limiter.count(item, rule, *key) > 0
            return self.limiter.get_window_stats(item, rule, *key).remaining < item.amount
        except Exception:
            return False

    def allow(self, rule: str, *key: str) -> bool:
        """Count one hit; False when the caller is over the limit."""
        try:
            return self.limiter.hit(self.rules[rule], rule, *key)
        except Exception:
            # A limiter whose storage is down must not take the workshop down with it.
            return True


# --- join codes: the names of the marks, in one place -------------------------------------


def mark_reached(limits: RateLimits, address: str, workshop_id: int) -> None:
    """``address`` reached the workshop (a join, its phone page, its screen or console)."""
    limits.allow("join_known", address, str(workshop_id))


def has_reached(limits: RateLimits, address: str, workshop_id: int) -> bool:
    return limits.seen("join_known", address, str(workshop_id))
