"""Nyttokalkyl engine: the method's fixture plus hand-computed cases."""

import json

import pytest

from workshop.calculation.engine import (
    HOURS_PER_YEAR,
    Block,
    Estimate,
    Item,
    Result,
    Row,
    Settings,
    arsarbetare,
    compute,
    discount_factors,
    hourly_cost,
    one_off,
    reading,
)
from workshop.calculation.factors import factor_values, load_factors


def benefit(id: str, value: float | Estimate, category: str = "omfordelning", **kw) -> Item:
    direct = value if isinstance(value, Estimate) else Estimate.fixed(value)
    return Item(id, "benefit", kw.pop("title", id), category, direct=direct, **kw)


def cost(id: str, value: float | Estimate, category: str = "finansiell", **kw) -> Item:
    direct = value if isinstance(value, Estimate) else Estimate.fixed(value)
    return Item(id, "cost", kw.pop("title", id), category, direct=direct, **kw)


def method_fixture(n1: Estimate | float = 30_000) -> list[Item]:
    """method.md: N1 Omfördelning 30 000/yr, K1 one-off 100 000, K2 5 000/yr."""
    return [
        benefit("N1", n1, "omfordelning"),
        cost("K1", 100_000, "finansiell", year_profile=one_off()),
        cost("K2", 5_000, "finansiell"),
    ]


def r2(x: float) -> float:
    return round(x, 2)


# --------------------------------------------------------------------------- the method's fixture


def test_fixture_undiscounted() -> None:
    m = compute(method_fixture()).undiscounted
    assert (r2(m.benefits), r2(m.costs), r2(m.nettonytta)) == (180_000.00, 130_000.00, 50_000.00)
    assert round(m.per_krona, 4) == 0.3846
    assert m.reading == "small_margin"
    assert m.break_even_year == 5
    # Equal in year 4 (120 000 each): equal is not "exceeding".
    assert m.accumulated_benefits[3] == m.accumulated_costs[3] == 120_000


def test_fixture_zero_rate_equals_undiscounted() -> None:
    result = compute(method_fixture(), settings=Settings(discount_rate=0.0))
    d = result.discounted
    assert (r2(d.benefits), r2(d.costs), r2(d.nettonytta)) == (180_000.00, 130_000.00, 50_000.00)
    assert d.break_even_year == 5


def test_fixture_convention_a() -> None:
    d = compute(method_fixture(), settings=Settings(horizon=6, discount_rate=0.03, convention="A")).discounted
    assert (r2(d.benefits), r2(d.costs), r2(d.nettonytta)) == (167_391.22, 127_898.54, 39_492.68)
    assert round(d.per_krona, 4) == 0.3088
    assert d.break_even_year == 5


def test_fixture_convention_b() -> None:
    d = compute(method_fixture(), settings=Settings(convention="B")).discounted
    assert (r2(d.benefits), r2(d.costs), r2(d.nettonytta)) == (162_515.74, 124_173.34, 38_342.41)
    assert round(d.per_krona, 4) == 0.3088
    assert d.break_even_year == 5  # year 4: 111 513 vs 115 673; year 5: 137 391 vs 119 986


def test_fixture_shares() -> None:
    m = compute(method_fixture()).undiscounted
    assert m.benefit_shares == {"finansiell": 0.0, "omfordelning": 1.0}
    assert m.cost_shares == {"finansiell": 1.0, "omfordelning": 0.0}


def test_fixture_lowest_and_highest() -> None:
    result = compute(method_fixture(Estimate(24_000, 30_000, 36_000)))
    nets = {s: result.uncertainty[s].undiscounted.nettonytta for s in ("low", "likely", "high")}
    assert nets == {"low": 14_000, "likely": 50_000, "high": 86_000}
    assert result.uncertainty["low"].undiscounted.costs == 130_000  # costs fixed
    assert result.uncertainty["low"].undiscounted.benefits == 144_000


