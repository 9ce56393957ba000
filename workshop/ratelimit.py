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


# Moving windows of several inputs in one Redis round trip, the ``limits`` library's own format
# (a list of hit times per key, newest first). ARGV: now, the number of inputs, then per input
# the number of its rules and per rule its limit and window; KEYS: the rules' keys in the same
# order. Each input's rules are counted in order and the first one that is full stops the rest
# of that input, as ``allow(a) and allow(b)`` would. Returns per input 0, or the number of its
# full rule.
_ACQUIRE_MANY = """
local now = tonumber(ARGV[1])
local inputs = tonumber(ARGV[2])
local a = 3
local k = 1
local out = {}
for n = 1, inputs do
    local rules = tonumber(ARGV[a])
    a = a + 1
    local refused = 0
    for r = 1, rules do
        local key = KEYS[k]
        local limit = tonumber(ARGV[a])
        local expiry = tonumber(ARGV[a + 1])
        k = k + 1
        a = a + 2
        if refused == 0 then
            local entry = nil
            if limit >= 1 then
                entry = redis.call('lindex', key, limit - 1)
            end
            if limit < 1 or (entry and tonumber(entry) >= now - expiry) then
                refused = r
            else
                redis.call('lpush', key, now)
                redis.call('ltrim', key, 0, limit - 1)
                redis.call('expire', key, expiry)
            end
        end
    end
    out[n] = refused
end
return out
"""


class RateLimits:
    def __init__(self, storage_uri: str, rules: dict[str, str]):
        self.limiter: LocalMovingWindow | MovingWindowRateLimiter
        self._acquire_many: Any = None
        if storage_uri.startswith("memory://"):
            self.limiter = LocalMovingWindow()
        else:
            storage = storage_from_string(storage_uri)
            self.limiter = MovingWindowRateLimiter(storage)
            if type(storage) in (RedisStorage, RedisSentinelStorage):  # not a cluster: keys on one node
                connection = cast(RedisStorage, storage).get_connection()
                self._acquire_many = connection.register_script(_ACQUIRE_MANY.encode())
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
        ``allow(a) and allow(b)`` does, with Redis in one round trip instead of one per rule."""
        return self.allow_many([hits])[0]

    def allow_many(self, inputs: list[tuple[tuple[str, ...], ...]]) -> list[bool]:
        """``allow_each(*hits)`` for each input's ``hits``, in order: with Redis all of them in
        one round trip (the input writer counts a whole batch of votes, each per phone and per
        address, at once)."""
        if not inputs:
            return []
        if self._acquire_many is None or not isinstance(self.limiter, MovingWindowRateLimiter):
            return [all(self.allow(rule, *key) for rule, *key in hits) for hits in inputs]
        storage = cast(RedisStorage, self.limiter.storage)
        keys: list[str] = []
        args: list[float] = [time.time(), len(inputs)]
        for hits in inputs:
            args.append(len(hits))
            for rule, *key in hits:
                item = self.rules[rule]
                keys.append(storage.prefixed_key(item.key_for(rule, *key)))
                args += [item.amount, item.get_expiry()]
        try:
            return [refused == 0 for refused in self._acquire_many(keys=keys, args=args)]
        except Exception:
            return [True] * len(inputs)  # as ``allow``: a storage that is down refuses nobody


# --- join codes: the names of the marks, in one place -------------------------------------


def mark_reached(limits: RateLimits, address: str, workshop_id: int) -> None:
    """``address`` reached the workshop (a join, its phone page, its screen or console)."""
    limits.allow("join_known", address, str(workshop_id))


def has_reached(limits: RateLimits, address: str, workshop_id: int) -> bool:
    return limits.seen("join_known", address, str(workshop_id))
