"""Follow-up (nyttorealisering): the decided estimate against what happened, on the same
calculation. Pure: no I/O.

A decided version freezes the engine's inputs (items, shared factors, settings). Measurements
later give, for an item and a year t (1..H), what happened:

* ``value`` — the item's value in that year as it happened, in kronor (the year profile is not
  applied: the figure is the year's value), or
* ``rows`` — realised values of some of the item's calculation rows ("antal
  nyckelöverlämningar per dag" really 18, not 20): the block is computed again with them (the
  other rows at their likely value) and the year's profile factor applies as in the estimate.

The outcome of an item in year t is the realised value where one was given and the estimate's
likely value elsewhere, year by year. Realised values never change the estimate: both are
reported side by side. Items not valued in money are followed up by size (Ingen 0 … Stor 3),
never by money.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import accumulate
from typing import Any

from . import engine
from .model import _plain, _snap, reading

__all__ = [
    "BEHIND_TOLERANCE",
    "Comparison",
    "ItemOutcome",
    "Realised",
    "SeriesMeasures",
    "compare",
    "frozen_inputs",
    "inputs_from_frozen",
]

#: A benefit whose outcome to date is more than this share below its estimate to date (a cost:
#: above it) is flagged "behind plan".
BEHIND_TOLERANCE = 0.10


@dataclass(frozen=True)
class Realised:
    """What was measured for one item in one year t = 1..H (see the module text)."""

    item_id: str
    year: int
    value: float | None = None
    rows: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemOutcome:
    id: str
    kind: str
    title: str
    category: str
    perspective: str
    estimate_by_year: tuple[float, ...]  # undiscounted, likely
    outcome_by_year: tuple[float, ...]  # realised where given, else the estimate
    realised_years: tuple[int, ...]
    estimate_to_date: float  # years 1..to_year, undiscounted
    outcome_to_date: float
    behind_plan: bool
    error: str | None = None


@dataclass(frozen=True)
class SeriesMeasures:
    """The result measures of one series of yearly benefits and costs."""

    benefits: float
    costs: float
    nettonytta: float
    per_krona: float | None
    reading: str | None
    break_even_year: int | None
    benefits_by_year: tuple[float, ...]
    costs_by_year: tuple[float, ...]
    accumulated_benefits: tuple[float, ...]
    accumulated_costs: tuple[float, ...]


@dataclass(frozen=True)
class Comparison:
    settings: engine.Settings
    to_year: int  # the last year with a measurement (0: none yet)
    items: tuple[ItemOutcome, ...]
    estimate: dict[str, SeriesMeasures]  # "undiscounted" / "discounted"
    outcome: dict[str, SeriesMeasures]
    by_category: dict[str, dict[str, dict[str, float]]]  # kind -> category -> {estimate, outcome} to date
    by_perspective: dict[str, dict[str, dict[str, float]]]
    errors: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)


def _measures(benefits: Sequence[float], costs: Sequence[float], weights: Sequence[float]) -> SeriesMeasures:
    b_year = [v * w for v, w in zip(benefits, weights)]
    c_year = [v * w for v, w in zip(costs, weights)]
    b, c = math.fsum(b_year), math.fsum(c_year)
    net = _snap(b - c, max(abs(b), abs(c)))
    per_krona = engine._ratio(net, c)
    acc_b, acc_c = list(accumulate(b_year)), list(accumulate(c_year))
    return SeriesMeasures(
        b,
        c,
        net,
        per_krona,
        reading(per_krona),
        engine._break_even(acc_b, acc_c),
        tuple(b_year),
        tuple(c_year),
        tuple(acc_b),
        tuple(acc_c),
    )


def _with_rows(item: engine.Item, rows: Mapping[str, float]) -> engine.Item:
    assert item.block is not None
    known = {r.name for r in item.block.rows}
    unknown = sorted(set(rows) - known)
    if unknown:
        raise ValueError(f"item {item.id!r} has no row {unknown[0]!r}")
    new_rows = tuple(
        replace(r, low=rows[r.name], likely=rows[r.name], high=rows[r.name]) if r.name in rows else r
        for r in item.block.rows
    )
    return replace(item, block=replace(item.block, rows=new_rows))


def compare(
    items: Sequence[engine.Item],
    factors: Mapping[str, float | engine.Estimate] | None,
    settings: engine.Settings,
    realised: Sequence[Realised],
    tolerance: float = BEHIND_TOLERANCE,
) -> Comparison:
    """The decided estimate and the outcome (realised where measured, estimate elsewhere).

    Raises ``ValueError`` for a measurement that does not fit the version (an unknown item, a
    year outside 1..H, money for an item not valued in money, a row the item has not, a value
    that is not a finite number); the caller refuses it before it is stored."""
    horizon = settings.horizon
    by_id = {i.id: i for i in items}
    for r in realised:
        item = by_id.get(r.item_id)
        if item is None:
            raise ValueError(f"no item {r.item_id!r} in this version")
        if isinstance(r.year, bool) or not isinstance(r.year, int) or not 1 <= r.year <= horizon:
            raise ValueError(f"year must be 1..{horizon}")
        if not item.valued_in_money:
            raise ValueError(f"item {r.item_id!r} is not valued in money: follow it up by size")
        values = ([r.value] if r.value is not None else []) + list(r.rows.values())
        if not values or not all(engine._finite(v) and abs(v) <= engine.MAX_AMOUNT for v in values):
            raise ValueError("a realised value must be a finite number")
        if r.rows and item.block is None:
            raise ValueError(f"item {r.item_id!r} has no calculation rows")
        if r.rows:
            _with_rows(item, r.rows)

    base = engine.compute(list(items), factors, settings, sensitivity=False)
    errors = [f"{e.item_id}: {e.code}" for e in base.errors if e.scenario in (None, "likely")]
    estimate = {res.id: res for res in base.items}
    # The latest measurement of an (item, year) counts.
    latest: dict[tuple[str, int], Realised] = {}
    for r in realised:
        latest[(r.item_id, r.year)] = r
    to_year = max((y for _, y in latest), default=0)

    outcomes: list[ItemOutcome] = []
    for item in items:
        if not item.valued_in_money:
            continue
        est = estimate[item.id]
        by_year = list(est.by_year)
        profile = item.profile(horizon)
        years: list[int] = []
        error = est.error
        for t in range(1, horizon + 1):
            m = latest.get((item.id, t))
            if m is None:
                continue
            years.append(t)
            if m.value is not None:
                by_year[t - 1] = float(m.value)
            else:
                redo = engine.compute([_with_rows(item, m.rows)], factors, settings, sensitivity=False).items[0]
                if redo.error:
                    error = redo.error
                by_year[t - 1] = redo.yearly_value * profile[t - 1]
        est_to_date = math.fsum(est.by_year[:to_year])
        out_to_date = math.fsum(by_year[:to_year])
        gap = tolerance * abs(est_to_date)
        behind = bool(years) and (
            out_to_date < est_to_date - gap if item.kind == "benefit" else out_to_date > est_to_date + gap
        )
        outcomes.append(
            ItemOutcome(
                item.id,
                item.kind,
                item.title,
                item.category,
                item.perspective,
                tuple(est.by_year),
                tuple(by_year),
                tuple(years),
                est_to_date,
                out_to_date,
                behind,
                error,
            )
        )

    def series(attr: str) -> tuple[list[float], list[float]]:
        b = [math.fsum(getattr(o, attr)[t] for o in outcomes if o.kind == "benefit") for t in range(horizon)]
        c = [math.fsum(getattr(o, attr)[t] for o in outcomes if o.kind == "cost") for t in range(horizon)]
        return b, c

    ones = (1.0,) * horizon
    weights = engine.discount_factors(settings)
    est_b, est_c = series("estimate_by_year")
    out_b, out_c = series("outcome_by_year")

    def grouped(key: str) -> dict[str, dict[str, dict[str, float]]]:
        out: dict[str, dict[str, dict[str, float]]] = {k: {} for k in engine.KINDS}
        for o in outcomes:
            g = out[o.kind].setdefault(getattr(o, key), {"estimate": 0.0, "outcome": 0.0})
            g["estimate"] += o.estimate_to_date
            g["outcome"] += o.outcome_to_date
        return out

    return Comparison(
        settings=settings,
        to_year=to_year,
        items=tuple(outcomes),
        estimate={"undiscounted": _measures(est_b, est_c, ones), "discounted": _measures(est_b, est_c, weights)},
        outcome={"undiscounted": _measures(out_b, out_c, ones), "discounted": _measures(out_b, out_c, weights)},
        by_category=grouped("category"),
        by_perspective=grouped("perspective"),
        errors=tuple(errors),
    )


# --------------------------------------------------------------------------- frozen inputs


def frozen_inputs(
    items: Sequence[engine.Item], factors: Mapping[str, engine.Estimate], settings: engine.Settings
) -> dict[str, Any]:
    """The engine's inputs as plain JSON data: what a decided version keeps."""
    return {
        "settings": _plain(settings),
        "factors": {k: _plain(v) for k, v in factors.items()},
        "items": [_plain(i) for i in items],
    }