def test_fixture_as_calculation_blocks() -> None:
    """The same figures through formulas and a shared factor."""
    n1 = Item(
        "N1",
        "benefit",
        "Frigjord tid",
        "omfordelning",
        block=Block(
            rows=(
                Row("arenden", "Ärenden per år", "st", likely=400),
                Row("minuter", "Minuter sparade per ärende", "min", likely=10),
            ),
            formula="arenden * minuter / 60 * timkostnad",
        ),
    )
    k1 = Item(
        "K1",
        "cost",
        "Införande",
        "finansiell",
        year_profile=(1, 0),
        block=Block(rows=(Row("licenser", likely=20), Row("pris", likely=5_000)), formula="licenser × pris"),
    )
    k2 = Item(
        "K2", "cost", "Drift", "finansiell", block=Block(rows=(Row("manad", likely=5_000 / 12),), formula="manad * 12")
    )
    result = compute([n1, k1, k2], {"timkostnad": 450})
    assert result.errors == ()
    assert r2(result.undiscounted.nettonytta) == 50_000.00
    assert r2(result.discounted.nettonytta) == 39_492.68
    assert [r2(i.yearly_value) for i in result.items] == [30_000.00, 100_000.00, 5_000.00]


# --------------------------------------------------------------------------- year profiles and horizon


def test_ramp_profile() -> None:
    items = [benefit("N", 10_000, year_profile=(0.5, 1))]
    result = compute(items, settings=Settings(horizon=4, discount_rate=0.10))
    item = result.items[0]
    assert item.by_year == (5_000, 10_000, 10_000, 10_000)
    assert item.total == 35_000
    # 5 000 + 10 000/1.1 + 10 000/1.21 + 10 000/1.331
    assert r2(item.total_discounted) == 29_868.52
    assert r2(result.discounted.benefits) == 29_868.52
    assert result.undiscounted.benefits_by_year == (5_000, 10_000, 10_000, 10_000)


def test_one_off_cost_in_a_later_year() -> None:
    assert one_off(3) == (0, 0, 1, 0)
    result = compute([cost("K", 60_000, year_profile=one_off(3))], settings=Settings(horizon=5, discount_rate=0.2))
    assert result.undiscounted.costs_by_year == (0, 0, 60_000, 0, 0)
    assert result.undiscounted.costs == 60_000
    assert r2(result.discounted.costs) == r2(60_000 / 1.2**2)  # year 3, convention A
    assert r2(result.discounted.costs) == 41_666.67


def test_profile_padding_and_truncation() -> None:
    item = benefit("N", 1, year_profile=(0.25, 0.5))
    assert item.profile(4) == (0.25, 0.5, 0.5, 0.5)
    assert item.profile(1) == (0.25,)
    assert benefit("N", 1).profile(3) == (1, 1, 1)
    assert benefit("N", 1, year_profile=(1, 0)).profile(4) == (1, 0, 0, 0)


def test_horizon_1() -> None:
    items = [benefit("N", 100), cost("K", 40)]
    a = compute(items, settings=Settings(horizon=1))
    assert (a.undiscounted.nettonytta, a.discounted.nettonytta) == (60, 60)  # A: year 1 undiscounted
    assert a.undiscounted.break_even_year == 1
    b = compute(items, settings=Settings(horizon=1, convention="B"))
    assert r2(b.discounted.nettonytta) == 58.25  # 60 / 1.03
    assert len(b.items[0].by_year) == 1


def test_horizon_30() -> None:
    result = compute([benefit("N", 1_000)], settings=Settings(horizon=30))
    assert result.undiscounted.benefits == 30_000
    assert len(result.undiscounted.benefits_by_year) == 30
    # Annuity due: 1000 × (1 − 1.03^−30) / (1 − 1/1.03)
    assert r2(result.discounted.benefits) == 20_188.45


