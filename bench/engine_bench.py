"""Bench the nyttokalkyl engine: 100 blocks × 6 rows over 25 years.

Not a test: prints timings so regressions are visible. Run with
``.venv/bin/python bench/engine_bench.py``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from workshop.calculation import formula
from workshop.calculation.engine import Block, Estimate, Item, Row, Settings, compute, one_off

BLOCKS = 100
HORIZON = 25


def build_items(blocks: int = BLOCKS) -> tuple[list[Item], dict[str, Estimate]]:
    """Half benefits, half costs, mixed profiles, a distinct formula text per block, four shared factors."""
    factors = {
        "timkostnad": Estimate(400, 453, 500),
        "timkostnad_usk": Estimate(330, 359, 390),
        "bensin_per_mil": Estimate(11, 12.2, 14),
        "overhead": Estimate.fixed(1.0),
    }
    formulas = [
        "antal * (min_A - min_B) / 60 * timkostnad * overhead",
        "personer * tillfallen * delta / 60 * timkostnad_usk + round(extra, 0)",
        "max(0, pris_A - pris_B) * antal + min(extra, delta) * bensin_per_mil",
    ]
    items = []
    for i in range(blocks):
        k = i + 1
        rows = tuple(
            Row(name, name, "st", low=v * 0.8, likely=v, high=v * 1.25, source="bench")
            for name, v in _row_values(formulas[i % 3], k)
        )
        profile = one_off() if i % 10 == 9 else (0.5, 1) if i % 2 else ()
        items.append(
            Item(
                id=f"item{k}",
                kind="benefit" if i % 2 == 0 else "cost",
                title=f"Post {k}",
                category="omfordelning" if i % 3 else "finansiell",
                perspective=f"P{i % 5}",
                block=Block(
                    rows,
                    f"({formulas[i % 3]}) * {1 + i % 7}",
                    hours_formula="antal * 2" if "antal" in formulas[i % 3] else None,
                ),
                year_profile=profile,
            )
        )
    return items, factors


def _row_values(text: str, k: int) -> list[tuple[str, float]]:
    names = sorted(formula.parse(text).names - {"timkostnad", "timkostnad_usk", "bensin_per_mil", "overhead"})
    names += [f"unused{j}" for j in range(6 - len(names))]  # pad to six rows per block
    return [(name, 10.0 + k + 3 * j) for j, name in enumerate(names[:6])]


def timed(fn: Callable[[], object], repeat: int = 30) -> tuple[float, float]:
    """(best, median) in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return min(samples), statistics.median(samples)


def main() -> None:
    items, factors = build_items()
    settings = Settings(horizon=HORIZON)

    def cold() -> object:
        formula._parse_cached.cache_clear()
        return compute(items, factors, settings, sensitivity=True)

    cases = {
        "without tornado (3 scenarios, both series)": lambda: compute(items, factors, settings, sensitivity=False),
        "with tornado": lambda: compute(items, factors, settings, sensitivity=True),
        "with tornado, formulas re-parsed (cold cache)": cold,
        "with tornado + to_dict()": lambda: compute(items, factors, settings).to_dict(),
    }
    result = compute(items, factors, settings)
    print(
        f"{BLOCKS} blocks x 6 rows, H={HORIZON}; {len(result.sensitivity or ())} tornado inputs, "
        f"{len(result.errors)} errors, nettonytta {result.undiscounted.nettonytta:,.0f} kr"
    )
    for label, fn in cases.items():
        best, median = timed(fn)
        print(f"  {label:48s} best {best:7.2f} ms   median {median:7.2f} ms")


if __name__ == "__main__":
    main()
