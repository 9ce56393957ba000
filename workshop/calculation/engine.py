"""Nyttokalkyl engine: pure functions from items and values to result measures.

Follows the "Calculation" section of the method reference (method.md):

* Every money-valued item (only categories *Finansiell* and *Omfördelning*) has a
  yearly value, either from a calculation block (rows + formula over rows and
  shared factors) or typed directly, with lowest/likely/highest values.
* Value in year t = yearly value × year-profile factor t, for t = 1..H.
* Discounting, convention A (default): year t divided by (1+r)^(t-1);
  convention B: divided by (1+r)^t. Undiscounted figures are always reported too.
* Result measures: Sammanlagd nettonytta, Nettonytta per satsad krona (None =
  "kan inte beräknas"), the year accumulated benefits *strictly* exceed
  accumulated costs (None = "aldrig"), shares, breakdowns, Omfördelning in hours
  and årsarbetare, the lowest/likely/highest comparison and a one-at-a-time
  sensitivity (tornado) list.

Nothing here performs I/O, so the web layer can call :func:`compute` on every
incoming figure. Problems in one block (syntax, unknown name, division by zero,
missing value) never abort the whole result: the item counts as 0 and the
problem is listed in ``Result.errors``. A yearly value (or number of hours) that
overflows, or is beyond ``MAX_AMOUNT``, is such a problem (``not_finite``), and a ratio
too large for a float cannot be computed (None), so no figure the engine reports is
ever inf or NaN. Structural mistakes by the caller (an
unknown category, a Kvalitet item valued in money, an invalid horizon) raise
``ValueError`` because they must be prevented by the data model, not shown.
"""

from __future__ import annotations

import math
from collections import ChainMap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate

from ..draft.vocabulary import MONEY_CATEGORIES
from .formula import Formula, FormulaError, is_valid_name, parse
from .model import (  # noqa: F401  (the engine's vocabulary, re-exported: ``engine.Item`` …)
    _REL_TOL,
    HOURS_PER_MONTH,
    HOURS_PER_YEAR,
    KINDS,
    MAX_AMOUNT,
    MAX_HORIZON,
    SALARY_OVERHEAD,
    SCENARIOS,
    Block,
    Estimate,
    Headline,
    Item,
    ItemError,
    ItemResult,
    Kind,
    Measures,
    NotValuedItem,
    OmfordelningHours,
    Reading,
    Result,
    Row,
    Scenario,
    ScenarioSummary,
    SensitivityEntry,
    Settings,
    _finite,
    _greater,
    _plain,
    _snap,
    arsarbetare,
    discount_factors,
    hourly_cost,
    one_off,
    reading,
)
from .model import __all__ as _model_all

__all__ = [*_model_all, "compute"]


# --------------------------------------------------------------------------- preparation


@dataclass
class _Calc:
    """A money-valued item made ready for fast repeated evaluation."""

    index: int
    item: Item
    sign: float  # +1 benefit, -1 cost
    profile: tuple[float, ...]
    weight: float  # Σ profile
    weight_discounted: float  # Σ profile × discount factor
    formula: Formula | None = None
    hours: Formula | None = None
    rows: dict[str, Estimate] = field(default_factory=dict)
    factor_names: tuple[str, ...] = ()
    error: ItemError | None = None
    hours_error: ItemError | None = None

    def weight_for(self, discounted: bool) -> float:
        return self.weight_discounted if discounted else self.weight

    def uses_factor(self, name: str) -> bool:
        """The value formula reads shared factor ``name`` (not shadowed by a row)."""
        return self.formula is not None and name in self.formula.names and name not in self.rows


def _item_error(item: Item, code: str, message: str, names: Iterable[str] = (), fld: str = "value") -> ItemError:
    return ItemError(item.id, fld, code, message, tuple(names))  # type: ignore[arg-type]


def _parse_block_formula(
    item: Item, text: str, known: Mapping[str, object], fld: str
) -> tuple[Formula | None, ItemError | None]:
    try:
        return parse(text, known), None
    except FormulaError as exc:
        return None, _item_error(item, exc.code, exc.message, exc.names, fld)


def _row_error(item: Item, rows: Sequence[Row]) -> ItemError | None:
    seen: set[str] = set()
    for row in rows:
        if not is_valid_name(row.name):
            return _item_error(item, "bad_row_name", f"invalid row name {row.name!r}", [row.name])
        if row.name in seen:
            return _item_error(item, "duplicate_row", f"row name {row.name!r} is used twice", [row.name])
        seen.add(row.name)
    return None