@pytest.mark.parametrize("horizon", [0, 31, -1])
def test_horizon_out_of_range(horizon: int) -> None:
    with pytest.raises(ValueError):
        Settings(horizon=horizon)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"convention": "C"},
        {"discount_rate": -0.01},
        {"discount_rate": float("nan")},
        {"horizon": 6.0},
        {"horizon": True},
    ],
)
def test_invalid_settings(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        Settings(**kwargs)


def test_discount_factors() -> None:
    assert discount_factors(Settings(horizon=3, discount_rate=0.25)) == (1.0, 0.8, 0.64)
    assert discount_factors(Settings(horizon=2, discount_rate=0.25, convention="B")) == (0.8, 0.64)


# --------------------------------------------------------------------------- result measures


def test_zero_costs_per_krona_cannot_be_computed() -> None:
    m = compute([benefit("N", 100)]).undiscounted
    assert m.costs == 0
    assert m.per_krona is None and m.reading is None
    assert m.cost_shares == {"finansiell": None, "omfordelning": None}
    assert m.break_even_year == 1


def test_nothing_at_all() -> None:
    result = compute([])
    assert result.undiscounted.nettonytta == 0
    assert result.undiscounted.per_krona is None
    assert result.undiscounted.break_even_year is None
    assert result.undiscounted.benefit_shares == {"finansiell": None, "omfordelning": None}
    assert result.sensitivity == ()


def test_never_exceeding_is_none() -> None:
    m = compute([benefit("N", 10), cost("K", 20)]).undiscounted
    assert m.break_even_year is None
    assert m.nettonytta == -60
    assert m.per_krona == -0.5 and m.reading == "negative"


def test_exactly_equal_is_not_exceeding_even_with_float_noise() -> None:
    # 0.1 + 0.2 != 0.3 in binary floats; money-wise they are equal.
    items = [benefit("N1", 0.1), benefit("N2", 0.2), cost("K", 0.3)]
    m = compute(items, settings=Settings(horizon=3)).undiscounted
    assert m.break_even_year is None
    assert m.nettonytta == 0
    assert m.reading == "zero"


def test_break_even_later_year() -> None:
    # Costs 100 in year 1 then 10/yr; benefits 40/yr. Accumulated: 40/100, 80/110, 120/120, 160/130.
    items = [benefit("N", 40), cost("K1", 100, year_profile=one_off()), cost("K2", 10, year_profile=(0, 1))]
    result = compute(items, settings=Settings(horizon=4))
    assert result.undiscounted.accumulated_costs == (100, 110, 120, 130)
    assert result.undiscounted.break_even_year == 4


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (-0.01, "negative"),
        (0.0, "zero"),
        (0.0001, "small_margin"),
        (0.4999, "small_margin"),
        (0.5, "good"),
        (3.0, "good"),
        (None, None),
    ],
)
def test_reading_buckets(value: float | None, expected: str | None) -> None:
    assert reading(value) == expected


def test_good_reading() -> None:
    m = compute([benefit("N", 300), cost("K", 200)]).undiscounted
    assert m.per_krona == 0.5 and m.reading == "good"


def test_mixed_shares_and_category_breakdown() -> None:
    items = [
        benefit("F", 100, "finansiell"),
        benefit("O", 300, "omfordelning"),
        cost("KF", 50, "finansiell"),
        cost("KO", 150, "omfordelning"),
    ]
    m = compute(items, settings=Settings(horizon=2)).undiscounted
    assert m.benefit_shares == {"finansiell": 0.25, "omfordelning": 0.75}
    assert m.cost_shares == {"finansiell": 0.25, "omfordelning": 0.75}
    assert m.by_category == {
        "benefit": {"finansiell": 200, "omfordelning": 600},
        "cost": {"finansiell": 100, "omfordelning": 300},
    }


def test_breakdown_by_perspective() -> None:
    items = [
        benefit("N1", 100, perspective="Solstad kommun"),
        benefit("N2", 50, "finansiell", perspective="Invånare i Solstad"),
        benefit("N3", 25, perspective="Solstad kommun"),
        cost("K1", 30, perspective="Solstad kommun"),
        cost("K2", 10, perspective=""),
        Item("Q", "benefit", "Tryggare", "kvalitet", perspective="Närstående", valued_in_money=False, size_score=3),
    ]
    m = compute(items, settings=Settings(horizon=2)).undiscounted
    assert m.by_perspective == {
        "benefit": {"Solstad kommun": 250, "Invånare i Solstad": 100},
        "cost": {"Solstad kommun": 60, "": 20},
    }


