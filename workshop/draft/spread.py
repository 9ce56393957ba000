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

When each person gives a lowest, likely and highest figure of their own (a three-point
estimate, as in structured expert elicitation), the room's proposal is the median of the
lowest figures, of the likely figures and of the highest figures (or, for the whole range,
the lowest of the lowest, the median likely and the highest of the highest). Since every
answer has lowest ≤ likely ≤ highest, the medians keep that order too (a quantile of values
that are each no larger than their partner is no larger).

How much a second round narrowed the spread is the interquartile range (Q3 − Q1) of round 1
against that of round 2: for the likely figures, and for the width of each answer's range
(highest − lowest).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
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
        # Flat fields: a copy of the instance's own dict (``dataclasses.asdict`` deep-copies
        # recursively, which costs more than the statistics on a recompute of 300 rows).
        return dict(self.__dict__)


def spread(values: Iterable[float]) -> Spread | None:
    """Count, extremes, quartiles and mean; ``None`` for no values."""
    return spread_sorted(_clean(values))


def spread_sorted(xs: list[float]) -> Spread | None:
    """:func:`spread` of finite values already sorted ascending (no copy, no second sort)."""
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
        # Flat fields: a copy of the instance's own dict (``dataclasses.asdict`` deep-copies
        # recursively, which costs more than the statistics on a recompute of 300 rows).
        return dict(self.__dict__)


def suggest(values: Iterable[float], method: Method = "quartiles") -> Suggestion | None:
    """Q1/median/Q3 (``quartiles``) or min/median/max (``range``); ``None`` for no values."""
    return suggest_from(spread(values), method)


def suggest_from(s: Spread | None, method: Method = "quartiles") -> Suggestion | None:
    """:func:`suggest` from a spread already computed."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    if s is None:
        return None
    if method == "quartiles":
        return Suggestion(s.q1, s.median, s.q3, method, s.n)
    return Suggestion(s.min, s.median, s.max, method, s.n)


def iqr(values: Iterable[float]) -> float | None:
    """Interquartile range Q3 − Q1 (inclusive method); ``None`` for no values."""
    xs = _clean(values)
    if not xs:
        return None
    return _quantile_sorted(xs, 0.75) - _quantile_sorted(xs, 0.25)


@dataclass(frozen=True)
class Narrowing:
    """The interquartile range of round 1 (``before``) against round 2 (``after``);
    ``change`` = (after − before) / before, negative when the spread narrowed, ``None`` when
    round 1 had no spread at all (every figure the same)."""

    before: float
    after: float
    change: float | None
    n_before: int
    n_after: int

    def as_dict(self) -> dict[str, Any]:
        # Flat fields: a copy of the instance's own dict (``dataclasses.asdict`` deep-copies
        # recursively, which costs more than the statistics on a recompute of 300 rows).
        return dict(self.__dict__)


def narrowing(before: Iterable[float], after: Iterable[float]) -> Narrowing | None:
    """How the interquartile range moved from ``before`` to ``after``; ``None`` when either
    round has no values."""
    return narrowing_of(spread(before), spread(after))


def narrowing_of(before: Spread | None, after: Spread | None) -> Narrowing | None:
    """:func:`narrowing` from the two rounds' spreads already computed."""
    if before is None or after is None:
        return None
    b, a = before.q3 - before.q1, after.q3 - after.q1
    return Narrowing(before=b, after=a, change=(a - b) / b if b > 0 else None, n_before=before.n, n_after=after.n)


#: Methods of :func:`suggest_three_point`, named after the single-figure ones they stand for.
THREE_POINT_METHODS = {"quartiles": "three_point", "range": "three_point_range"}


def suggest_three_point(
    answers: Iterable[tuple[float, float, float]], method: Method = "quartiles"
) -> Suggestion | None:
    """The room's lowest/likely/highest from each person's (lowest, likely, highest).

    ``quartiles`` (the default, as for single figures: one outlier does not move it): the
    median of the lowest, of the likely and of the highest figures. ``range``: the lowest of
    the lowest figures, the median likely and the highest of the highest. ``None`` for no
    answers. Raises ``ValueError`` for an answer out of order (lowest > likely > highest)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    triples = list(answers)
    if not triples:
        return None
    if any(not (lo <= mid <= hi) for lo, mid, hi in triples):
        raise ValueError("each answer needs lowest ≤ likely ≤ highest")
    return suggest_three_point_from(
        spread(t[0] for t in triples), spread(t[1] for t in triples), spread(t[2] for t in triples), method
    )


def suggest_three_point_from(
    lows: Spread | None, likelies: Spread | None, highs: Spread | None, method: Method = "quartiles"
) -> Suggestion | None:
    """:func:`suggest_three_point` from the spreads of the lowest, likely and highest figures
    of the same answers, already computed."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    if lows is None or likelies is None or highs is None:
        return None
    likely = likelies.median
    low, high = (lows.median, highs.median) if method == "quartiles" else (lows.min, highs.max)
    # Exact in theory (see the module's doc); the clamp only guards a float rounding.
    low, high = min(low, likely), max(high, likely)
    return Suggestion(low, likely, high, THREE_POINT_METHODS[method], likelies.n)


__all__ = [
    "METHODS",
    "THREE_POINT_METHODS",
    "Narrowing",
    "Spread",
    "Suggestion",
    "iqr",
    "median",
    "narrowing",
    "narrowing_of",
    "quantile",
    "quartiles",
    "spread",
    "spread_sorted",
    "suggest",
    "suggest_from",
    "suggest_three_point",
    "suggest_three_point_from",
]