def _missing(
    item: Item, formula: Formula, rows: Mapping[str, Estimate], factors: Mapping[str, Estimate], fld: str
) -> ItemError | None:
    """A formula may only read rows and factors that have a usable likely value."""
    missing = sorted(n for n in formula.names if not (rows[n] if n in rows else factors[n]).complete)
    if not missing:
        return None
    return _item_error(item, "missing_value", f"no usable value for: {', '.join(missing)}", missing, fld)


def _prepare(index: int, item: Item, factors: Mapping[str, Estimate], weights: tuple[float, ...]) -> _Calc:
    """Parse formulas once and find every problem that does not depend on the scenario."""
    profile = item.profile(len(weights))
    calc = _Calc(
        index=index,
        item=item,
        sign=1.0 if item.kind == "benefit" else -1.0,
        profile=profile,
        weight=math.fsum(profile),
        weight_discounted=math.fsum(f * d for f, d in zip(profile, weights)),
    )
    if item.block is None:
        if item.direct is None or not item.direct.complete:
            calc.error = _item_error(item, "missing_value", "the item has no usable yearly value")
        elif any(
            v is not None and abs(v) > MAX_AMOUNT for v in (item.direct.low, item.direct.likely, item.direct.high)
        ):
            calc.error = _item_error(item, "not_finite", "the yearly value is too large")
        return calc
    block = item.block
    calc.error = _row_error(item, block.rows)
    if calc.error:
        return calc
    calc.rows = {row.name: row.estimate for row in block.rows}
    # Looked up in both, never copied: a copy of every factor per item is quadratic.
    known = ChainMap(calc.rows, factors)  # type: ignore[arg-type]  # typeshed wants mutable maps; ChainMap writes only to the first
    calc.formula, calc.error = _parse_block_formula(item, block.formula, known, "value")
    if calc.formula is not None:
        calc.error = _missing(item, calc.formula, calc.rows, factors, "value")
    if block.hours_formula and item.category == "omfordelning":
        calc.hours, calc.hours_error = _parse_block_formula(item, block.hours_formula, known, "hours")
        if calc.hours is not None:
            calc.hours_error = _missing(item, calc.hours, calc.rows, factors, "hours")
    used = (calc.formula.names if calc.formula else frozenset()) | (calc.hours.names if calc.hours else frozenset())
    calc.factor_names = tuple(sorted(n for n in used if n not in calc.rows))
    return calc


def _normalise_factors(factors: Mapping[str, float | Estimate] | None) -> dict[str, Estimate]:
    out: dict[str, Estimate] = {}
    for name, value in (factors or {}).items():
        if not is_valid_name(name):
            raise ValueError(f"invalid shared factor id {name!r}")
        out[name] = value if isinstance(value, Estimate) else Estimate.fixed(value)
    return out


# --------------------------------------------------------------------------- evaluation


def _env(calc: _Calc, scenario: str, factor_values: Mapping[str, float | None]) -> dict[str, float]:
    """Only the names this block can read: its rows and the factors it uses."""
    env = {name: est.pick(scenario) for name, est in calc.rows.items()}
    for name in calc.factor_names:
        env[name] = factor_values[name]
    return env  # type: ignore[return-value]


def _eval(formula: Formula, env: Mapping[str, float]) -> tuple[float, FormulaError | None]:
    """Value or (0, error): a failing block counts as 0 instead of aborting the result."""
    try:
        value = formula.evaluate(env)
    except FormulaError as exc:
        return 0.0, exc
    if abs(value) > MAX_AMOUNT:
        return 0.0, FormulaError("not_finite", "the result is too large")
    return value, None


@dataclass
class _Pass:
    """Yearly values (and hours) of every item for one scenario."""

    scenario: str
    values: list[float]
    hours: list[float | None]
    errors: list[ItemError]