def test_scenario_selects_main_figures() -> None:
    items = [benefit("N", Estimate(80, 100, 130)), cost("K", Estimate(50, 60, 90))]
    low = compute(items, scenario="low", settings=Settings(horizon=1))
    high = compute(items, scenario="high", settings=Settings(horizon=1))
    assert (low.undiscounted.benefits, low.undiscounted.costs) == (80, 50)
    assert (high.undiscounted.benefits, high.undiscounted.costs) == (130, 90)
    assert low.uncertainty["high"].undiscounted.nettonytta == 40
    with pytest.raises(ValueError):
        compute(items, scenario="worst")  # type: ignore[arg-type]


def test_missing_low_high_fall_back_to_likely() -> None:
    result = compute([benefit("N", Estimate(None, 100, 150))], settings=Settings(horizon=1))
    assert result.uncertainty["low"].undiscounted.benefits == 100
    assert result.uncertainty["high"].undiscounted.benefits == 150


def test_uncertainty_discounted_and_break_even() -> None:
    result = compute(method_fixture(Estimate(24_000, 30_000, 36_000)))
    low, high = result.uncertainty["low"], result.uncertainty["high"]
    # Accumulated costs are 100 000 + 5 000·t. Low: 24 000·t exceeds them first at t = 6
    # (120 000 vs 125 000 at t = 5, 144 000 vs 130 000 at t = 6); high: 36 000·t at t = 4.
    assert low.undiscounted.break_even_year == 6
    assert high.undiscounted.break_even_year == 4
    # 24 000 × Σ 1.03^−(t−1), t = 1..6 (= 5.5797072) − 127 898.54
    assert r2(low.discounted.nettonytta) == 6_014.44


# --------------------------------------------------------------------------- Omfördelning in hours


def hours_item(id: str = "N", kind: str = "benefit", profile: tuple = (), **block_kw) -> Item:
    block = Block(
        rows=(Row("antal", likely=1_200, low=600, high=1_800), Row("minuter", likely=10)),
        formula="antal * minuter / 60 * timkostnad",
        hours_formula=block_kw.pop("hours_formula", "antal * minuter / 60"),
    )
    return Item(id, kind, id, block_kw.pop("category", "omfordelning"), block=block, year_profile=profile)


def test_omfordelning_hours_and_arsarbetare() -> None:
    items = [
        hours_item("N", profile=(0.5, 1)),  # 200 h/yr at full effect
        Item(
            "K",
            "cost",
            "Utbildning",
            "omfordelning",
            year_profile=one_off(),
            block=Block(
                rows=(Row("deltagare", likely=17), Row("timmar", likely=2)),
                formula="deltagare * timmar * timkostnad",
                hours_formula="deltagare * timmar",
            ),
        ),
        hours_item("F", category="finansiell"),  # hours of a Finansiell item are not Omfördelning
        benefit("O", 1_000),  # Omfördelning without hours
    ]
    result = compute(items, {"timkostnad": 453}, Settings(horizon=3))
    h = result.omfordelning
    assert h.benefit_hours_by_year == (100, 200, 200)
    assert h.benefit_hours == 500
    assert h.benefit_arsarbetare == pytest.approx(500 / 1_700)
    assert h.benefit_arsarbetare_by_year[1] == pytest.approx(200 / 1_700)
    assert h.cost_hours_by_year == (34, 0, 0)
    assert h.cost_arsarbetare == pytest.approx(0.02)
    assert h.missing_hours == ("O",)
    assert result.items[0].hours_per_year == 200 and result.items[0].hours_total == 500
    assert result.items[0].yearly_value == pytest.approx(200 * 453)
    assert result.items[2].hours_per_year is None


