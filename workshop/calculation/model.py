"""The nyttokalkyl's vocabulary as data: settings, items with their blocks and estimates, and
the result the engine returns (``engine.compute``), with the method's constants (1 700 hours a
year, 142 hours a month, 1.54 for holiday pay and employer fees). Pure: no I/O."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, is_dataclass
from typing import Any, Literal

from ..draft.vocabulary import CATEGORIES, MONEY_CATEGORIES, SIZE_SCORES

__all__ = [
    "CATEGORIES",
    "HOURS_PER_YEAR",
    "KINDS",
    "MONEY_CATEGORIES",
    "SCENARIOS",
    "Block",
    "Estimate",
    "Headline",
    "Item",
    "ItemError",
    "ItemResult",
    "Measures",
    "NotValuedItem",
    "OmfordelningHours",
    "Result",
    "Row",
    "ScenarioSummary",
    "SensitivityEntry",
    "Settings",
    "arsarbetare",
    "discount_factors",
    "hourly_cost",
    "one_off",
    "reading",
]

Kind = Literal["benefit", "cost"]
Scenario = Literal["low", "likely", "high"]
Reading = Literal["negative", "zero", "small_margin", "good"]

KINDS: tuple[str, ...] = ("benefit", "cost")
SCENARIOS: tuple[str, ...] = ("low", "likely", "high")
#: Working hours in a year; also the divisor for årsarbetare.
HOURS_PER_YEAR = 1700
#: Working hours per month (1 700 / 12, rounded as the method publishes it).
HOURS_PER_MONTH = 142
#: Holiday pay and employer fees on top of the monthly salary.
SALARY_OVERHEAD = 1.54
MAX_HORIZON = 30
#: Relative tolerance when comparing sums of money: float noise must not turn
#: "equal" into "greater" (the method says equal accumulated values do not count).
_REL_TOL = 1e-9
#: Largest yearly value or number of hours an item may have, in magnitude. Far beyond any real
#: amount, it keeps every sum the engine makes (profile factors up to 100, 30 years, tens of
#: thousands of items) inside the float range, so no total overflows to inf.
MAX_AMOUNT = 1e300


# --------------------------------------------------------------------------- helpers


def hourly_cost(monthly_salary: float) -> float:
    """Timkostnad: mean monthly salary / 142 × 1.54 (kr per hour)."""
    return monthly_salary / HOURS_PER_MONTH * SALARY_OVERHEAD


def arsarbetare(hours: float) -> float:
    """Hours expressed as årsarbetare (full-time years of 1 700 hours)."""
    return hours / HOURS_PER_YEAR


def one_off(year: int = 1) -> tuple[float, ...]:
    """Year profile of a one-off amount in ``year`` (profiles pad with their last value)."""
    if year < 1:
        raise ValueError("year must be 1 or later")
    return (0.0,) * (year - 1) + (1.0, 0.0)


def discount_factors(settings: Settings) -> tuple[float, ...]:
    """Multiplier per year t = 1..H under the chosen convention."""
    base = 1.0 + settings.discount_rate
    shift = 1 if settings.convention == "A" else 0
    return tuple(1.0 / base ** (t - shift) for t in range(1, settings.horizon + 1))


def reading(per_krona: float | None) -> Reading | None:
    """How to read Nettonytta per satsad krona; None when it cannot be computed."""
    if per_krona is None:
        return None
    if per_krona < 0:
        return "negative"
    if per_krona == 0:
        return "zero"
    return "small_margin" if per_krona < 0.5 else "good"


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _greater(a: float, b: float) -> bool:
    """a > b beyond float noise, so equal money amounts never count as exceeding."""
    return a - b > _REL_TOL * max(abs(a), abs(b), 1.0)


def _snap(net: float, scale: float) -> float:
    return 0.0 if abs(net) <= _REL_TOL * max(scale, 1.0) else net


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Settings:
    """Frame of the calculation: horizon H, discount rate r and convention A/B."""

    horizon: int = 6
    discount_rate: float = 0.03
    convention: Literal["A", "B"] = "A"

    def __post_init__(self) -> None:
        if isinstance(self.horizon, bool) or not isinstance(self.horizon, int):
            raise ValueError("horizon must be a whole number of years")
        if not 1 <= self.horizon <= MAX_HORIZON:
            raise ValueError(f"horizon must be 1..{MAX_HORIZON} years")
        if not _finite(self.discount_rate) or not 0 <= self.discount_rate <= 1:
            raise ValueError("discount_rate must be between 0 and 1 (0.03 = 3 %)")
        if self.convention not in ("A", "B"):
            raise ValueError("convention must be 'A' or 'B'")


@dataclass(frozen=True)
class Estimate:
    """Lowest, likely and highest value; a missing low/high falls back to likely."""

    low: float | None = None
    likely: float | None = None
    high: float | None = None

    @classmethod
    def fixed(cls, value: float) -> Estimate:
        return cls(value, value, value)

    @property
    def complete(self) -> bool:
        """Likely is set and every given value is a finite number."""
        values = (self.low, self.likely, self.high)
        return self.likely is not None and all(v is None or _finite(v) for v in values)

    def pick(self, scenario: str) -> float | None:
        value = self.low if scenario == "low" else self.high if scenario == "high" else None
        return float(value) if value is not None else self.likely

    @property
    def varies(self) -> bool:
        return self.complete and (self.pick("low") != self.likely or self.pick("high") != self.likely)


@dataclass(frozen=True)
class Row:
    """One question of a calculation block (e.g. "Hur många ärenden per år?")."""

    name: str
    label: str = ""
    unit: str = ""
    low: float | None = None
    likely: float | None = None
    high: float | None = None
    source: str = ""

    @property
    def estimate(self) -> Estimate:
        return Estimate(self.low, self.likely, self.high)


@dataclass(frozen=True)
class Block:
    """Beräkningsblock: rows plus a formula giving the yearly value in kronor.

    ``hours_formula`` optionally gives the yearly hours behind an Omfördelning
    item (e.g. ``antal * minuter / 60``) so time can be shown as hours and
    årsarbetare. Rows shadow shared factors with the same name.
    """

    rows: tuple[Row, ...]
    formula: str
    hours_formula: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", tuple(self.rows))


@dataclass(frozen=True)
class Item:
    """A benefit (nytta) or cost (kostnad) that may enter the calculation.

    ``year_profile`` holds the factor for t = 1, 2, ...; it is padded with its
    last value up to the horizon (so ``(0.5, 1)`` is a ramp, ``(1, 0)`` a one-off
    in year 1) and truncated beyond it. Empty means 1 every year.
    ``size_score`` is the uppskattad storlek for items not valued in money:
    Ingen 0, Liten 1, Måttlig 2, Stor 3, None = not estimated.
    """

    id: str
    kind: Kind
    title: str
    category: str
    perspective: str = ""
    valued_in_money: bool = True
    size_score: int | None = None
    block: Block | None = None
    direct: Estimate | None = None
    year_profile: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "year_profile", tuple(self.year_profile))
        if self.kind not in KINDS:
            raise ValueError(f"item {self.id!r}: kind must be one of {KINDS}")
        if self.category not in CATEGORIES:
            raise ValueError(f"item {self.id!r}: category must be one of {CATEGORIES}")
        if self.valued_in_money and self.category not in MONEY_CATEGORIES:
            raise ValueError(f"item {self.id!r}: only Finansiell and Omfördelning can be valued in money")
        if self.size_score is not None and self.size_score not in SIZE_SCORES:
            raise ValueError(f"item {self.id!r}: size_score must be 0..3 or None")
        if self.block is not None and self.direct is not None:
            raise ValueError(f"item {self.id!r}: give a block or a direct value, not both")
        if any(not _finite(f) or f < 0 for f in self.year_profile):
            raise ValueError(f"item {self.id!r}: year profile factors must be numbers >= 0")

    def profile(self, horizon: int) -> tuple[float, ...]:
        """Year factors for t = 1..horizon (padding with the last given factor)."""
        given = self.year_profile or (1.0,)
        padded = given[:horizon] + (given[-1],) * max(0, horizon - len(given))
        return tuple(float(f) for f in padded)


# --------------------------------------------------------------------------- outputs


@dataclass(frozen=True)
class ItemError:
    """A problem with one item; the item counts as 0 (``field='hours'``: hours only)."""

    item_id: str
    field: Literal["value", "hours"]
    code: str
    message: str
    names: tuple[str, ...] = ()
    scenario: str | None = None  # None: applies to every scenario


@dataclass(frozen=True)
class ItemResult:
    id: str
    kind: str
    title: str
    category: str
    perspective: str
    yearly_value: float
    by_year: tuple[float, ...]
    total: float
    total_discounted: float
    hours_per_year: float | None
    hours_total: float | None
    error: str | None


@dataclass(frozen=True)
class Headline:
    """The result measures of one series (undiscounted or discounted)."""

    benefits: float
    costs: float
    nettonytta: float
    per_krona: float | None
    reading: Reading | None
    break_even_year: int | None


@dataclass(frozen=True)
class Measures:
    """Headline measures plus yearly series, shares and breakdowns.

    ``benefit_shares``/``cost_shares``: category -> share of the total (None when
    the total is 0). ``by_category``/``by_perspective``: "benefit"/"cost" -> group
    -> total; items without a perspective are grouped under "".
    """

    benefits: float
    costs: float
    nettonytta: float
    per_krona: float | None
    reading: Reading | None
    break_even_year: int | None
    benefits_by_year: tuple[float, ...]
    costs_by_year: tuple[float, ...]
    accumulated_benefits: tuple[float, ...]
    accumulated_costs: tuple[float, ...]
    benefit_shares: dict[str, float | None]
    cost_shares: dict[str, float | None]
    by_category: dict[str, dict[str, float]]
    by_perspective: dict[str, dict[str, float]]

    def headline(self) -> Headline:
        return Headline(
            self.benefits,
            self.costs,
            self.nettonytta,
            self.per_krona,
            self.reading,
            self.break_even_year,
        )


@dataclass(frozen=True)
class OmfordelningHours:
    """Omfördelning in hours and årsarbetare (freed = benefits, consumed = costs)."""

    benefit_hours_by_year: tuple[float, ...]
    cost_hours_by_year: tuple[float, ...]
    benefit_hours: float
    cost_hours: float
    benefit_arsarbetare_by_year: tuple[float, ...]
    cost_arsarbetare_by_year: tuple[float, ...]
    benefit_arsarbetare: float
    cost_arsarbetare: float
    missing_hours: tuple[str, ...]  # Omfördelning items without an hours formula


@dataclass(frozen=True)
class ScenarioSummary:
    """All-lowest, all-likely or all-highest values applied to every input."""

    scenario: str
    undiscounted: Headline
    discounted: Headline


@dataclass(frozen=True)
class NotValuedItem:
    id: str
    kind: str
    title: str
    category: str
    perspective: str
    size_score: int | None


@dataclass(frozen=True)
class SensitivityEntry:
    """Nettonytta with one input at its low and high value, all others likely."""

    source: Literal["row", "factor", "direct"]
    item_id: str | None  # None for shared factors
    name: str  # row name, factor id or item id
    label: str
    low: float
    likely: float
    high: float
    nettonytta_low: float
    nettonytta_high: float
    discounted_nettonytta_low: float
    discounted_nettonytta_high: float
    swing: float  # |high - low| of undiscounted nettonytta; the sort key
    error: str | None = None


@dataclass(frozen=True)
class Result:
    settings: Settings
    scenario: str
    discount_factors: tuple[float, ...]
    items: tuple[ItemResult, ...]
    undiscounted: Measures
    discounted: Measures
    omfordelning: OmfordelningHours
    uncertainty: dict[str, ScenarioSummary]
    not_valued: tuple[NotValuedItem, ...]
    sensitivity: tuple[SensitivityEntry, ...] | None
    errors: tuple[ItemError, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain dicts/lists/numbers/None, ready for ``json.dumps``."""
        return _plain(self)


def _plain(value: Any) -> Any:
    if is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value
