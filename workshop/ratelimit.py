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
from typing import Any, cast

from limits import RateLimitItem, parse
from limits.storage import RedisSentinelStorage, RedisStorage, storage_from_string
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


# Several moving windows in one Redis round trip, the ``limits`` library's own format (a list of
# hit times per key, newest first): each rule is counted in order and the first one that is full
# stops the rest, as ``allow(a) and allow(b)`` would. Returns 0, or the number of the full one.
_ACQUIRE_EACH = """
local now = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
    local limit = tonumber(ARGV[2 * i])
    local expiry = tonumber(ARGV[2 * i + 1])
    if limit < 1 then
        return i
    end
    local entry = redis.call('lindex', key, limit - 1)
    if entry and tonumber(entry) >= now - expiry then
        return i
    end
    redis.call('lpush', key, now)
    redis.call('ltrim', key, 0, limit - 1)
    redis.call('expire', key, expiry)
end
return 0
"""


class RateLimits:
    def __init__(self, storage_uri: str, rules: dict[str, str]):
        self.limiter: LocalMovingWindow | MovingWindowRateLimiter
        self._acquire_each: Any = None
        if storage_uri.startswith("memory://"):
            self.limiter = LocalMovingWindow()
        else:
            storage = storage_from_string(storage_uri)
            self.limiter = MovingWindowRateLimiter(storage)
            if type(storage) in (RedisStorage, RedisSentinelStorage):  # not a cluster: keys on one node
                connection = cast(RedisStorage, storage).get_connection()
                self._acquire_each = connection.register_script(_ACQUIRE_EACH.encode())
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

    def allow_each(self, *hits: tuple[str, ...]) -> bool:
        """``allow(rule, *key)`` for each ``(rule, *key)`` in order until one refuses: what
        ``allow(a) and allow(b)`` does, with Redis in one round trip instead of one per rule
        (a vote is counted per phone and per address)."""
        if self._acquire_each is None or not isinstance(self.limiter, MovingWindowRateLimiter):
            return all(self.allow(rule, *key) for rule, *key in hits)
        storage = cast(RedisStorage, self.limiter.storage)
        keys: list[str] = []
        args: list[float] = [time.time()]
        for rule, *key in hits:
            item = self.rules[rule]
            keys.append(storage.prefixed_key(item.key_for(rule, *key)))
            args += [item.amount, item.get_expiry()]
        try:
            return self._acquire_each(keys=keys, args=args) == 0
        except Exception:
            return True  # as ``allow``: a storage that is down refuses nobody


# --- join codes: the names of the marks, in one place -------------------------------------


def mark_reached(limits: RateLimits, address: str, workshop_id: int) -> None:
    """``address`` reached the workshop (a join, its phone page, its screen or console)."""
    limits.allow("join_known", address, str(workshop_id))


def has_reached(limits: RateLimits, address: str, workshop_id: int) -> bool:
    return limits.seen("join_known", address, str(workshop_id))