def test_hours_follow_the_scenario() -> None:
    result = compute([hours_item()], {"timkostnad": 453}, Settings(horizon=1), scenario="low")
    assert result.omfordelning.benefit_hours == 100


def test_hours_formula_error_does_not_touch_value() -> None:
    result = compute([hours_item(hours_formula="antal * okand")], {"timkostnad": 453}, Settings(horizon=1))
    assert result.items[0].yearly_value == pytest.approx(200 * 453)
    assert result.items[0].error is None
    [error] = result.errors
    assert (error.field, error.code, error.names) == ("hours", "unknown_name", ("okand",))


def test_arsarbetare_and_hourly_cost_helpers() -> None:
    assert HOURS_PER_YEAR == 1_700
    assert arsarbetare(850) == 0.5
    assert round(hourly_cost(32_000), 2) == 347.04  # 32 000 / 142 × 1.54
    assert hourly_cost(142) == pytest.approx(1.54)


# --------------------------------------------------------------------------- items not valued in money


def test_items_not_valued_in_money_are_listed_not_counted() -> None:
    items = [
        *method_fixture(),
        Item("Q1", "benefit", "Ökad trygghet", "kvalitet", "Invånare", valued_in_money=False, size_score=3),
        Item("M1", "cost", "Mer elförbrukning", "miljo", valued_in_money=False, size_score=1),
        Item(
            "O2",
            "benefit",
            "Ej värderad tid",
            "omfordelning",
            valued_in_money=False,
            block=Block((Row("x", likely=1e9),), "x"),
        ),
        Item("Q2", "benefit", "Ej bedömd", "kvalitet", valued_in_money=False),
    ]
    result = compute(items)
    assert result.undiscounted.nettonytta == 50_000
    assert [i.id for i in result.items] == ["N1", "K1", "K2"]
    assert [(n.id, n.size_score) for n in result.not_valued] == [("Q1", 3), ("M1", 1), ("O2", None), ("Q2", None)]
    assert result.not_valued[0].perspective == "Invånare"


@pytest.mark.parametrize("category", ["kvalitet", "miljo"])
def test_quality_and_environment_cannot_be_valued_in_money(category: str) -> None:
    with pytest.raises(ValueError, match="Finansiell and Omfördelning"):
        Item("Q", "benefit", "Kvalitet", category, valued_in_money=True, direct=Estimate.fixed(1))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "gain"},
        {"category": "Finansiell"},
        {"size_score": 4},
        {"year_profile": (1, -1)},
        {"year_profile": (float("nan"),)},
        {"block": Block((), "1")},
    ],
)
def test_structural_mistakes_raise(kwargs: dict) -> None:
    base = {"id": "X", "kind": "benefit", "title": "X", "category": "finansiell", "direct": Estimate.fixed(1)}
    with pytest.raises(ValueError):
        Item(**{**base, **kwargs})


def test_duplicate_item_ids_raise() -> None:
    with pytest.raises(ValueError):
        compute([benefit("N", 1), cost("N", 1)])


# --------------------------------------------------------------------------- per-item errors


def block_item(id: str, formula: str, rows: tuple = (), kind: str = "benefit") -> Item:
    return Item(id, kind, id, "finansiell", block=Block(rows, formula))


@pytest.mark.parametrize(
    ("formula", "rows", "code", "names"),
    [
        ("antal * pris", (Row("antal", likely=2),), "unknown_name", ("pris",)),
        ("antal *", (Row("antal", likely=2),), "syntax", ()),
        ("antal ** 2", (Row("antal", likely=2),), "not_allowed", ()),
        ("antal / noll", (Row("antal", likely=2), Row("noll", likely=0)), "division_by_zero", ()),
        ("antal * pris", (Row("antal", likely=2), Row("pris")), "missing_value", ("pris",)),
        ("antal", (Row("antal", likely=float("inf")),), "missing_value", ("antal",)),
        ("antal", (Row("antal", likely=1), Row("antal", likely=2)), "duplicate_row", ("antal",)),
        ("1", (Row("två ord", likely=1),), "bad_row_name", ("två ord",)),
    ],
)
def test_block_error_counts_as_zero_and_is_listed(formula: str, rows: tuple, code: str, names: tuple) -> None:
    items = [benefit("OK", 1_000, "finansiell"), block_item("BAD", formula, rows), cost("K", 100)]
    result = compute(items, settings=Settings(horizon=2))
    assert result.undiscounted.benefits == 2_000  # BAD counted as 0
    assert result.undiscounted.nettonytta == 1_800
    bad = result.items[1]
    assert (bad.yearly_value, bad.error) == (0, code)
    assert any(e.item_id == "BAD" and e.code == code and e.names == names for e in result.errors)
    assert all(e.item_id == "BAD" for e in result.errors)