def _run(calcs: Sequence[_Calc], scenario: str, factors: Mapping[str, Estimate]) -> _Pass:
    factor_values = {name: est.pick(scenario) for name, est in factors.items()}
    run = _Pass(scenario, [], [], [])
    for calc in calcs:
        value, hours = 0.0, None
        if calc.error is None and calc.formula is None:
            value = float(calc.item.direct.pick(scenario))  # type: ignore[union-attr, arg-type]
        elif calc.error is None or calc.hours is not None:
            env = _env(calc, scenario, factor_values)
            if calc.error is None:
                value = _run_formula(run, calc, calc.formula, env, "value")  # type: ignore[arg-type]
            if calc.hours is not None and calc.hours_error is None:
                hours = _run_formula(run, calc, calc.hours, env, "hours")
        run.values.append(value)
        run.hours.append(hours)
    return run


def _run_formula(run: _Pass, calc: _Calc, formula: Formula, env: Mapping[str, float], fld: str) -> float:
    value, exc = _eval(formula, env)
    if exc:
        error = ItemError(calc.item.id, fld, exc.code, exc.message, exc.names, run.scenario)  # type: ignore[arg-type]
        run.errors.append(error)
    return value


# --------------------------------------------------------------------------- aggregation


def _break_even(acc_benefits: Sequence[float], acc_costs: Sequence[float]) -> int | None:
    """First year t whose accumulated benefits are strictly greater; None = "aldrig"."""
    for year, (b, c) in enumerate(zip(acc_benefits, acc_costs), start=1):
        if _greater(b, c):
            return year
    return None


def _series(
    calcs: Sequence[_Calc], values: Sequence[float], weights: Sequence[float]
) -> tuple[list[float], list[float]]:
    """Benefits and costs per year t (weights: 1 or the discount factor)."""
    benefits = [0.0] * len(weights)
    costs = [0.0] * len(weights)
    for calc, value in zip(calcs, values):
        if value == 0.0:
            continue
        target = benefits if calc.sign > 0 else costs
        for t, (f, w) in enumerate(zip(calc.profile, weights)):
            target[t] += value * f * w
    return benefits, costs


def _item_totals(calcs: Sequence[_Calc], values: Sequence[float], discounted: bool) -> list[float]:
    return [v * c.weight_for(discounted) for c, v in zip(calcs, values)]


def _headline_from(
    calcs: Sequence[_Calc], values: Sequence[float], weights: Sequence[float], discounted: bool
) -> tuple[Headline, list[float], list[float]]:
    """Headline plus the yearly benefit and cost series it was derived from."""
    totals = _item_totals(calcs, values, discounted)
    benefits = math.fsum(t for c, t in zip(calcs, totals) if c.sign > 0)
    costs = math.fsum(t for c, t in zip(calcs, totals) if c.sign < 0)
    net = _snap(benefits - costs, max(abs(benefits), abs(costs)))
    per_krona = _ratio(net, costs)
    by_b, by_c = _series(calcs, values, weights)
    year = _break_even(list(accumulate(by_b)), list(accumulate(by_c)))
    return Headline(benefits, costs, net, per_krona, reading(per_krona), year), by_b, by_c


def _grouped(
    calcs: Sequence[_Calc], totals: Sequence[float], key: str, keys: Iterable[str] = ()
) -> dict[str, dict[str, float]]:
    """kind -> group (category or perspective) -> total."""
    out: dict[str, dict[str, list[float]]] = {kind: {k: [] for k in keys} for kind in KINDS}
    for calc, total in zip(calcs, totals):
        out[calc.item.kind].setdefault(getattr(calc.item, key), []).append(total)
    return {kind: {k: math.fsum(v) for k, v in groups.items()} for kind, groups in out.items()}


def _ratio(part: float, whole: float) -> float | None:
    """part / whole; None ("kan inte beräknas") when whole is 0 or the ratio is too large for a float."""
    if whole == 0:
        return None
    ratio = part / whole
    return ratio if math.isfinite(ratio) else None


def _shares(by_category: Mapping[str, float], total: float) -> dict[str, float | None]:
    return {cat: _ratio(by_category.get(cat, 0.0), total) for cat in MONEY_CATEGORIES}


