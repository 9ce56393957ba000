"""Spread statistics of step 7: median and quartiles by the inclusive method (Excel QUARTILE.INC),
checked against values computed by hand."""

import math

import pytest

from workshop.draft.spread import iqr, median, narrowing, quantile, quartiles, spread, suggest, suggest_three_point


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


# --- three-point estimates: the proposal and how round 2 narrowed the spread --------------------


def test_three_point_proposal_is_the_median_of_each_figure():
    s = suggest_three_point([(300, 400, 600), (350, 500, 700), (100, 420, 900)])
    assert (s.low, s.likely, s.high, s.n, s.method) == (300, 420, 700, 3, "three_point")
    r = suggest_three_point([(300, 400, 600), (350, 500, 700), (100, 420, 900)], "range")
    assert (r.low, r.likely, r.high, r.method) == (100, 420, 900, "three_point_range")


def test_three_point_proposal_even_count_ties_one_answer_and_none():
    # Even count: medians interpolate; 387,5 is (375 + 400) / 2.
    s = suggest_three_point([(375, 400, 450), (400, 425, 425), (350, 400, 500), (400, 450, 450)])
    assert (s.low, s.likely, s.high) == (387.5, 412.5, 450)
    # Ties everywhere: the figure itself.
    t = suggest_three_point([(5, 5, 5)] * 4)
    assert (t.low, t.likely, t.high, t.n) == (5, 5, 5, 4)
    one = suggest_three_point([(1.5, 2, 3.25)])
    assert (one.low, one.likely, one.high, one.n) == (1.5, 2, 3.25, 1)
    assert suggest_three_point([]) is None
    assert suggest_three_point([], "range") is None


def test_three_point_proposal_keeps_the_order_and_refuses_an_answer_out_of_order():
    import random

    rnd = random.Random(7)
    for _ in range(200):
        answers = []
        for _i in range(rnd.randint(1, 9)):
            a, b, c = sorted(rnd.uniform(-1e6, 1e6) for _j in range(3))
            answers.append((a, b, c))
        for method in ("quartiles", "range"):
            s = suggest_three_point(answers, method)
            assert s.low <= s.likely <= s.high
    with pytest.raises(ValueError):
        suggest_three_point([(5, 4, 6)])
    with pytest.raises(ValueError):
        suggest_three_point([(1, 2, 3)], "mean")


def test_narrowing_of_the_interquartile_range():
    # Round 1: 100, 200, 300, 400, 500 → Q1 200, Q3 400, IQR 200. Round 2: 280…320 → IQR 20.
    n = narrowing([100, 200, 300, 400, 500], [280, 290, 300, 310, 320])
    assert (n.before, n.after, n.n_before, n.n_after) == (200, 20, 5, 5)
    assert n.change == pytest.approx(-0.9)
    # Wider in round 2: a positive change.
    assert narrowing([1, 2, 3], [0, 2, 4]).change == pytest.approx(1.0)
    # Round 1 all alike (ties): no ratio to give, the figures still are.
    tied = narrowing([400, 400, 400], [350, 400, 450])
    assert (tied.before, tied.after, tied.change) == (0, 50, None)
    # One answer in a round: an IQR of 0.
    assert narrowing([400], [380]).as_dict() == {"before": 0, "after": 0, "change": None, "n_before": 1, "n_after": 1}
    # No answers in either round: nothing to compare.
    assert narrowing([], [1, 2]) is None and narrowing([1, 2], []) is None
    assert iqr([]) is None and iqr([7]) == 0 and iqr([1, 2, 3, 4]) == 1.5