@pytest.mark.parametrize(
    ("item", "profile"),
    [
        (block_item("BIG", "a * a", (Row("a", likely=1e200),)), (1.0,)),  # overflows to inf
        (block_item("BIG", "a * 10", (Row("a", likely=1e308),)), (1.0,)),  # 1e308 * 10
        (block_item("BIG", "a * b", (Row("a", likely=1e200), Row("b", likely=1e105))), (100.0,)),  # 1e305 * 3 000
        (benefit("BIG", 1e305, "finansiell"), (100.0,)),
    ],
)
def test_an_item_too_large_for_the_calculation_is_an_error_naming_it(item: Item, profile: tuple) -> None:
    """Finite or not, a yearly value that would make a total inf counts as 0, with the item named."""
    item = Item(
        item.id, item.kind, item.title, item.category, block=item.block, direct=item.direct, year_profile=profile
    )
    result = compute([benefit("OK", 1_000, "finansiell"), item, cost("K", 100)], settings=Settings(horizon=30))
    assert [(e.item_id, e.code) for e in result.errors if e.scenario in (None, "likely")] == [("BIG", "not_finite")]
    assert result.undiscounted.benefits == 30_000
    assert result.items[1].yearly_value == 0
    json.dumps(result.to_dict(), allow_nan=False)  # no figure anywhere is inf or NaN


def test_a_ratio_too_large_for_a_float_cannot_be_computed() -> None:
    result = compute([benefit("N", 1e300, "finansiell"), cost("K", 1e-300)], settings=Settings(horizon=1))
    assert result.undiscounted.per_krona is None  # 1e300 / 1e-300 overflows
    assert result.undiscounted.benefit_shares["finansiell"] == 1.0


def test_error_in_one_scenario_only() -> None:
    rows = (Row("a", likely=10), Row("b", low=0, likely=2, high=5))
    result = compute([block_item("N", "a / b", rows)], settings=Settings(horizon=1))
    assert result.undiscounted.benefits == 5
    assert result.items[0].error is None
    assert [(e.code, e.scenario) for e in result.errors] == [("division_by_zero", "low")]
    assert result.uncertainty["low"].undiscounted.benefits == 0
    assert result.uncertainty["high"].undiscounted.benefits == 2


def test_direct_item_without_value_is_an_error() -> None:
    items = [Item("N", "benefit", "N", "finansiell"), benefit("M", Estimate(low=1, likely=None, high=2), "finansiell")]
    result = compute(items)
    assert [(e.item_id, e.code) for e in result.errors] == [("N", "missing_value"), ("M", "missing_value")]
    assert result.undiscounted.benefits == 0


def test_missing_shared_factor_value() -> None:
    result = compute([block_item("N", "2 * tim", ())], {"tim": Estimate(None, None, None)})
    assert [(e.code, e.names) for e in result.errors] == [("missing_value", ("tim",))]


def test_rows_shadow_shared_factors() -> None:
    item = block_item("N", "timkostnad * 2", (Row("timkostnad", likely=500),))
    result = compute([item], {"timkostnad": 453}, Settings(horizon=1))
    assert result.undiscounted.benefits == 1_000


def test_invalid_factor_id_raises() -> None:
    with pytest.raises(ValueError):
        compute([], {"not valid": 1})