def _measures(calcs: Sequence[_Calc], values: Sequence[float], weights: Sequence[float], discounted: bool) -> Measures:
    head, by_b, by_c = _headline_from(calcs, values, weights, discounted)
    totals = _item_totals(calcs, values, discounted)
    by_category = _grouped(calcs, totals, "category", MONEY_CATEGORIES)
    return Measures(
        benefits=head.benefits,
        costs=head.costs,
        nettonytta=head.nettonytta,
        per_krona=head.per_krona,
        reading=head.reading,
        break_even_year=head.break_even_year,
        benefits_by_year=tuple(by_b),
        costs_by_year=tuple(by_c),
        accumulated_benefits=tuple(accumulate(by_b)),
        accumulated_costs=tuple(accumulate(by_c)),
        benefit_shares=_shares(by_category["benefit"], head.benefits),
        cost_shares=_shares(by_category["cost"], head.costs),
        by_category=by_category,
        by_perspective=_grouped(calcs, totals, "perspective"),
    )


def _hours(calcs: Sequence[_Calc], run: _Pass, horizon: int) -> OmfordelningHours:
    by_kind = {"benefit": [0.0] * horizon, "cost": [0.0] * horizon}
    missing = []
    for calc, hours in zip(calcs, run.hours):
        if calc.item.category != "omfordelning":
            continue
        if calc.hours is None:
            missing.append(calc.item.id)
            continue
        series = by_kind[calc.item.kind]
        for t, f in enumerate(calc.profile):
            series[t] += (hours or 0.0) * f
    benefit, cost = by_kind["benefit"], by_kind["cost"]
    return OmfordelningHours(
        benefit_hours_by_year=tuple(benefit),
        cost_hours_by_year=tuple(cost),
        benefit_hours=math.fsum(benefit),
        cost_hours=math.fsum(cost),
        benefit_arsarbetare_by_year=tuple(arsarbetare(h) for h in benefit),
        cost_arsarbetare_by_year=tuple(arsarbetare(h) for h in cost),
        benefit_arsarbetare=arsarbetare(math.fsum(benefit)),
        cost_arsarbetare=arsarbetare(math.fsum(cost)),
        missing_hours=tuple(missing),
    )


def _item_results(calcs: Sequence[_Calc], run: _Pass) -> tuple[ItemResult, ...]:
    scenario_errors = {e.item_id: e.code for e in run.errors if e.field == "value"}
    out = []
    for calc, value, hours in zip(calcs, run.values, run.hours):
        item = calc.item
        out.append(
            ItemResult(
                id=item.id,
                kind=item.kind,
                title=item.title,
                category=item.category,
                perspective=item.perspective,
                yearly_value=value,
                by_year=tuple(value * f for f in calc.profile),
                total=value * calc.weight,
                total_discounted=value * calc.weight_discounted,
                hours_per_year=hours,
                hours_total=None if hours is None else hours * calc.weight,
                error=calc.error.code if calc.error else scenario_errors.get(item.id),
            )
        )
    return tuple(out)


# --------------------------------------------------------------------------- sensitivity


@dataclass
class _Tornado:
    """Likely-scenario state shared by every one-at-a-time shift."""

    base: _Pass
    envs: dict[int, dict[str, float]]  # calc.index -> likely env
    net: float
    net_discounted: float

    def shift(self, targets: Sequence[_Calc], name: str | None, est: Estimate) -> tuple[list[float], str | None]:
        """[net_low, net_high, disc_low, disc_high] with input ``name`` (None: direct value) moved.

        Nettonytta is linear in each item's yearly value, so only the items that
        read the input are re-evaluated and their change is added to the base.
        """
        nets = [self.net, self.net, self.net_discounted, self.net_discounted]
        error = None
        for calc in targets:
            for side, new_input in ((0, est.pick("low")), (1, est.pick("high"))):
                if name is None:
                    new_value = float(new_input)  # type: ignore[arg-type]
                else:
                    env = dict(self.envs[calc.index])
                    env[name] = new_input  # type: ignore[assignment]
                    new_value, exc = _eval(calc.formula, env)  # type: ignore[arg-type]
                    error = error or (exc.code if exc else None)
                delta = calc.sign * (new_value - self.base.values[calc.index])
                nets[side] += delta * calc.weight
                nets[side + 2] += delta * calc.weight_discounted
        return nets, error


