"""How the room's figures spread (step 7, Samla data): pure statistics, no I/O.

Quartiles use the *inclusive* linear interpolation, the method of Excel's ``QUARTILE.INC``
and ``PERCENTILE.INC`` (also numpy's default ``linear`` and R's type 7), because that is what
a facilitator gets when checking the figures in the spreadsheet the method's users know:

    sort the n values x[0] ≤ … ≤ x[n−1]; for the p-quantile take h = (n − 1)·p,
    k = ⌊h⌋ and q = x[k] + (h − k)·(x[k+1] − x[k]).

So Q1 is p = 0.25, the median p = 0.5 and Q3 p = 0.75; with a single value all three are that
value. Example: 7, 15, 36, 39, 40, 41 gives Q1 = 20.25, median = 37.5, Q3 = 39.75.

The suggested lowest/likely/highest for a calculation row is Q1/median/Q3 (the middle half of
the room: one outlier does not widen the range) or min/median/max (the whole range).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

Method = Literal["quartiles", "range"]
METHODS: tuple[str, ...] = ("quartiles", "range")


def _clean(values: Iterable[float]) -> list[float]:
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ValueError(f"not a finite number: {v!r}")
        out.append(float(v))
    return sorted(out)


def quantile(values: Iterable[float], p: float) -> float:
    """Inclusive linear-interpolation quantile (Excel PERCENTILE.INC) of ``values``, 0 ≤ p ≤ 1."""
    if not 0 <= p <= 1:
        raise ValueError("p must be between 0 and 1")
    xs = _clean(values)
    if not xs:
        raise ValueError("no values")
    return _quantile_sorted(xs, p)


def _quantile_sorted(xs: list[float], p: float) -> float:
    h = (len(xs) - 1) * p
    k = math.floor(h)
    if k + 1 >= len(xs):
        return xs[-1]
    return xs[k] + (h - k) * (xs[k + 1] - xs[k])


def median(values: Iterable[float]) -> float:
    return quantile(values, 0.5)


def quartiles(values: Iterable[float]) -> tuple[float, float, float]:
    """(Q1, median, Q3), inclusive method (Excel QUARTILE.INC)."""
    xs = _clean(values)
    if not xs:
        raise ValueError("no values")
    return _quantile_sorted(xs, 0.25), _quantile_sorted(xs, 0.5), _quantile_sorted(xs, 0.75)


@dataclass(frozen=True)
class Spread:
    n: int
    min: float
    q1: float
    median: float
    q3: float
    max: float
    mean: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def spread(values: Iterable[float]) -> Spread | None:
    """Count, extremes, quartiles and mean; ``None`` for no values."""
    xs = _clean(values)
    if not xs:
        return None
    q1, med, q3 = _quantile_sorted(xs, 0.25), _quantile_sorted(xs, 0.5), _quantile_sorted(xs, 0.75)
    return Spread(n=len(xs), min=xs[0], q1=q1, median=med, q3=q3, max=xs[-1], mean=math.fsum(xs) / len(xs))


@dataclass(frozen=True)
class Suggestion:
    """Lowest, likely and highest value suggested for a calculation row."""

    low: float
    likely: float
    high: float
    method: str
    n: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def suggest(values: Iterable[float], method: Method = "quartiles") -> Suggestion | None:
    """Q1/median/Q3 (``quartiles``) or min/median/max (``range``); ``None`` for no values."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    s = spread(values)
    if s is None:
        return None
    if method == "quartiles":
        return Suggestion(s.q1, s.median, s.q3, method, s.n)
    return Suggestion(s.min, s.median, s.max, method, s.n)


__all__ = ["METHODS", "Spread", "Suggestion", "median", "quantile", "quartiles", "spread", "suggest"]