# --------------------------------------------------------------------------- sensitivity (tornado)


def test_sensitivity_one_at_a_time_sorted_by_swing() -> None:
    n = Item(
        "N",
        "benefit",
        "Tid",
        "omfordelning",
        block=Block(
            rows=(
                Row("antal", "Ärenden", "st", low=300, likely=400, high=600),
                Row("minuter", "Minuter", "min", low=10, likely=10, high=10),
            ),
            formula="antal * minuter / 60 * tim",
        ),
    )
    k = cost("K", Estimate(4_000, 5_000, 5_500), title="Drift")
    result = compute([n, k], {"tim": Estimate(400, 450, 500)}, Settings(horizon=2))
    # Likely: benefits 2 × 30 000, costs 2 × 5 000 → 50 000.
    assert result.undiscounted.nettonytta == pytest.approx(50_000)
    rows = [(e.source, e.item_id, e.name) for e in result.sensitivity]
    assert rows == [("row", "N", "antal"), ("factor", None, "tim"), ("direct", "K", "K")]
    antal, tim, drift = result.sensitivity
    assert (antal.nettonytta_low, antal.nettonytta_high) == pytest.approx((35_000, 80_000))
    assert antal.swing == pytest.approx(45_000)
    assert (antal.low, antal.likely, antal.high, antal.label) == (300, 400, 600, "Ärenden")
    assert (tim.nettonytta_low, tim.nettonytta_high) == pytest.approx((43_333.33, 56_666.67), abs=0.01)
    assert (drift.nettonytta_low, drift.nettonytta_high) == pytest.approx((52_000, 49_000))  # lower cost → higher net
    assert drift.swing == pytest.approx(3_000)


def test_sensitivity_discounted_values() -> None:
    result = compute([cost("K", Estimate(4_000, 5_000, 5_500))], settings=Settings(horizon=2, discount_rate=0.25))
    [entry] = result.sensitivity
    # Likely discounted costs: 5 000 + 5 000 × 0.8 = 9 000 → net −9 000; low: −7 200; high: −9 900.
    assert entry.discounted_nettonytta_low == pytest.approx(-7_200)
    assert entry.discounted_nettonytta_high == pytest.approx(-9_900)


def test_shared_factor_moves_every_item_that_uses_it() -> None:
    items = [
        block_item("A", "10 * tim", ()),
        block_item("B", "5 * tim", ()),
        block_item("C", "tim * 2", (Row("tim", likely=1),)),
    ]  # C shadows the factor
    result = compute(items, {"tim": Estimate(1, 2, 4)}, Settings(horizon=1))
    [entry] = result.sensitivity
    assert (entry.nettonytta_low, entry.nettonytta_high) == (15 + 2, 60 + 2)


def test_sensitivity_skips_fixed_unused_and_broken_inputs() -> None:
    items = [
        block_item("A", "x", (Row("x", likely=1), Row("unused", low=0, likely=1, high=9))),
        block_item("B", "y * nope", (Row("y", low=1, likely=2, high=3),)),
    ]
    result = compute(items, {"tim": Estimate(1, 2, 3)})
    assert result.sensitivity == ()


def test_sensitivity_error_at_an_extreme_is_flagged() -> None:
    rows = (Row("a", likely=10), Row("b", low=0, likely=2, high=5))
    [entry] = compute([block_item("N", "a / b", rows)], settings=Settings(horizon=1)).sensitivity
    assert entry.error == "division_by_zero"
    assert (entry.nettonytta_low, entry.nettonytta_high) == (0, 2)


def test_sensitivity_can_be_skipped() -> None:
    assert compute(method_fixture(Estimate(1, 2, 3)), sensitivity=False).sensitivity is None


# --------------------------------------------------------------------------- serialisation and library


