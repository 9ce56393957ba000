"""Spread statistics of step 7: median and quartiles by the inclusive method (Excel QUARTILE.INC),
checked against values computed by hand."""

import math

import pytest

from workshop.draft.spread import median, quantile, quartiles, spread, suggest


def test_median_of_odd_and_even_counts():
    assert median([3, 1, 2]) == 2
    assert median([4, 1, 3, 2]) == 2.5
    assert median([400]) == 400


def test_quartiles_interpolate_inclusively_like_excel_quartile_inc():
    # n = 6: h = 5·0.25 = 1.25 → 15 + 0.25·(36 − 15) = 20.25; h = 3.75 → 39 + 0.75·(40 − 39) = 39.75.
    assert quartiles([41, 7, 39, 15, 40, 36]) == (20.25, 37.5, 39.75)
    # n = 4: h = 0.75 → 1 + 0.75 = 1.75; h = 2.25 → 3 + 0.25 = 3.25.
    assert quartiles([1, 2, 3, 4]) == (1.75, 2.5, 3.25)
    # n = 5: positions fall on values exactly.
    assert quartiles([10, 20, 30, 40, 50]) == (20, 30, 40)


def test_quartiles_not_exclusive_method():
    # The exclusive method (QUARTILE.EXC) would give Q1 = 1.25 and Q3 = 3.75 here.
    q1, _m, q3 = quartiles([1, 2, 3, 4])
    assert (q1, q3) != (1.25, 3.75)


def test_single_value_and_negative_values():
    assert quartiles([400]) == (400, 400, 400)
    # Δ values can be negative: −30, −10, 0, 20 → Q1 = −30 + 0.75·20 = −15, Q3 = 0 + 0.25·20 = 5.
    assert quartiles([0, -30, 20, -10]) == (-15, -5, 5)


def test_quantile_ends_are_min_and_max():
    xs = [5, 1, 9, 3]
    assert quantile(xs, 0) == 1 and quantile(xs, 1) == 9
    with pytest.raises(ValueError):
        quantile(xs, 1.5)


def test_spread_summary():
    s = spread([300, 400, 400, 500, 1200])
    assert (s.n, s.min, s.q1, s.median, s.q3, s.max) == (5, 300, 400, 400, 500, 1200)
    assert s.mean == 560
    assert spread([]) is None


def test_bad_values_are_refused():
    with pytest.raises(ValueError):
        spread([1, math.nan])
    with pytest.raises(ValueError):
        spread([1, math.inf])
    with pytest.raises(ValueError):
        median([])
    with pytest.raises(ValueError):
        spread([True, 2])


def test_suggestions():
    xs = [300, 400, 400, 500, 1200]
    q = suggest(xs)
    assert (q.low, q.likely, q.high, q.method, q.n) == (400, 400, 500, "quartiles", 5)
    r = suggest(xs, "range")
    assert (r.low, r.likely, r.high) == (300, 400, 1200)
    assert suggest([]) is None
    with pytest.raises(ValueError):
        suggest(xs, "mean")