def _sensitivity(
    calcs: Sequence[_Calc], base: _Pass, factors: Mapping[str, Estimate], net: float, net_discounted: float
) -> tuple[SensitivityEntry, ...]:
    """One input at a time at its low and high value, all others likely; by swing."""
    likely = {name: est.pick("likely") for name, est in factors.items()}
    ok = [c for c in calcs if c.error is None]
    envs = {c.index: _env(c, "likely", likely) for c in ok if c.formula is not None}
    tornado = _Tornado(base, envs, net, net_discounted)
    entries: list[SensitivityEntry] = []
    for calc in ok:
        item = calc.item
        if calc.formula is None:
            if item.direct is not None and item.direct.varies:
                nets, err = tornado.shift([calc], None, item.direct)
                entries.append(_entry("direct", item.id, item.id, item.title, item.direct, nets, err))
            continue
        for row in item.block.rows:  # type: ignore[union-attr]
            if row.name in calc.formula.names and row.estimate.varies:
                nets, err = tornado.shift([calc], row.name, row.estimate)
                entries.append(_entry("row", item.id, row.name, row.label or row.name, row.estimate, nets, err))
    # Which items read each factor, in one pass (asking every item about every factor is
    # quadratic: thousands of factors times thousands of items).
    readers: dict[str, list[_Calc]] = {}
    for c in ok:
        if c.formula is not None:
            for name in c.formula.names:
                if name not in c.rows:
                    readers.setdefault(name, []).append(c)
    for name, est in factors.items():
        users = readers.get(name, [])
        if users and est.varies:
            nets, err = tornado.shift(users, name, est)
            entries.append(_entry("factor", None, name, name, est, nets, err))
    entries.sort(key=lambda e: (-e.swing, e.source, e.item_id or "", e.name))
    return tuple(entries)


def _entry(
    source: str, item_id: str | None, name: str, label: str, est: Estimate, nets: list[float], error: str | None
) -> SensitivityEntry:
    return SensitivityEntry(
        source=source,  # type: ignore[arg-type]
        item_id=item_id,
        name=name,
        label=label,
        low=float(est.pick("low")),  # type: ignore[arg-type]
        likely=float(est.likely),  # type: ignore[arg-type]
        high=float(est.pick("high")),  # type: ignore[arg-type]
        nettonytta_low=nets[0],
        nettonytta_high=nets[1],
        discounted_nettonytta_low=nets[2],
        discounted_nettonytta_high=nets[3],
        swing=abs(nets[1] - nets[0]),
        error=error,
    )


# --------------------------------------------------------------------------- entry point


def compute(
    items: Sequence[Item],
    factors: Mapping[str, float | Estimate] | None = None,
    settings: Settings | None = None,
    *,
    scenario: Scenario = "likely",
    sensitivity: bool = True,
) -> Result:
    """Compute the nyttokalkyl for ``items`` under ``settings`` (default H=6, r=3 %, A).

    ``scenario`` picks the values behind the main figures; ``uncertainty`` always
    holds all three. ``sensitivity=False`` skips the tornado (the costliest part).
    """
    settings = settings or Settings()
    if scenario not in SCENARIOS:
        raise ValueError(f"scenario must be one of {SCENARIOS}")
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        raise ValueError("item ids must be unique")
    shared = _normalise_factors(factors)
    weights = discount_factors(settings)
    ones = (1.0,) * settings.horizon
    money = [item for item in items if item.valued_in_money]
    calcs = [_prepare(i, item, shared, weights) for i, item in enumerate(money)]

    runs = {s: _run(calcs, s, shared) for s in SCENARIOS}
    uncertainty = {
        s: ScenarioSummary(
            s,
            _headline_from(calcs, runs[s].values, ones, False)[0],
            _headline_from(calcs, runs[s].values, weights, True)[0],
        )
        for s in SCENARIOS
    }
    tornado = None
    if sensitivity:
        likely = uncertainty["likely"]
        tornado = _sensitivity(
            calcs, runs["likely"], shared, likely.undiscounted.nettonytta, likely.discounted.nettonytta
        )
    main = runs[scenario]
    structural = [e for c in calcs for e in (c.error, c.hours_error) if e is not None]
    return Result(
        settings=settings,
        scenario=scenario,
        discount_factors=weights,
        items=_item_results(calcs, main),
        undiscounted=_measures(calcs, main.values, ones, False),
        discounted=_measures(calcs, main.values, weights, True),
        omfordelning=_hours(calcs, main, settings.horizon),
        uncertainty=uncertainty,
        not_valued=tuple(
            NotValuedItem(i.id, i.kind, i.title, i.category, i.perspective, i.size_score)
            for i in items
            if not i.valued_in_money
        ),
        sensitivity=tornado,
        errors=tuple(structural + [e for s in SCENARIOS for e in runs[s].errors]),
    )