def test_to_dict_is_json_ready() -> None:
    result = compute(
        [
            *method_fixture(Estimate(24_000, 30_000, 36_000)),
            Item("Q", "benefit", "Q", "kvalitet", valued_in_money=False, size_score=2),
        ]
    )
    assert isinstance(result, Result)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["undiscounted"]["nettonytta"] == 50_000
    assert data["undiscounted"]["break_even_year"] == 5
    assert data["uncertainty"]["low"]["undiscounted"]["nettonytta"] == 14_000
    assert data["settings"] == {"horizon": 6, "discount_rate": 0.03, "convention": "A"}
    assert data["not_valued"][0]["size_score"] == 2
    assert data["sensitivity"][0]["name"] == "N1"
    assert len(data["items"][0]["by_year"]) == 6


def test_to_dict_keeps_none_for_kan_inte_beraknas() -> None:
    data = compute([benefit("N", 1)]).to_dict()
    assert data["undiscounted"]["per_krona"] is None
    assert data["discounted"]["reading"] is None


def test_factor_library() -> None:
    library = {f.id: f for f in load_factors()}
    assert len(library) == 13
    assert library["sjukskoterska"].value == 453
    assert library["specialistlakare"].value == 1_035
    assert library["invanare_fritid"].value == 101
    assert library["bensin_per_mil"].value == 12.2
    assert library["el_per_mil"].unit == "kr/mil"
    assert library["underskoterska_hemtjanst"].label == "Undersköterska, hemtjänst"
    assert library["vardbitrade"].year == 2024
    assert all(f.source for f in library.values())


def test_factor_library_values_work_in_formulas() -> None:
    item = block_item("N", "mil * bensin_per_mil", (Row("mil", likely=100),))
    result = compute([item], factor_values(), Settings(horizon=1))
    assert result.undiscounted.benefits == pytest.approx(1_220)


def test_hours_series_have_horizon_length_without_items() -> None:
    h = compute([], settings=Settings(horizon=4)).omfordelning
    assert h.benefit_hours_by_year == (0, 0, 0, 0)
    assert h.cost_arsarbetare == 0


def test_tornado_shortcut_matches_full_recomputation() -> None:
    """Each tornado figure equals compute() with only that input moved (others likely)."""
    from dataclasses import replace

    blocks = [
        Item(
            "A",
            "benefit",
            "A",
            "omfordelning",
            year_profile=(0.5, 1),
            block=Block(
                (Row("n", low=80, likely=100, high=150), Row("m", low=5, likely=6, high=9)), "n * m / 60 * tim"
            ),
        ),
        Item(
            "B",
            "cost",
            "B",
            "finansiell",
            year_profile=one_off(2),
            block=Block((Row("p", low=900, likely=1_000, high=1_400),), "p * 12 + tim"),
        ),
        cost("C", Estimate(300, 400, 700)),
    ]
    factors = {"tim": Estimate(400, 453, 520)}
    settings = Settings(horizon=5, discount_rate=0.04, convention="B")
    result = compute(blocks, factors, settings)
    assert len(result.sensitivity) == 5

    def moved(entry, side: str) -> Result:
        if entry.source == "factor":
            est = factors[entry.name]
            return compute(blocks, {entry.name: Estimate.fixed(est.pick(side))}, settings, sensitivity=False)
        items = []
        for item in blocks:
            if item.id == entry.item_id and entry.source == "direct":
                item = replace(item, direct=Estimate.fixed(item.direct.pick(side)))
            elif item.id == entry.item_id:
                rows = tuple(
                    replace(r, low=None, high=None, likely=r.estimate.pick(side)) if r.name == entry.name else r
                    for r in item.block.rows
                )
                item = replace(item, block=replace(item.block, rows=rows))
            items.append(item)
        return compute(items, factors, settings, sensitivity=False)

    for entry in result.sensitivity:
        low, high = moved(entry, "low"), moved(entry, "high")
        assert entry.nettonytta_low == pytest.approx(low.undiscounted.nettonytta)
        assert entry.nettonytta_high == pytest.approx(high.undiscounted.nettonytta)
        assert entry.discounted_nettonytta_low == pytest.approx(low.discounted.nettonytta)
        assert entry.discounted_nettonytta_high == pytest.approx(high.discounted.nettonytta)
