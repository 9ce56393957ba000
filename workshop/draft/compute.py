"""From the stored draft to the pure engine (``workshop.calculation.engine``) and back."""

from __future__ import annotations

from typing import Any, Literal, cast

from flask_babel import gettext, lazy_gettext

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


# --- the engine's problems in words -----------------------------------------------------------
# The engine reports a problem as a code with the names involved (``engine.ItemError``); people
# read it as a sentence in their language that names the item. The same phrases serve the
# calculation step's console (``activities.calculate``), so a code reads the same everywhere.

PROBLEMS = {
    "missing_value": lazy_gettext("a value is missing: %(names)s"),
    "unknown_name": lazy_gettext("unknown name in the formula: %(names)s"),
    "division_by_zero": lazy_gettext("the formula divides by zero"),
    "syntax": lazy_gettext("the formula cannot be read"),
    "not_allowed": lazy_gettext("the formula uses something not allowed"),
    "not_finite": lazy_gettext("the result is not a finite number"),
    "too_long": lazy_gettext("the formula is too long"),
    "too_complex": lazy_gettext("the formula is nested too deeply"),
    "bad_row_name": lazy_gettext("a question has an invalid name"),
    "duplicate_row": lazy_gettext("two questions have the same name"),
    "other": lazy_gettext("the calculation failed"),
}


def problem_sentence(kind: str, title: str, code: str, names: Any = (), field: str = "value") -> str:
    """ "Nyttan ”Färre låsbyten” saknar årligt värde." — one problem of one item, translated."""
    names = [str(n) for n in names or ()]
    if code == "missing_value" and not names:
        if kind == "cost":
            return gettext("The cost “%(title)s” has no yearly value.", title=title)
        return gettext("The benefit “%(title)s” has no yearly value.", title=title)
    if code == "missing_value" and field == "value":
        if kind == "cost":
            return gettext("The cost “%(title)s” has no value for %(names)s.", title=title, names=", ".join(names))
        return gettext("The benefit “%(title)s” has no value for %(names)s.", title=title, names=", ".join(names))
    problem = str(PROBLEMS.get(code, PROBLEMS["other"])) % {"names": ", ".join(names)}
    if field == "hours":
        problem = gettext("hours per year: %(problem)s", problem=problem)
    if kind == "cost":
        return gettext("The cost “%(title)s”: %(problem)s.", title=title, problem=problem)
    return gettext("The benefit “%(title)s”: %(problem)s.", title=title, problem=problem)


def explain(result: dict[str, Any]) -> dict[str, Any]:
    """A result's plain dict (``Result.to_dict()``) with every problem in words: each error's
    ``message`` and each item's ``error_message`` name the item. Changes ``result`` in place
    and returns it; the figures are untouched."""
    items = {i["id"]: i for i in result.get("items", [])}
    for nv in result.get("not_valued", []):
        items.setdefault(nv["id"], nv)
    for e in result.get("errors", []):
        item = items.get(e["item_id"], {})
        e["message"] = problem_sentence(
            item.get("kind", ""), item.get("title", ""), e["code"], e.get("names"), e.get("field", "value")
        )
    first: dict[str, dict[str, Any]] = {}
    for e in result.get("errors", []):
        if e.get("field") == "value":
            first.setdefault(e["item_id"], e)
    for i in result.get("items", []):
        if i.get("error"):
            e = first.get(i["id"])
            i["error_message"] = (
                e["message"] if e and e["code"] == i["error"] else problem_sentence(i["kind"], i["title"], i["error"])
            )
    return result


# --- omfördelning in time -------------------------------------------------------------------


def omfordelning_summary(omf: dict[str, Any], horizon: int) -> dict[str, Any]:
    """Freed (benefits) and consumed (costs) working time from a result's ``omfordelning``,
    both per year and over the horizon, so no screen shows a horizon's årsarbetare as if it were
    a year's: ``{"horizon", "any", "benefit"|"cost": {"hours_per_year", "arsarbetare_per_year",
    "hours_total", "arsarbetare_total"}, "missing_hours"}``. Per year is the mean over the
    horizon's years (a ramp-up year counts with what it frees); the totals are the engine's."""
    years = max(int(horizon or 1), 1)
    out: dict[str, Any] = {"horizon": years, "missing_hours": list(omf.get("missing_hours") or [])}
    for side in ("benefit", "cost"):
        hours = float(omf.get(f"{side}_hours") or 0.0)
        fte = float(omf.get(f"{side}_arsarbetare") or 0.0)
        out[side] = {
            "hours_per_year": hours / years,
            "arsarbetare_per_year": fte / years,
            "hours_total": hours,
            "arsarbetare_total": fte,
        }
    out["any"] = bool(out["benefit"]["hours_total"] or out["cost"]["hours_total"])
    return out
