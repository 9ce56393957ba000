"""From the stored draft to the pure engine (``workshop.calculation.engine``) and back."""

from __future__ import annotations

from typing import Literal, cast

from ..calculation import engine
from .models import BENEFIT_TYPES, COST_TYPES, MONEY_CATEGORIES, Analysis, Node
from .vocabulary import CATEGORIES


def settings_of(analysis: Analysis) -> engine.Settings:
    return engine.Settings(
        horizon=analysis.horizon,
        discount_rate=analysis.discount_rate,
        convention=cast(Literal["A", "B"], analysis.convention),
    )


def counted_nodes(analysis: Analysis) -> list[Node]:
    """Benefits and costs that take part in the result (visible, sorted into a category)."""
    return [
        n for n in analysis.nodes if n.status == "visible" and n.node_type in BENEFIT_TYPES + COST_TYPES and n.category
    ]


def engine_item(node: Node) -> engine.Item:
    money = node.valuation == "money" and node.category in MONEY_CATEGORIES
    block = None
    direct = None
    if money:
        if node.block is not None and (node.block.formula or "").strip():
            block = engine.Block(
                rows=tuple(
                    engine.Row(
                        name=r.name,
                        label=r.label,
                        unit=r.unit,
                        low=r.low,
                        likely=r.likely,
                        high=r.high,
                        source=r.source,
                    )
                    for r in node.block.rows
                ),
                formula=node.block.formula,
                hours_formula=(node.block.hours_formula or None),
            )
        else:
            d = node.direct_value or {}
            direct = engine.Estimate(d.get("low"), d.get("likely"), d.get("high"))
    if node.category is None:  # the same refusal engine.Item gives an unknown category
        raise ValueError(f"item {str(node.id)!r}: category must be one of {CATEGORIES}")
    return engine.Item(
        id=str(node.id),
        kind="benefit" if node.node_type in BENEFIT_TYPES else "cost",
        title=node.title,
        category=node.category,
        perspective=node.perspective or "",
        valued_in_money=money,
        size_score=node.size_score if not money else None,
        block=block,
        direct=direct,
        year_profile=tuple(node.year_profile or ()),
    )


def factor_values(analysis: Analysis) -> dict[str, engine.Estimate]:
    return {f.name: engine.Estimate(f.low, f.likely, f.high) for f in analysis.factors}


def compute(analysis: Analysis, sensitivity: bool = True) -> engine.Result:
    items = [engine_item(n) for n in counted_nodes(analysis)]
    return engine.compute(items, factor_values(analysis), settings_of(analysis), sensitivity=sensitivity)
