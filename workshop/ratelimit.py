"""Rate limits on joining and on inputs, with the ``limits`` library.

The storage URI comes from settings: ``memory://`` in one process, ``redis://…`` when several
processes must share the counters.
"""

from __future__ import annotations

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


class RateLimits:
    def __init__(self, storage_uri: str, rules: dict[str, str]):
        self.storage = storage_from_string(storage_uri)
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.rules = {name: parse(rule) for name, rule in rules.items()}

    def over(self, rule: str, *key: str) -> bool:
        """True when the limit is already reached; counts nothing (pair with ``allow``)."""
        try:
            return not self.limiter.test(self.rules[rule], rule, *key)
        except Exception:
            return False

    def allow(self, rule: str, *key: str) -> bool:
        """Count one hit; False when the caller is over the limit."""
        try:
            return self.limiter.hit(self.rules[rule], rule, *key)
        except Exception:
            # A limiter whose storage is down must not take the workshop down with it.
            return True