def inputs_from_frozen(
    doc: Mapping[str, Any],
) -> tuple[list[engine.Item], dict[str, engine.Estimate], engine.Settings]:
    """Back from :func:`frozen_inputs` (raises ValueError/TypeError/KeyError on a bad document)."""
    s = doc["settings"]
    settings = engine.Settings(int(s["horizon"]), float(s["discount_rate"]), s["convention"])
    factors = {str(k): engine.Estimate(v["low"], v["likely"], v["high"]) for k, v in doc["factors"].items()}
    items = []
    for d in doc["items"]:
        block = None
        if d.get("block"):
            b = d["block"]
            block = engine.Block(
                rows=tuple(engine.Row(**r) for r in b["rows"]),
                formula=b["formula"],
                hours_formula=b.get("hours_formula"),
            )
        direct = engine.Estimate(**d["direct"]) if d.get("direct") else None
        items.append(
            engine.Item(
                id=str(d["id"]),
                kind=d["kind"],
                title=d["title"],
                category=d["category"],
                perspective=d.get("perspective", ""),
                valued_in_money=bool(d["valued_in_money"]),
                size_score=d.get("size_score"),
                block=block,
                direct=direct,
                year_profile=tuple(d.get("year_profile") or ()),
            )
        )
    return items, factors, settings
