"""Step 8 Räkna: the draft analysis computed, live, for the room.

No phone input. The aggregate is the engine's result (``workshop.draft.compute.compute``, a
pure function) reshaped for the screens: the method's result measures undiscounted and
discounted, the accumulated benefits and costs per year, shares, breakdowns, Omfördelning in
hours and årsarbetare, the comparison with all lowest / all likely / all highest values (never
called worst or best case), the items not valued in money with their size, formula problems per
item and the top of the one-at-a-time sensitivity (tornado). Because ``uses_draft`` is set,
every change of the draft (a figure saved in step 7, the convention switched) recomputes it and
the presenter's chart moves while the room watches.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ..draft.compute import omfordelning_summary, problem_sentence
from ._draft import NoInput
from .base import ActivityKind, ConfigField, Row, Schema, _l, _pl

#: Uppskattad storlek for items not valued in money (method.md).
SIZE_NAMES = {0: "Ingen", 1: "Liten", 2: "Måttlig", 3: "Stor"}

HEADLINE_KEYS = ("benefits", "costs", "nettonytta", "per_krona", "reading", "break_even_year")
SERIES_KEYS = (
    "benefits_by_year",
    "costs_by_year",
    "accumulated_benefits",
    "accumulated_costs",
    "benefit_shares",
    "cost_shares",
    "by_category",
    "by_perspective",
)


class CalculateConfig(Schema):
    # Show discounted figures (nuvärde) on the screens; the console can switch.
    discounted: bool = True
    # How many inputs of the tornado (sensitivity) to show.
    top: int = Field(default=5, ge=1, le=15)
    # Sammanfattning (the seven-step edition): beside the money result, the items valued in
    # points and the uncertainty per area, instead of the sensitivity chart.
    summary: bool = False


def _measures(m: dict[str, Any]) -> dict[str, Any]:
    return {k: m[k] for k in HEADLINE_KEYS + SERIES_KEYS}


def _headline(h: dict[str, Any]) -> dict[str, Any]:
    return {k: h[k] for k in HEADLINE_KEYS}


def result_summary(draft: Any, top: int = 5, sensitivity: bool = True) -> dict[str, Any]:
    """What the screens need from ``Result.to_dict()`` of the stored draft.

    Shape::

        {"empty": False,
         "settings": {horizon, discount_rate, convention, start_year},
         "counts": {benefits, costs, money, not_valued},
         "undiscounted"/"discounted": {benefits, costs, nettonytta, per_krona (None = kan inte
             beräknas), reading (negative|zero|small_margin|good|None), break_even_year (None =
             aldrig), benefits_by_year, costs_by_year, accumulated_benefits, accumulated_costs,
             benefit_shares, cost_shares {finansiell, omfordelning}, by_category, by_perspective
             {benefit|cost: {group: total}}},
         "omfordelning": {horizon, any, benefit|cost: {hours_per_year, arsarbetare_per_year,
             hours_total, arsarbetare_total}, missing_hours: [titles]},
         "uncertainty": {low|likely|high: {undiscounted: headline, discounted: headline}},
         "not_valued": [{id, kind, title, category, perspective, size_score, size}],
         "errors": [{item_id, title, field, code, names, message, scenarios}],
         "items": [{id, kind, title, category, perspective, yearly_value, total, total_discounted, error}],
         "tornado": [{source, item_id, item, name, label, low, likely, high, nettonytta_low,
             nettonytta_high, discounted_nettonytta_low, discounted_nettonytta_high, swing}],
         "tornado_total": n}
    """
    analysis = draft.analysis
    res = draft.result(sensitivity).to_dict()
    titles = {i["id"]: i["title"] for i in res["items"]}
    kinds = {i["id"]: i["kind"] for i in res["items"]}
    for nv in res["not_valued"]:
        titles[nv["id"]] = nv["title"]
    errors: dict[tuple, dict[str, Any]] = {}
    for e in res["errors"]:
        key = (e["item_id"], e["field"], e["code"], tuple(e["names"]))
        entry = errors.setdefault(
            key,
            {
                "item_id": e["item_id"],
                "title": titles.get(e["item_id"], ""),
                "field": e["field"],
                "code": e["code"],
                "names": list(e["names"]),
                # The problem in words, naming the item ("Nyttan ”X” saknar årligt värde.").
                "message": problem_sentence(
                    kinds.get(e["item_id"], ""), titles.get(e["item_id"], ""), e["code"], e["names"], e["field"]
                ),
                "scenarios": [],
            },
        )
        if e["scenario"] and e["scenario"] not in entry["scenarios"]:
            entry["scenarios"].append(e["scenario"])
    tornado = list(res["sensitivity"] or [])
    omf = res["omfordelning"]
    settings = res["settings"]
    return {
        "empty": False,
        "settings": {**settings, "start_year": analysis.start_year},
        "counts": {
            "benefits": sum(1 for i in res["items"] if i["kind"] == "benefit"),
            "costs": sum(1 for i in res["items"] if i["kind"] == "cost"),
            "money": len(res["items"]),
            "not_valued": len(res["not_valued"]),
        },
        "undiscounted": _measures(res["undiscounted"]),
        "discounted": _measures(res["discounted"]),
        # Per year and over the horizon, each labelled where shown (``omfordelning_summary``).
        "omfordelning": {
            **omfordelning_summary(omf, settings["horizon"]),
            "missing_hours": [titles.get(i, i) for i in omf["missing_hours"]],
        },
        "uncertainty": {
            s: {"undiscounted": _headline(v["undiscounted"]), "discounted": _headline(v["discounted"])}
            for s, v in res["uncertainty"].items()
        },
        "not_valued": [{**nv, "size": SIZE_NAMES.get(nv["size_score"])} for nv in res["not_valued"]],
        # Osäkerhet per area as recorded (qualitative; never part of the figures).
        "uncertainty_areas": [
            {"area": str(u.get("area", "")), "level": u.get("level") or "", "motivation": u.get("motivation") or ""}
            for u in (analysis.uncertainty or [])
            if isinstance(u, dict) and u.get("area")
        ],
        "errors": list(errors.values()),
        "items": [
            {
                k: i[k]
                for k in (
                    "id",
                    "kind",
                    "title",
                    "category",
                    "perspective",
                    "yearly_value",
                    "total",
                    "total_discounted",
                    "error",
                )
            }
            for i in res["items"]
        ],
        "tornado": [{**e, "item": titles.get(e["item_id"] or "", "")} for e in tornado[:top]],
        "tornado_total": len(tornado),
    }


class Calculate(NoInput, ActivityKind):
    key = "calculate"
    # The method's step this kind carries out (the editor lists the steps in order).
    step = 8
    label = _l("Räkna (result)")
    description = _l(
        "Step 8: the draft computed — Sammanlagd nettonytta, Nettonytta per satsad krona, the year the "
        "accumulated benefits exceed the costs, uncertainty and sensitivity. Updates live as figures arrive."
    )
    default_title = _l("Räkna: what does the calculation say?")
    results_hidden_default = False
    phone_results = "on_reveal"
    uses_draft = True
    Config = CalculateConfig
    config_fields = [
        ConfigField(
            "discounted",
            _l("Show discounted figures (nuvärde)"),
            "bool",
            help=_l("Undiscounted figures are shown beside them in the console."),
        ),
        ConfigField("top", _l("Inputs shown in the sensitivity chart"), "int", min=1, max=15),
        ConfigField(
            "summary",
            _l("Summary: show the items valued in points and the uncertainty per area beside the result"),
            "bool",
            help=_l("Instead of the sensitivity chart. Points are listed, never added to the money."),
        ),
    ]
    js_strings = {
        "nettonytta": _l("Sammanlagd nettonytta"),
        "per_krona": _l("Nettonytta per satsad krona"),
        "cannot": _l("kan inte beräknas"),
        "cannot_why": _l("There are no costs to divide by."),
        "break_even": _l("Året då de ackumulerade nyttorna överstiger de ackumulerade kostnaderna"),
        "break_even_short": _l("Nyttorna överstiger kostnaderna"),
        "never": _l("aldrig"),
        "year_n": _l("år %(n)s"),
        "year_cal": _l("år %(n)s (%(y)s)"),
        "reading.negative": _l("Below 0: the costs are larger than the benefits."),
        "reading.zero": _l("0: the benefits just cover the costs."),
        "reading.small_margin": _l("Above 0 but under 0,5: positive with a small margin."),
        "reading.good": _l("0,5 or more: the benefits clearly exceed the costs."),
        "benefits": _l("Nyttor"),
        "costs": _l("Kostnader"),
        "discounted": _l("Discounted (nuvärde)"),
        "undiscounted": _l("Undiscounted"),
        "show_discounted": _l("Discounted"),
        "show_undiscounted": _l("Undiscounted"),
        "figures_shown": _l("Figures on the screens"),
        "convention": _l("Convention"),
        "convention_a": _l("A: year 1 not discounted"),
        "convention_b": _l("B: year 1 discounted too"),
        "settings": _pl(
            "%(n)s year · discount rate %(r)s % · convention %(c)s",
            "%(n)s years · discount rate %(r)s % · convention %(c)s",
        ),
        "settings_heading": _l("Settings"),
        "horizon": _l("Horizon"),
        "rate": _l("Discount rate"),
        "accumulated": _l("Accumulated benefits and costs per year"),
        "acc_benefits": _l("Ackumulerade nyttor"),
        "acc_costs": _l("Ackumulerade kostnader"),
        "year": _l("Year"),
        "chart_summary": _pl(
            "Over %(n)s year the accumulated benefits reach %(b)s and the accumulated costs %(c)s.",
            "Over %(n)s years the accumulated benefits reach %(b)s and the accumulated costs %(c)s.",
        ),
        "chart_break_even": _l("The benefits exceed the costs in year %(n)s."),
        "chart_never": _l("The benefits never exceed the costs within the horizon."),
        "tornado": _l("What moves the nettonytta most"),
        "tornado_help": _l("One input at a time at its lowest and highest value, all others likely."),
        "tornado_likely": _l("Likely: %(v)s"),
        "tornado_row": _l("%(label)s: %(low)s to %(high)s gives %(nlow)s to %(nhigh)s"),
        "tornado_more": _pl("%(n)s more input varies less.", "%(n)s more inputs vary less."),
        "tornado_none": _l("No input has a lowest or highest value yet."),
        "uncertainty": _l("Uncertainty"),
        "all_low": _l("All lowest values"),
        "all_likely": _l("All likely values"),
        "all_high": _l("All highest values"),
        "uncertainty_line": _l("With all lowest values %(low)s, with all highest %(high)s."),
        "shares": _l("Shares"),
        "share_fin": _l("Finansiell"),
        "share_omf": _l("Omfördelning"),
        "of_benefits": _l("of the benefits"),
        "of_costs": _l("of the costs"),
        "by_category": _l("By category"),
        "by_perspective": _l("By perspective"),
        "no_perspective": _l("(no perspective)"),
        "category.finansiell": _l("Finansiell"),
        "category.omfordelning": _l("Omfördelning"),
        "category.kvalitet": _l("Kvalitet"),
        "category.miljo": _l("Miljö"),
        "omfordelning": _l("Omfördelning in time"),
        "hours_freed_year": _pl(
            "Freed per year (mean): %(n)s hour = %(a)s årsarbetare a year",
            "Freed per year (mean): %(n)s hours = %(a)s årsarbetare a year",
        ),
        "hours_freed_total": _pl(
            "Freed over the horizon (%(years)s years): %(n)s hour = %(a)s årsarbetare in all",
            "Freed over the horizon (%(years)s years): %(n)s hours = %(a)s årsarbetare in all",
        ),
        "hours_used_year": _pl(
            "Consumed per year (mean): %(n)s hour = %(a)s årsarbetare a year",
            "Consumed per year (mean): %(n)s hours = %(a)s årsarbetare a year",
        ),
        "hours_used_total": _pl(
            "Consumed over the horizon (%(years)s years): %(n)s hour = %(a)s årsarbetare in all",
            "Consumed over the horizon (%(years)s years): %(n)s hours = %(a)s årsarbetare in all",
        ),
        "hours_missing": _l("Without an hours formula: %(items)s"),
        "not_valued": _l("Not valued in money"),
        "points_heading": _l("Valued in points (not added to the money)"),
        "areas_heading": _l("Uncertainty per area"),
        "level.low": _l("Low"),
        "level.medium": _l("Medium"),
        "level.high": _l("High"),
        "level.none": _l("not judged yet"),
        "more": _pl("%(n)s more row not shown", "%(n)s more rows not shown"),
        "size": _l("Uppskattad storlek"),
        "size.0": _l("Ingen"),
        "size.1": _l("Liten"),
        "size.2": _l("Måttlig"),
        "size.3": _l("Stor"),
        "size.none": _l("not estimated"),
        "errors": _l("Problems in the calculation"),
        "errors_help": _l("These items count as 0 until the problem is fixed."),
        "scenario.low": _l("lowest"),
        "scenario.high": _l("highest"),
        "scenario.likely": _l("likely"),
        "items": _l("Items valued in money"),
        "per_year": _l("per year"),
        "total": _l("Total"),
        "kind.benefit": _l("Nytta"),
        "kind.cost": _l("Kostnad"),
        "no_draft": _l("Nothing to compute yet: benefits and costs valued in money appear here."),
        "phone_wait": _l("The facilitator shows the result."),
        "phone_heading": _l("The result in brief"),
        "kr": _l("%(n)s kr"),
        "tkr": _l("%(n)s tkr"),
        "mnkr": _l("%(n)s mnkr"),
        "at_lowest": _l("Input at its lowest value"),
        "at_highest": _l("Input at its highest value"),
        "compare": _l("Undiscounted and discounted"),
        "measure": _l("Measure"),
        "scenario": _l("Values"),
        "hours": _l("Hours"),
        "arsarbetare": _l("Årsarbetare"),
        "share_of": _l("%(p)s %"),
        "title": _l("Item"),
        "category_col": _l("Kategori"),
        "perspective_col": _l("Perspektiv"),
        "yearly": _l("Per year"),
    }

    def aggregate(self, config: CalculateConfig, rows: list[Row]) -> dict[str, Any]:
        return {"empty": True}

    def aggregate_for(self, act: Any, config: CalculateConfig, rows: list[Row], draft: Any = None) -> dict[str, Any]:
        if draft is None:
            return {"empty": True}
        return result_summary(draft, top=config.top)


KIND = Calculate()
