"""Follow-up on the decided estimate: realised values where measured, the estimate elsewhere.

The fixture is method.md's (H = 6, r = 3 %, convention A): N1 Omfördelning 30 000 kr/year,
K1 Finansiell one-off 100 000 in year 1, K2 Finansiell 5 000 kr/year. N1 realised at 24 000 in
years 1 and 2, by hand:
  undiscounted benefits 2 × 24 000 + 4 × 30 000 = 168 000; costs 130 000; nettonytta 38 000;
  per krona 38 000 / 130 000 = 0.2923; accumulated benefits 24 000, 48 000, 78 000, 108 000,
  138 000 against costs 105 000, 110 000, 115 000, 120 000, 125 000 → year 5.
  discounted (A): 24 000 × (1 + 1/1.03) + 30 000 × (1/1.03² + … + 1/1.03⁵) = 155 565.97;
  costs 127 898.54; nettonytta 27 667.44.
"""

from __future__ import annotations

import pytest

from workshop.calculation import engine
from workshop.calculation.outcome import Realised, compare, frozen_inputs, inputs_from_frozen

SETTINGS = engine.Settings(horizon=6, discount_rate=0.03, convention="A")
N1 = engine.Item("N1", "benefit", "Frigjord tid", "omfordelning", direct=engine.Estimate(24_000, 30_000, 36_000))
K1 = engine.Item("K1", "cost", "Inköp", "finansiell", direct=engine.Estimate.fixed(100_000), year_profile=(1, 0))
K2 = engine.Item("K2", "cost", "Drift", "finansiell", direct=engine.Estimate.fixed(5_000))
Q1 = engine.Item("Q1", "benefit", "Tryggare brukare", "kvalitet", valued_in_money=False, size_score=2)
ITEMS = [N1, K1, K2, Q1]


def test_n1_realised_at_24000_in_years_1_and_2():
    cmp = compare(ITEMS, {}, SETTINGS, [Realised("N1", 1, 24_000), Realised("N1", 2, 24_000)])
    out = cmp.outcome["undiscounted"]
    assert out.benefits == pytest.approx(168_000)
    assert out.costs == pytest.approx(130_000)
    assert out.nettonytta == pytest.approx(38_000)
    assert out.per_krona == pytest.approx(0.2923, abs=1e-4)
    assert out.accumulated_benefits[:5] == pytest.approx((24_000, 48_000, 78_000, 108_000, 138_000))
    assert out.break_even_year == 5
    disc = cmp.outcome["discounted"]
    assert disc.benefits == pytest.approx(155_565.97, abs=0.01)
    assert disc.costs == pytest.approx(127_898.54, abs=0.01)
    assert disc.nettonytta == pytest.approx(27_667.44, abs=0.01)
    # The estimate is untouched: method.md's own figures.
    assert cmp.estimate["undiscounted"].nettonytta == pytest.approx(50_000)
    assert cmp.estimate["discounted"].benefits == pytest.approx(167_391.22, abs=0.01)
    assert cmp.estimate["undiscounted"].break_even_year == 5
    n1 = next(i for i in cmp.items if i.id == "N1")
    assert n1.realised_years == (1, 2)
    assert n1.estimate_to_date == pytest.approx(60_000)
    assert n1.outcome_to_date == pytest.approx(48_000)
    assert n1.behind_plan  # 20 % below the estimate to date
    assert cmp.to_year == 2
    assert cmp.by_category["benefit"]["omfordelning"] == pytest.approx({"estimate": 60_000, "outcome": 48_000})
    # Not valued in money: not in the money comparison.
    assert "Q1" not in {i.id for i in cmp.items}


def test_within_the_tolerance_is_not_behind_and_a_cost_above_plan_is():
    cmp = compare(ITEMS, {}, SETTINGS, [Realised("N1", 1, 28_000), Realised("K2", 1, 6_000)])
    flags = {i.id: i.behind_plan for i in cmp.items}
    assert flags == {"N1": False, "K1": False, "K2": True}


def test_the_latest_measurement_of_a_year_counts():
    cmp = compare(ITEMS, {}, SETTINGS, [Realised("N1", 1, 10_000), Realised("N1", 1, 24_000)])
    assert cmp.items[0].outcome_by_year[0] == 24_000


def test_realised_rows_recompute_the_block_with_the_year_profile():
    block = engine.Block(
        rows=(
            engine.Row("antal", "Nyckelöverlämningar per dag", likely=20),
            engine.Row("minuter", "Minuter per överlämning", likely=6),
        ),
        formula="antal * 365 * minuter / 60 * timkostnad",
    )
    n = engine.Item("N", "benefit", "Färre nyckelöverlämningar", "omfordelning", block=block, year_profile=(0.5, 1))
    cmp = compare([n], {"timkostnad": 359}, SETTINGS, [Realised("N", 1, rows={"antal": 18})])
    est_year_1 = 20 * 365 * 6 / 60 * 359 * 0.5
    assert cmp.items[0].estimate_by_year[0] == pytest.approx(est_year_1)
    assert cmp.items[0].outcome_by_year[0] == pytest.approx(est_year_1 * 18 / 20)
    assert cmp.items[0].outcome_by_year[1] == pytest.approx(20 * 365 * 6 / 60 * 359)


@pytest.mark.parametrize(
    "bad,why",
    [
        (Realised("X", 1, 1.0), "no item"),
        (Realised("N1", 0, 1.0), "year"),
        (Realised("N1", 7, 1.0), "year"),
        (Realised("N1", 1, float("nan")), "finite"),
        (Realised("N1", 1), "finite"),
        (Realised("Q1", 1, 5.0), "size"),
        (Realised("N1", 1, rows={"antal": 1}), "no calculation rows"),
    ],
)
def test_a_measurement_that_does_not_fit_the_version_is_refused(bad, why):
    with pytest.raises(ValueError, match=why):
        compare(ITEMS, {}, SETTINGS, [bad])


def test_frozen_inputs_round_trip_to_the_same_result():
    doc = frozen_inputs(ITEMS, {"timkostnad": engine.Estimate(300, 359, 400)}, SETTINGS)
    items, factors, settings = inputs_from_frozen(doc)
    assert items == ITEMS and settings == SETTINGS and factors["timkostnad"].likely == 359
